package decode

import (
	"bufio"
	"encoding/binary"
	"hash"
	"hash/adler32"
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// The gzip and deflate engines use klauspost/compress's drop-in flate and gzip
// packages: they reuse their Huffman tables across Reset (the standard
// library allocates them per block, ~40 allocations per 64 KiB body) and are
// about 25% faster.

// bufSize is the read-ahead buffer of the flate-based engines.
const bufSize = 16 << 10

// zstdMaxWindow is libzstd's default window limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT
// = 27), which python-zstandard and so HTTPX enforce: frames asking for a
// larger window are rejected instead of allocating it.
const zstdMaxWindow = 1 << 27

var (
	gzipPool  = sync.Pool{New: func() any { return &gzipEngine{br: bufio.NewReaderSize(nil, bufSize)} }}
	flatePool = sync.Pool{New: func() any { return newFlateEngine() }}
	brPool    = sync.Pool{New: func() any { return &brEngine{r: brotli.NewReader(nil)} }}
	zstdPool  = sync.Pool{New: func() any { return &zstdEngine{} }}
)

func getEngine(e encoding) engine {
	switch e {
	case encGzip:
		return gzipPool.Get().(*gzipEngine)
	case encDeflate:
		return flatePool.Get().(*flateEngine)
	case encBrotli:
		return brPool.Get().(*brEngine)
	default:
		return zstdPool.Get().(*zstdEngine)
	}
}

// drain consumes the rest of br. Like HTTPX, which feeds the whole body to
// zlib and ignores what follows the compressed stream, data after the end of
// a gzip or deflate stream is skipped rather than reported; reading it keeps
// the connection reusable and surfaces network errors as HTTPX would.
func drain(br *bufio.Reader) error {
	_, err := br.WriteTo(io.Discard)
	return err
}

// gzipEngine decodes gzip, including multi-member streams (RFC 1952 allows
// concatenation; Go's gzip package reads them too). Bytes after the last
// member that do not start another member are ignored, as HTTPX does.
type gzipEngine struct {
	br *bufio.Reader
	zr gzip.Reader
}

func (g *gzipEngine) start(src *source) error {
	g.br.Reset(src)
	if err := g.checkShortHeader(); err != nil {
		return err
	}
	if err := g.zr.Reset(g.br); err != nil {
		return err // io.EOF: empty body
	}
	g.zr.Multistream(false)
	return nil
}

// gzipHeaderLen is the size of a gzip member's fixed header.
const gzipHeaderLen = 10

// checkShortHeader rejects input that ends before a whole fixed header when
// the bytes it has already cannot start one. The gzip reader reads the ten
// bytes before checking any, so a short body of plain text would otherwise
// count as truncated gzip (decoded to nothing) rather than as corrupt, as
// zlib, checking byte by byte, finds it.
func (g *gzipEngine) checkShortHeader() error {
	h, _ := g.br.Peek(gzipHeaderLen)
	if len(h) == gzipHeaderLen {
		return nil
	}
	for i, c := range h {
		if i == 0 && c != 0x1f || i == 1 && c != 0x8b || i == 2 && c != 8 || i == 3 && c&0xe0 != 0 {
			return gzip.ErrHeader
		}
	}
	return nil
}

func (g *gzipEngine) read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		// End of a member: another member, trailing garbage or the end.
		next, perr := g.br.Peek(2)
		if len(next) == 2 && next[0] == 0x1f && next[1] == 0x8b {
			if err := g.checkShortHeader(); err != nil {
				return n, err
			}
			if err := g.zr.Reset(g.br); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return n, err
			}
			g.zr.Multistream(false)
			if n > 0 || len(p) == 0 {
				return n, nil
			}
			continue
		}
		if perr != nil && perr != io.EOF {
			return n, perr
		}
		if err := drain(g.br); err != nil {
			return n, err
		}
		return n, io.EOF
	}
}

func (g *gzipEngine) release() {
	g.br.Reset(nil)
	gzipPool.Put(g)
}

