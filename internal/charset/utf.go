package charset

import (
	"strings"
	"unicode/utf8"
)

// utf8Lead describes a UTF-8 lead byte: the sequence length (0 = not a lead
// byte) and the valid range of the second byte, which is narrower than
// 0x80..0xBF after E0, ED, F0 and F4 (overlongs, surrogates, > U+10FFFF).
func utf8Lead(c byte) (n int, lo, hi byte) {
	switch {
	case c >= 0xC2 && c <= 0xDF:
		return 2, 0x80, 0xBF
	case c == 0xE0:
		return 3, 0xA0, 0xBF
	case c == 0xED:
		return 3, 0x80, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		return 3, 0x80, 0xBF
	case c == 0xF0:
		return 4, 0x90, 0xBF
	case c >= 0xF1 && c <= 0xF3:
		return 4, 0x80, 0xBF
	case c == 0xF4:
		return 4, 0x80, 0x8F
	}
	return 0, 0, 0
}

// utf8Prefix returns how many bytes of b, starting with a lead byte, form a
// valid (possibly incomplete) prefix of a UTF-8 sequence, and the full
// sequence length. valid == n means the sequence is complete.
func utf8Prefix(b []byte) (valid, n int) {
	n, lo, hi := utf8Lead(b[0])
	if n == 0 {
		return 0, 0
	}
	valid = 1
	for valid < n && valid < len(b) {
		c := b[valid]
		if valid > 1 {
			lo, hi = 0x80, 0xBF
		}
		if c < lo || c > hi {
			break
		}
		valid++
	}
	return valid, n
}

// incompleteUTF8Tail returns the offset of a trailing incomplete but so far
// valid UTF-8 sequence in p, or len(p) when p does not end with one.
func incompleteUTF8Tail(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-3; i-- {
		if p[i] < 0x80 {
			return len(p)
		}
		if p[i] >= 0xC0 {
			if valid, n := utf8Prefix(p[i:]); valid == len(p)-i && valid < n {
				return i
			}
			return len(p)
		}
	}
	return len(p)
}

// stepUTF8 decodes b replacing each maximal ill-formed subpart with one
// U+FFFD, which is what CPython's UTF-8 decoder does with errors="replace"
// (b"\xe2\x82A" gives "\ufffdA", b"\xed\xa0\x80" gives three U+FFFD).
func stepUTF8(b []byte, final bool, out *strings.Builder) int {
	i := 0
	for i < len(b) {
		// Copy the longest valid run in one go.
		j := i
		for j < len(b) {
			if b[j] < utf8.RuneSelf {
				j++
				continue
			}
			valid, n := utf8Prefix(b[j:])
			if valid == 0 || valid < n {
				break
			}
			j += n
		}
		out.Write(b[i:j])
		i = j
		if i == len(b) {
			break
		}
		valid, _ := utf8Prefix(b[i:])
		if valid > 0 && i+valid == len(b) && !final {
			return i // incomplete character: wait for more input
		}
		out.WriteRune(utf8.RuneError)
		i += max(valid, 1)
	}
	return i
}

// stepUTF16 decodes UTF-16 code units. An unpaired surrogate becomes one
// U+FFFD; at the end of the stream a lone byte, or a high surrogate with
// fewer than two bytes after it, becomes one U+FFFD, as in CPython.
func stepUTF16(b []byte, big, final bool, out *strings.Builder) int {
	unit := func(i int) rune {
		if big {
			return rune(b[i])<<8 | rune(b[i+1])
		}
		return rune(b[i+1])<<8 | rune(b[i])
	}
	i := 0
	for i+1 < len(b) {
		u := unit(i)
		switch {
		case u < 0xD800 || u > 0xDFFF:
			out.WriteRune(u)
			i += 2
		case u >= 0xDC00: // lone low surrogate
			out.WriteRune(utf8.RuneError)
			i += 2
		case i+3 >= len(b): // high surrogate, pair incomplete
			if !final {
				return i
			}
			out.WriteRune(utf8.RuneError)
			return len(b)
		default:
			if u2 := unit(i + 2); u2 >= 0xDC00 && u2 <= 0xDFFF {
				out.WriteRune(0x10000 + (u-0xD800)<<10 + (u2 - 0xDC00))
				i += 4
			} else {
				out.WriteRune(utf8.RuneError)
				i += 2
			}
		}
	}
	if i < len(b) {
		if !final {
			return i
		}
		out.WriteRune(utf8.RuneError)
		i = len(b)
	}
	return i
}

// stepUTF32 decodes UTF-32 code units; values above U+10FFFF and surrogates
// become U+FFFD, and 1 to 3 trailing bytes at the end of the stream one U+FFFD.
func stepUTF32(b []byte, big, final bool, out *strings.Builder) int {
	i := 0
	for i+3 < len(b) {
		var v uint32
		if big {
			v = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		} else {
			v = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
		}
		if v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
			out.WriteRune(utf8.RuneError)
		} else {
			out.WriteRune(rune(v))
		}
		i += 4
	}
	if i < len(b) {
		if !final {
			return i
		}
		out.WriteRune(utf8.RuneError)
		i = len(b)
	}
	return i
}
