// Package decode undoes HTTP Content-Encoding (gzip, deflate, br, zstd) with
// the semantics of HTTPX's content decoders: tokens are taken from every
// Content-Encoding header value, unknown tokens and "identity" are ignored,
// stacked encodings are undone in reverse order, an empty body decodes to an
// empty body, a gzip or deflate stream cut short yields the data decoded so
// far, and corrupt data yields an error marked ErrDecoding while errors of the
// underlying body pass through untouched.
//
// Decompressor state (flate and gzip readers with their buffers, brotli and
// zstd decoders) is pooled, because responses are many and short-lived and
// the state is tens of kilobytes; it is taken on the first Read and given
// back at the end of the stream or on Close.
package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Supported is the Accept-Encoding value listing exactly the encodings this
// package decodes, so a client never advertises what it cannot undo.
const Supported = "gzip, deflate, br, zstd"

// MaxEncodings is the number of stacked encodings NewReader undoes at most.
// Each layer costs a decompressor, so an unbounded Content-Encoding list would
// let a server exhaust memory with a tiny response (curl applies the same
// limit, CVE-2022-32206); more layers fail with an ErrDecoding error.
const MaxEncodings = 5

var (
	// ErrDecoding matches (errors.Is) every error caused by corrupt encoded
	// data or by a brotli or zstd stream cut short, so callers can report a
	// decoding error rather than a network error. Errors of the underlying
	// reader never match.
	ErrDecoding = errors.New("decode: invalid encoded content")

	// ErrTooLarge matches the error a NewLimitedReader returns once the
	// decoded content would exceed its limit (a decompression bomb guard).
	ErrTooLarge = errors.New("decode: decoded content too large")

	// ErrClosed is returned by Read after Close.
	ErrClosed = errors.New("decode: read after close")

	errTooManyEncodings = errors.New("too many content encodings")
)

// Error describes a decoding failure: the encoding whose data was invalid and
// the decompressor's complaint. It matches ErrDecoding; the cause is kept in
// Err rather than unwrapped, so that a truncation (io.ErrUnexpectedEOF from
// the decompressor) is never mistaken for a network error by errors.Is.
type Error struct {
	Encoding string // "gzip", "deflate", "br" or "zstd"
	Err      error
}

// Error formats the failure for messages such as HTTPX's DecodingError.
func (e *Error) Error() string {
	if e.Encoding == "" {
		return ErrDecoding.Error() + ": " + e.Err.Error()
	}
	return ErrDecoding.Error() + ": " + e.Encoding + ": " + e.Err.Error()
}

// Unwrap makes errors.Is(err, ErrDecoding) true.
func (e *Error) Unwrap() error { return ErrDecoding }

// encoding identifies a supported content coding.
type encoding uint8

const (
	encGzip encoding = iota + 1
	encDeflate
	encBrotli
	encZstd
)

func (e encoding) String() string {
	switch e {
	case encGzip:
		return "gzip"
	case encDeflate:
		return "deflate"
	case encBrotli:
		return "br"
	case encZstd:
		return "zstd"
	}
	return "identity"
}

// tokenEncoding maps one trimmed Content-Encoding token to an encoding
// (0 for identity and unknown tokens).
func tokenEncoding(tok string) encoding {
	switch {
	case strings.EqualFold(tok, "gzip"):
		return encGzip
	case strings.EqualFold(tok, "deflate"):
		return encDeflate
	case strings.EqualFold(tok, "br"):
		return encBrotli
	case strings.EqualFold(tok, "zstd"):
		return encZstd
	}
	return 0
}

// parse collects the known encodings in header order. n counts all known
// tokens, which may exceed len(dst).
func parse(contentEncoding []string, dst *[MaxEncodings]encoding) (n int) {
	for _, v := range contentEncoding {
		for v != "" {
			var tok string
			tok, v, _ = strings.Cut(v, ",")
			if e := tokenEncoding(strings.TrimSpace(tok)); e != 0 {
				if n < len(dst) {
					dst[n] = e
				}
				n++
			}
		}
	}
	return n
}

