package charset

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// Decoder decodes one byte stream incrementally. Bytes that end a call in the
// middle of a character are kept and completed by the next call, so feeding a
// body in any chunking yields the same text as decoding it whole. A Decoder is
// not safe for concurrent use.
type Decoder struct {
	c       *Codec
	pend    [4]byte // incomplete trailing bytes of the previous call
	npend   int
	started bool // BOM decision taken (utf-8-sig, utf-16, utf-32)
	big     bool // byte order chosen for utf-16 / utf-32
	t       transform.Transformer
	xpend   []byte // kMultiple: unconsumed input of the previous call
	scratch []byte // kMultiple: transform output buffer
}

// Decode decodes p, which continues the bytes given to earlier calls. With
// final set, p ends the stream: incomplete trailing bytes become U+FFFD as
// Python's errors="replace" does, and the Decoder is reset for a new stream.
func (d *Decoder) Decode(p []byte, final bool) string {
	if d.c.kind == kMultiple {
		return d.decodeMultiple(p, final)
	}
	var out strings.Builder
	if d.npend == 0 && !d.needsStart() {
		if s, ok := d.fast(p, final); ok {
			if final {
				d.reset()
			}
			return s
		}
	}
	out.Grow(len(p) + len(p)/2 + 4)
	if !d.needsStart() || d.start(&p, final, &out) {
		d.decodePending(&p, final, &out)
		if d.npend == 0 {
			n := d.step(p, final, &out)
			d.npend = copy(d.pend[:], p[n:])
		}
	}
	if final {
		d.reset()
	}
	return out.String()
}

func (d *Decoder) reset() {
	t := d.t
	*d = Decoder{c: d.c, t: t, scratch: d.scratch[:0]}
	if t != nil {
		t.Reset()
	}
}

// needsStart reports whether a byte-order mark decision is still pending.
func (d *Decoder) needsStart() bool {
	switch d.c.kind {
	case kUTF8Sig, kUTF16, kUTF32:
		return !d.started
	}
	return false
}

// fast handles the common whole-chunk cases without a builder.
func (d *Decoder) fast(p []byte, final bool) (string, bool) {
	switch d.c.kind {
	case kUTF8, kUTF8Sig: // utf-8-sig once its BOM decision is taken
		if utf8.Valid(p) {
			return string(p), true
		}
		if !final {
			if cut := incompleteUTF8Tail(p); cut < len(p) && utf8.Valid(p[:cut]) {
				d.npend = copy(d.pend[:], p[cut:])
				return string(p[:cut]), true
			}
		}
	case kASCII, kLatin1:
		if isASCII(p) {
			return string(p), true
		}
	}
	return "", false
}