// flateEngine decodes "deflate", which RFC 9110 defines as zlib-wrapped but
// which some servers send raw. Like HTTPX (zlib first, raw deflate when that
// fails at once), a stream whose first two bytes are not a valid zlib header
// is decoded as raw deflate.
type flateEngine struct {
	br   *bufio.Reader
	fr   io.ReadCloser // flate decompressor, a flate.Resetter
	sum  hash.Hash32
	zlib bool
}

func newFlateEngine() *flateEngine {
	br := bufio.NewReaderSize(nil, bufSize)
	return &flateEngine{br: br, fr: flate.NewReader(br), sum: adler32.New()}
}

// zlibHeader reports whether h is a zlib header this decoder accepts: deflate
// method, window <= 32 KiB, check bits valid and no preset dictionary (zlib
// cannot decode such streams without the dictionary, so HTTPX falls back to
// raw deflate for them too).
func zlibHeader(h []byte) bool {
	return h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 && h[1]&0x20 == 0
}

func (f *flateEngine) start(src *source) error {
	f.br.Reset(src)
	h, err := f.br.Peek(2)
	if len(h) < 2 {
		if err == io.EOF && len(h) == 1 {
			err = io.ErrUnexpectedEOF
		}
		return err // io.EOF: empty body
	}
	f.zlib = zlibHeader(h)
	if f.zlib {
		_, _ = f.br.Discard(2)
		f.sum.Reset()
	}
	return f.fr.(flate.Resetter).Reset(f.br, nil)
}

func (f *flateEngine) read(p []byte) (int, error) {
	n, err := f.fr.Read(p)
	if f.zlib {
		_, _ = f.sum.Write(p[:n])
	}
	if err != io.EOF {
		return n, err
	}
	if f.zlib {
		var trailer [4]byte
		if _, err := io.ReadFull(f.br, trailer[:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
		if binary.BigEndian.Uint32(trailer[:]) != f.sum.Sum32() {
			return n, zlib.ErrChecksum
		}
	}
	if err := drain(f.br); err != nil {
		return n, err
	}
	return n, io.EOF
}

func (f *flateEngine) release() {
	f.br.Reset(nil)
	flatePool.Put(f)
}

// brEngine decodes Brotli. Bytes after the end of the stream are ignored,
// as for gzip and deflate: the brotli reader's "excessive input" check
// depends on how the input was chunked (it can flag bytes of its internal
// look-ahead buffer that belong to the stream), so honouring it would make
// the same body decode or fail depending on network reads.
type brEngine struct {
	r   *brotli.Reader
	src *source
}

func (b *brEngine) start(src *source) error {
	// The brotli reader treats an empty input as truncated; HTTPX decodes
	// an empty body to nothing.
	if empty, err := src.empty(); empty || err != nil {
		if empty {
			return io.EOF
		}
		return err
	}
	b.src = src
	return b.r.Reset(src)
}

func (b *brEngine) read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err.Error() == "brotli: excessive input" {
		// The stream is complete and all its output delivered.
		if _, err := io.Copy(io.Discard, b.src); err != nil {
			return n, err
		}
		return n, io.EOF
	}
	return n, err
}

func (b *brEngine) release() {
	_ = b.r.Reset(nil)
	b.src = nil
	brPool.Put(b)
}

// zstdEngine decodes Zstandard, including concatenated and skippable frames.
// The decoder runs synchronously (concurrency 1), so it starts no goroutines
// and a pooled decoder that is dropped needs no Close.
type zstdEngine struct {
	d *zstd.Decoder
}

func (z *zstdEngine) start(src *source) error {
	if z.d == nil {
		d, err := zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(zstdMaxWindow),
			zstd.WithDecoderLowmem(true))
		if err != nil {
			return err
		}
		z.d = d
	}
	return z.d.Reset(src)
}

func (z *zstdEngine) read(p []byte) (int, error) { return z.d.Read(p) }

func (z *zstdEngine) release() {
	if z.d != nil {
		_ = z.d.Reset(nil)
	}
	zstdPool.Put(z)
}