// Encoded reports whether the header values name at least one encoding this
// package would undo, i.e. whether NewReader would do more than pass the body
// through.
func Encoded(contentEncoding []string) bool {
	var encs [MaxEncodings]encoding
	return parse(contentEncoding, &encs) > 0
}

// NewReader returns a reader that undoes the encodings named in the
// Content-Encoding header values. Tokens are split on commas across all
// values, trimmed and compared case-insensitively; "identity" and unknown
// tokens are ignored, and several known encodings are undone in reverse order
// of listing. Errors caused by the encoded data match ErrDecoding; errors
// returned by src itself (a failing network read) are returned unchanged.
//
// Close releases the pooled decompressor state but does not close src. Read
// after Close returns ErrClosed. Close may be called concurrently with a Read
// in progress (to abandon a response); the state is then released when that
// Read returns. When no known encoding applies, src is returned wrapped by
// io.NopCloser.
func NewReader(src io.Reader, contentEncoding []string) io.ReadCloser {
	var encs [MaxEncodings]encoding
	n := parse(contentEncoding, &encs)
	if n == 0 {
		return io.NopCloser(src)
	}
	if n > MaxEncodings {
		return &failed{err: &Error{Err: errTooManyEncodings}}
	}
	var d *decoder
	r := src
	for i := n - 1; i >= 0; i-- {
		d = &decoder{enc: encs[i], inner: d}
		d.src.r = r
		r = d
	}
	return d
}

// NewLimitedReader is NewReader with a bound on the decoded size: once more
// than maxDecoded bytes would be produced, Read returns the bytes up to the
// limit and an error matching ErrTooLarge. The bound applies to the bytes the
// caller receives, so it covers unencoded bodies as well. maxDecoded <= 0
// means no limit.
func NewLimitedReader(src io.Reader, contentEncoding []string, maxDecoded int64) io.ReadCloser {
	r := NewReader(src, contentEncoding)
	if maxDecoded <= 0 {
		return r
	}
	return &limited{r: r, max: maxDecoded, left: maxDecoded}
}

// Decode is the in-memory form of NewReader, used for bodies that are already
// complete. Without a known encoding it returns b itself.
func Decode(b []byte, contentEncoding []string) ([]byte, error) {
	var encs [MaxEncodings]encoding
	n := parse(contentEncoding, &encs)
	if n == 0 {
		return b, nil
	}
	r := NewReader(bytes.NewReader(b), contentEncoding)
	defer r.Close()
	size := 4*len(b) + 512
	if n == 1 && encs[0] == encGzip && len(b) >= 18 {
		// The gzip trailer states the (last member's) size modulo 2^32;
		// deflate cannot expand more than about 1032:1.
		if isize := int(binary.LittleEndian.Uint32(b[len(b)-4:])); isize/1032 <= len(b) {
			size = isize + 1
		}
	}
	return readAll(r, min(size, 64<<20))
}

// readAll is io.ReadAll with an initial capacity.
func readAll(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, max(size, 512))
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// failed is a reader that only returns err.
type failed struct{ err error }

func (f *failed) Read([]byte) (int, error) { return 0, f.err }
func (f *failed) Close() error             { return nil }

// limited enforces NewLimitedReader's bound.
type limited struct {
	r    io.ReadCloser
	max  int64
	left int64
	err  error
}

func (l *limited) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	// Ask for at most one byte more than allowed, so that a bomb is not
	// inflated further than needed to detect it.
	if l.left < int64(len(p)) {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		n = int(l.left)
		l.left = 0
		l.err = &limitError{max: l.max}
		return n, l.err
	}
	l.left -= int64(n)
	return n, err
}

func (l *limited) Close() error { return l.r.Close() }

// limitError reports the exceeded bound and matches ErrTooLarge.
type limitError struct{ max int64 }

func (e *limitError) Error() string {
	return ErrTooLarge.Error() + " (limit " + strconv.FormatInt(e.max, 10) + " bytes)"
}

func (e *limitError) Unwrap() error { return ErrTooLarge }

