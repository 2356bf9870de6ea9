package httpx

import (
	"io"
	"iter"

	"github.com/gohttpx/httpx/internal/lines"
)

// readChunk is the read size of the streaming iterators, as httpcore reads.
const readChunk = 64 << 10

// IterBytes iterates over the decoded body in chunks of exactly chunkSize
// bytes (the last one may be shorter), or as they arrive when chunkSize is 0.
// Empty chunks are never yielded. If the body was already read it is served
// from memory. Each yielded slice is the caller's to keep. The response is
// closed when the iteration ends, early or not.
func (r *Response) IterBytes(chunkSize int) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		defer r.release()
		if r.body.isRead {
			for _, c := range chunks(r.body.content, chunkSize) {
				if !yield(c, nil) {
					return
				}
			}
			return
		}
		r.iterStream(r, chunkSize, yield)
	}
}

// IterRaw iterates over the body as it came off the wire, still encoded,
// with IterBytes' chunking rules. It fails with ErrStreamConsumed when the
// body was already read or streamed, ErrStreamClosed after Close.
func (r *Response) IterRaw(chunkSize int) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		defer r.release()
		b := &r.body
		if b.isRead || b.started || b.eof {
			yield(nil, streamError(ErrStreamConsumed))
			return
		}
		r.iterStream(&rawBody{r: r}, chunkSize, yield)
	}
}

// iterStream reads src to the end, re-chunking into chunkSize pieces.
func (r *Response) iterStream(src io.Reader, chunkSize int, yield func([]byte, error) bool) {
	var pending []byte
	buf := make([]byte, readChunk)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if chunkSize <= 0 {
				if !yield(append([]byte(nil), buf[:n]...), nil) {
					return
				}
			} else {
				pending = append(pending, buf[:n]...)
				for len(pending) >= chunkSize {
					c := append([]byte(nil), pending[:chunkSize]...)
					pending = pending[chunkSize:]
					if !yield(c, nil) {
						return
					}
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			yield(nil, r.bodyError(err))
			return
		}
	}
	if len(pending) > 0 {
		yield(append([]byte(nil), pending...), nil)
	}
}

// chunks splits b into chunkSize pieces (all of b when chunkSize is 0),
// without empty chunks; the pieces alias b.
func chunks(b []byte, chunkSize int) [][]byte {
	if len(b) == 0 {
		return nil
	}
	if chunkSize <= 0 || chunkSize >= len(b) {
		return [][]byte{b}
	}
	out := make([][]byte, 0, (len(b)+chunkSize-1)/chunkSize)
	for len(b) > chunkSize {
		out = append(out, b[:chunkSize])
		b = b[chunkSize:]
	}
	return append(out, b)
}

// IterText iterates over the decoded body as text in the response's
// encoding, chunkSize counting characters (0: as decoded). Invalid bytes
// become U+FFFD.
func (r *Response) IterText(chunkSize int) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		_, codec, err := r.chooseEncoding()
		if err != nil {
			yield("", newRequestError(ErrRequest, r.Request, err, ""))
			return
		}
		dec := codec.NewDecoder()
		var pending []rune
		emit := func(s string, final bool) bool {
			if chunkSize <= 0 {
				return s == "" || yield(s, nil)
			}
			for _, c := range s {
				pending = append(pending, c)
				if len(pending) == chunkSize {
					if !yield(string(pending), nil) {
						return false
					}
					pending = pending[:0]
				}
			}
			if final && len(pending) > 0 {
				return yield(string(pending), nil)
			}
			return true
		}
		for chunk, err := range r.IterBytes(0) {
			if err != nil {
				yield("", err)
				return
			}
			if !emit(dec.Decode(chunk, false), false) {
				return
			}
		}
		emit(dec.Decode(nil, true), true)
	}
}

// IterLines iterates over the body's lines without their terminators,
// splitting as Python's str.splitlines does (\n, \r, \r\n and the Unicode
// line separators), as HTTPX's iter_lines.
func (r *Response) IterLines() iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		var s lines.Splitter
		for text, err := range r.IterText(0) {
			if err != nil {
				yield("", err)
				return
			}
			for _, l := range s.Feed(text) {
				if !yield(l, nil) {
					return
				}
			}
		}
		for _, l := range s.Flush() {
			if !yield(l, nil) {
				return
			}
		}
	}
}
