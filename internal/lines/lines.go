// Package lines implements HTTPX's text-stream reshaping: iter_lines, which
// splits text arriving in arbitrary chunks into lines exactly as Python's
// str.splitlines splits the whole text, and iter_text's fixed-size chunking,
// which counts characters rather than bytes.
package lines

import (
	"strings"
	"unicode/utf8"
)

// Splitter splits text fed in arbitrary chunks into lines, giving the same
// lines as Python's str.splitlines on the concatenation of all chunks (HTTPX
// 0.28's LineDecoder). Line terminators are "\n", "\r", "\r\n", "\v", "\f",
// "\x1c", "\x1d", "\x1e", U+0085, U+2028 and U+2029; lines are returned
// without them. A trailing terminator does not produce an empty last line, and
// consecutive terminators produce empty lines.
//
// Because a "\r" ending a chunk may be the first half of "\r\n", the line it
// ends is held back until the next chunk (or Flush) shows what follows. The
// splitter works on bytes, so a multi-byte terminator split across chunks is
// recognized too. The zero value is ready to use; a Splitter is not safe for
// concurrent use.
type Splitter struct {
	buf       []byte // start of the current, unterminated line
	pendingCR bool   // the current line ended with "\r" at the end of a chunk
	partial   []byte // trailing bytes that may begin a multi-byte terminator
}

// Feed consumes the next chunk and returns the lines it completes. It returns
// nil, without allocating, when no line completes.
func (s *Splitter) Feed(text string) []string {
	if len(text) == 0 {
		return nil
	}
	if len(s.partial) > 0 {
		// A possibly split U+0085 / U+2028 / U+2029: retry the held bytes
		// together with this chunk. Decoded text never splits a character,
		// so this only happens when callers split inside one.
		text = string(s.partial) + text
		s.partial = s.partial[:0]
	}
	return s.feed(text, nil)
}

// feed scans text, which does not start inside a held multi-byte terminator.
func (s *Splitter) feed(text string, out []string) []string {
	if s.pendingCR {
		s.pendingCR = false
		out = append(out, s.take(""))
		if text[0] == '\n' {
			text = text[1:]
		}
	}
	start := 0
	for i := 0; i < len(text); {
		c := text[i]
		size := 0
		switch {
		case c == '\r':
			if i+1 == len(text) {
				// Maybe the first half of "\r\n": decide on the next chunk.
				s.buf = append(s.buf, text[start:i]...)
				s.pendingCR = true
				return out
			}
			size = 1
			if text[i+1] == '\n' {
				size = 2
			}
		case c == '\n' || c == '\v' || c == '\f' || c >= 0x1c && c <= 0x1e:
			size = 1
		case c == 0xC2 || c == 0xE2:
			n, held := multiByteTerminator(text[i:])
			if held {
				s.buf = append(s.buf, text[start:i]...)
				s.partial = append(s.partial, text[i:]...)
				return out
			}
			size = n
		}
		if size == 0 {
			i++
			continue
		}
		out = append(out, s.take(text[start:i]))
		i += size
		start = i
	}
	s.buf = append(s.buf, text[start:]...)
	return out
}

// multiByteTerminator reports whether t starts with U+0085 (C2 85), U+2028
// (E2 80 A8) or U+2029 (E2 80 A9), returning its length, or whether t is a
// proper prefix of one of them that the next chunk may complete.
func multiByteTerminator(t string) (n int, held bool) {
	if t[0] == 0xC2 {
		if len(t) == 1 {
			return 0, true
		}
		if t[1] == 0x85 {
			return 2, false
		}
		return 0, false
	}
	switch {
	case len(t) == 1:
		return 0, true
	case t[1] != 0x80:
		return 0, false
	case len(t) == 2:
		return 0, true
	case t[2] == 0xA8 || t[2] == 0xA9:
		return 3, false
	}
	return 0, false
}

// take returns the buffered line start joined with tail and clears the
// buffer; without a buffered start the substring is returned as is.
func (s *Splitter) take(tail string) string {
	if len(s.buf) == 0 {
		return tail
	}
	line := string(s.buf) + tail
	s.buf = s.buf[:0]
	return line
}

// Flush ends the stream and returns the last line, if any text follows the
// last terminator (or a held "\r" ends it). The Splitter is then empty and may
// be reused for another stream.
func (s *Splitter) Flush() []string {
	if len(s.partial) > 0 {
		s.buf = append(s.buf, s.partial...)
		s.partial = s.partial[:0]
	}
	if len(s.buf) == 0 && !s.pendingCR {
		return nil
	}
	s.pendingCR = false
	return []string{s.take("")}
}

// TextChunker re-chunks a text stream into pieces of exactly Size characters
// (Unicode code points, as Python counts str length), except for a shorter
// last piece, as HTTPX's iter_text(chunk_size=n) does. With Size <= 0 chunks
// pass through unchanged, but empty chunks are still dropped, since HTTPX
// never yields an empty chunk. The zero value passes chunks through.
type TextChunker struct {
	// Size is the chunk length in characters; <= 0 disables re-chunking.
	Size int
	buf  strings.Builder
	n    int // characters in buf
}

// Feed consumes text and returns the complete chunks now available (nil if
// none).
func (c *TextChunker) Feed(text string) []string {
	if text == "" {
		return nil
	}
	if c.Size <= 0 {
		return []string{text}
	}
	var out []string
	for text != "" {
		// Find the byte offset after the characters still missing.
		missing := c.Size - c.n
		i, k := 0, 0
		for i < len(text) && k < missing {
			if text[i] < utf8.RuneSelf {
				i++
			} else {
				_, size := utf8.DecodeRuneInString(text[i:])
				i += size
			}
			k++
		}
		if k < missing {
			c.buf.WriteString(text)
			c.n += k
			return out
		}
		if c.n == 0 {
			out = append(out, text[:i])
		} else {
			c.buf.WriteString(text[:i])
			out = append(out, c.buf.String())
			c.buf = strings.Builder{}
			c.n = 0
		}
		text = text[i:]
	}
	return out
}

// Flush returns the final, possibly short, chunk (nil if nothing is left)
// and resets the chunker.
func (c *TextChunker) Flush() []string {
	if c.n == 0 {
		return nil
	}
	s := c.buf.String()
	c.buf = strings.Builder{}
	c.n = 0
	return []string{s}
}