func isASCII(p []byte) bool {
	for _, b := range p {
		if b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// start takes the byte-order-mark decision once enough bytes have arrived,
// consuming a BOM from *p. It reports false when the decision must wait for
// more input (the bytes are then pending).
func (d *Decoder) start(p *[]byte, final bool, out *strings.Builder) bool {
	need := 3
	switch d.c.kind {
	case kUTF16:
		need = 2
	case kUTF32:
		need = 4
	}
	// Gather pending bytes plus the first bytes of p.
	var head [4]byte
	n := copy(head[:], d.pend[:d.npend])
	taken := copy(head[n:need], *p)
	n += taken
	if n < need {
		if d.c.kind == kUTF8Sig {
			// CPython's utf-8-sig incremental decoder waits while the input
			// is a prefix of the BOM, and at the end of the stream emits
			// nothing for such a prefix.
			if string(head[:n]) == "\xef\xbb\xbf"[:n] {
				if final {
					d.npend = 0
				} else {
					d.npend = copy(d.pend[:], head[:n])
				}
				*p = nil
				return false
			}
			d.started = true
			return true
		}
		if !final {
			d.npend = copy(d.pend[:], head[:n])
			*p = nil
			return false
		}
		// Too short for a BOM: the truncated data becomes one U+FFFD.
		d.started = true
		d.npend = 0
		*p = nil
		if n > 0 {
			out.WriteRune(utf8.RuneError)
		}
		return false
	}
	d.started = true
	bom := 0
	switch d.c.kind {
	case kUTF8Sig:
		if string(head[:3]) == "\xef\xbb\xbf" {
			bom = 3
		}
	case kUTF16:
		switch string(head[:2]) {
		case "\xff\xfe":
			bom = 2
		case "\xfe\xff":
			bom, d.big = 2, true
		}
	case kUTF32:
		switch string(head[:4]) {
		case "\xff\xfe\x00\x00":
			bom = 4
		case "\x00\x00\xfe\xff":
			bom, d.big = 4, true
		}
	}
	// Bytes consumed from p: the BOM part that came from p; pending bytes
	// are dropped when part of the BOM, else kept pending.
	if bom > 0 {
		*p = (*p)[bom-(n-taken):]
		d.npend = 0
	}
	return true
}

// decodePending completes the character started by pending bytes using the
// first bytes of *p, advancing *p past the bytes used.
func (d *Decoder) decodePending(p *[]byte, final bool, out *strings.Builder) {
	for d.npend > 0 {
		var tmp [12]byte
		np := d.npend
		copy(tmp[:], d.pend[:np])
		taken := copy(tmp[np:], *p)
		all := taken == len(*p)
		c := d.step(tmp[:np+taken], final && all, out)
		switch {
		case c >= np:
			*p = (*p)[c-np:]
			d.npend = 0
		case c > 0:
			d.npend = copy(d.pend[:], d.pend[c:np])
		case all: // still incomplete: everything given so far is pending
			d.npend = copy(d.pend[:], tmp[:np+taken])
			*p = nil
			return
		default: // unreachable: no character is longer than 4 bytes
			b := append(d.pend[:np:np], *p...)
			d.npend = 0
			n := d.step(b, final, out)
			d.npend = copy(d.pend[:], b[n:])
			*p = nil
			return
		}
	}
}

// step decodes as much of b as possible into out and returns the number of
// bytes consumed; unless final, an incomplete trailing character (at most 3
// bytes) is left unconsumed.
func (d *Decoder) step(b []byte, final bool, out *strings.Builder) int {
	switch d.c.kind {
	case kUTF8, kUTF8Sig:
		return stepUTF8(b, final, out)
	case kASCII:
		for _, c := range b {
			if c < utf8.RuneSelf {
				out.WriteByte(c)
			} else {
				out.WriteRune(utf8.RuneError)
			}
		}
	case kLatin1:
		for _, c := range b {
			if c < utf8.RuneSelf {
				out.WriteByte(c)
			} else {
				out.WriteRune(rune(c))
			}
		}
	case kSBCS:
		t := d.c.sbcs()
		for i := 0; i < len(b); i++ {
			if d.c.ascii && b[i] < utf8.RuneSelf {
				j := i + 1
				for j < len(b) && b[j] < utf8.RuneSelf {
					j++
				}
				out.Write(b[i:j])
				i = j - 1
				continue
			}
			out.WriteRune(t[b[i]])
		}
	case kUTF16, kUTF16LE, kUTF16BE:
		return stepUTF16(b, d.big || d.c.kind == kUTF16BE, final, out)
	case kUTF32, kUTF32LE, kUTF32BE:
		return stepUTF32(b, d.big || d.c.kind == kUTF32BE, final, out)
	}
	return len(b)
}

// decodeMultiple runs a golang.org/x/text decoder, keeping input the
// transformer could not consume yet (ErrShortSrc) for the next call.
func (d *Decoder) decodeMultiple(p []byte, final bool) string {
	if d.t == nil {
		d.t = d.c.enc.NewDecoder()
	}
	src := p
	if len(d.xpend) > 0 {
		src = append(d.xpend, p...)
		d.xpend = nil
	}
	if cap(d.scratch) < 2*len(src)+16 {
		d.scratch = make([]byte, 2*len(src)+16)
	}
	dst := d.scratch[:cap(d.scratch)]
	var out strings.Builder
	for {
		nDst, nSrc, err := d.t.Transform(dst, src, final)
		out.Write(dst[:nDst])
		src = src[nSrc:]
		switch {
		case err == transform.ErrShortDst:
			if nDst == 0 && nSrc == 0 {
				dst = make([]byte, 2*len(dst))
				d.scratch = dst
			}
			continue
		case err == transform.ErrShortSrc && !final:
			d.xpend = append([]byte(nil), src...)
		case err != nil:
			// The x/text decoders replace invalid input themselves; should
			// one report an error instead, count one byte as invalid.
			out.WriteRune(utf8.RuneError)
			if len(src) > 1 {
				src = src[1:]
				continue
			}
		}
		break
	}
	if final {
		d.reset()
	}
	return out.String()
}