// source wraps the input of one decoding layer. It remembers the first error
// the input returned (other than io.EOF) so that such errors can be passed
// through unchanged instead of being blamed on the data, and it can replay
// peeked bytes.
type source struct {
	r      io.Reader
	err    error // sticky error from r, not io.EOF
	eof    bool
	stalls int // consecutive empty reads
	pre    []byte
	peek   [1]byte
}

func (s *source) Read(p []byte) (int, error) {
	if len(s.pre) > 0 {
		n := copy(p, s.pre)
		s.pre = s.pre[n:]
		return n, nil
	}
	if s.err != nil {
		return 0, s.err
	}
	if s.eof {
		return 0, io.EOF
	}
	n, err := s.r.Read(p)
	switch {
	case err == io.EOF:
		s.eof = true
	case err != nil:
		s.err = err
	case n == 0 && len(p) > 0:
		// Some decompressors retry empty reads forever; give up as bufio
		// does on a reader that never makes progress.
		if s.stalls++; s.stalls == 100 {
			s.err = io.ErrNoProgress
			return 0, s.err
		}
	default:
		s.stalls = 0
	}
	return n, err
}

// empty reports whether the input ends before its first byte, reading ahead
// one byte otherwise (replayed by Read).
func (s *source) empty() (bool, error) {
	for {
		n, err := s.Read(s.peek[:])
		if n > 0 {
			s.pre = s.peek[:n]
			return false, nil
		}
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// engine is the pooled decompressor of one encoding.
type engine interface {
	// start begins a stream read from src; io.EOF means an empty body.
	start(src *source) error
	read(p []byte) (int, error)
	// release drops all references to the stream and returns the engine
	// to its pool.
	release()
}

// decoder undoes one encoding. Chained encodings are decoders reading from
// decoders; inner is closed together with the outer layer.
type decoder struct {
	mu     sync.Mutex
	busy   bool // a Read is in progress
	closed bool
	enc    encoding
	inner  *decoder
	src    source
	eng    engine
	err    error // sticky terminal error (io.EOF included)
}

func (d *decoder) Read(p []byte) (int, error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return 0, ErrClosed
	}
	if d.err != nil {
		d.mu.Unlock()
		return 0, d.err
	}
	d.busy = true
	d.mu.Unlock()

	n, err := d.read(p)

	d.mu.Lock()
	d.busy = false
	if err != nil {
		d.err = err
		d.releaseEngine() // stream over: give the state back early
	}
	if d.closed {
		d.releaseEngine()
	}
	d.mu.Unlock()
	return n, err
}

func (d *decoder) read(p []byte) (int, error) {
	if d.eng == nil {
		d.eng = getEngine(d.enc)
		if err := d.eng.start(&d.src); err != nil {
			return 0, d.classify(err)
		}
	}
	n, err := d.eng.read(p)
	if err != nil {
		err = d.classify(err)
	}
	return n, err
}

// classify passes io.EOF and errors of the input through and marks every
// other error as a decoding error, except that a gzip or deflate stream that
// stops early at the end of its input simply ends: the body's framing already
// proved the input complete, and HTTPX's zlib decoders return the data decoded
// so far without complaint. Brotli and zstd streams cut short stay errors, as
// in HTTPX (its zstd decoder raises "incomplete"; its brotli decoder does too
// when running on brotlicffi).
func (d *decoder) classify(err error) error {
	if d.src.err != nil {
		return d.src.err
	}
	if err == io.EOF {
		return io.EOF
	}
	if err == io.ErrUnexpectedEOF && d.src.eof && (d.enc == encGzip || d.enc == encDeflate) {
		return io.EOF
	}
	return &Error{Encoding: d.enc.String(), Err: err}
}

func (d *decoder) releaseEngine() {
	if d.eng != nil {
		d.eng.release()
		d.eng = nil
	}
	d.src = source{}
}

// Close releases the decoder state of this and all inner layers. It never
// closes the original source and always returns nil.
func (d *decoder) Close() error {
	for l := d; l != nil; l = l.inner {
		l.mu.Lock()
		if !l.closed {
			l.closed = true
			if !l.busy {
				l.releaseEngine()
			}
		}
		l.mu.Unlock()
	}
	return nil
}
