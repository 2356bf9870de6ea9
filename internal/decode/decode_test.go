package decode

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAllClose(t *testing.T, r io.ReadCloser) ([]byte, error) {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, r.Close())
	return b, err
}

func TestSupported(t *testing.T) {
	assert.Equal(t, "gzip, deflate, br, zstd", Supported)
	for _, tok := range strings.Split(Supported, ", ") {
		assert.True(t, Encoded([]string{tok}), tok)
	}
}

func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 100, 70000, 300000}
	for name, enc := range encoders {
		for _, n := range sizes {
			want := payload(n)
			data := enc(t, want)
			readers := map[string]func(io.Reader) io.Reader{
				"whole":   func(r io.Reader) io.Reader { return r },
				"onebyte": iotest.OneByteReader,
				"half":    iotest.HalfReader,
				"dataerr": iotest.DataErrReader,
			}
			for rname, wrap := range readers {
				if n > 100000 && rname == "onebyte" {
					continue // slow under -race, and 70000 covers it
				}
				got, err := readAllClose(t, NewReader(wrap(bytes.NewReader(data)), []string{name}))
				require.NoError(t, err, "%s/%d/%s", name, n, rname)
				require.Equal(t, len(want), len(got), "%s/%d/%s", name, n, rname)
				require.True(t, bytes.Equal(want, got), "%s/%d/%s", name, n, rname)
			}
			got, err := Decode(data, []string{name})
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, got), "%s/%d Decode", name, n)
		}
	}
}

func TestEmptyBody(t *testing.T) {
	for _, ce := range []string{"gzip", "deflate", "br", "zstd", "gzip, br, zstd, deflate"} {
		got, err := readAllClose(t, NewReader(bytes.NewReader(nil), []string{ce}))
		require.NoError(t, err, ce)
		assert.Empty(t, got, ce)
		got, err = Decode([]byte{}, []string{ce})
		require.NoError(t, err, ce)
		assert.Empty(t, got, ce)
	}
}

func TestHeaderParsing(t *testing.T) {
	text := []byte("hello, world")
	gz := gzipData(t, text)
	tests := []struct {
		name    string
		ce      []string
		body    []byte
		want    []byte
		encoded bool
	}{
		{"nil header", nil, text, text, false},
		{"empty value", []string{""}, text, text, false},
		{"identity", []string{"identity"}, text, text, false},
		{"unknown passes through", []string{"x-custom"}, text, text, false},
		{"compress is unknown", []string{"compress"}, text, text, false},
		{"only commas", []string{" , ,"}, text, text, false},
		{"gzip", []string{"gzip"}, gz, text, true},
		{"upper case", []string{"GZIP"}, gz, text, true},
		{"spaces", []string{"  gzip  "}, gz, text, true},
		{"identity and gzip", []string{"identity, gzip"}, gz, text, true},
		{"unknown and gzip", []string{"gzip, x-custom"}, gz, text, true},
		{"empty tokens", []string{",gzip,,"}, gz, text, true},
		{"second header value", []string{"identity", "gzip"}, gz, text, true},
		{"br then gzip applied", []string{"gzip", "br"}, brotliData(t, gz), text, true},
		{"one value two codings", []string{"gzip, br"}, brotliData(t, gz), text, true},
		{"deflate zstd", []string{"Deflate ,ZSTD"}, zstdData(t, zlibData(t, text)), text, true},
		{"gzip twice", []string{"gzip", "gzip"}, gzipData(t, gz), text, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.encoded, Encoded(tc.ce))
			got, err := readAllClose(t, NewReader(bytes.NewReader(tc.body), tc.ce))
			require.NoError(t, err)
			assert.Equal(t, string(tc.want), string(got))
			got, err = Decode(tc.body, tc.ce)
			require.NoError(t, err)
			assert.Equal(t, string(tc.want), string(got))
		})
	}
}

func TestPassThroughIsSource(t *testing.T) {
	src := bytes.NewReader([]byte("abc"))
	r := NewReader(src, []string{"identity"})
	_, isDecoder := r.(*decoder)
	assert.False(t, isDecoder)
	_, isWriterTo := r.(io.WriterTo) // io.NopCloser keeps WriteTo
	assert.True(t, isWriterTo)
	b := []byte("abc")
	got, err := Decode(b, nil)
	require.NoError(t, err)
	assert.Same(t, &b[0], &got[0], "Decode without encoding returns its input")
}

func TestTooManyEncodings(t *testing.T) {
	ce := []string{"gzip, gzip, gzip, gzip, gzip, gzip"}
	assert.True(t, Encoded(ce))
	_, err := io.ReadAll(NewReader(bytes.NewReader(nil), ce))
	require.ErrorIs(t, err, ErrDecoding)
	assert.Contains(t, err.Error(), "too many content encodings")
	_, err = Decode(nil, ce)
	require.ErrorIs(t, err, ErrDecoding)

	five := gzipData(t, gzipData(t, gzipData(t, gzipData(t, gzipData(t, []byte("x"))))))
	got, err := Decode(five, []string{"gzip,gzip,gzip,gzip,gzip"})
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
}

func TestDeflate(t *testing.T) {
	text := []byte("deflate me, deflate me")
	z := zlibData(t, text)
	badSum := bytes.Clone(z)
	badSum[len(badSum)-1] ^= 1
	dict := []byte{0x78, 0xbb} // valid check bits but FDICT set
	tests := []struct {
		name    string
		body    []byte
		want    string
		wantErr bool
	}{
		{"zlib wrapped", z, string(text), false},
		{"raw deflate", rawDeflateData(t, text), string(text), false},
		{"raw deflate of empty", rawDeflateData(t, nil), "", false},
		{"zlib trailing garbage ignored", append(bytes.Clone(z), "garbage"...), string(text), false},
		{"raw trailing garbage ignored", append(rawDeflateData(t, text), 0, 1, 2), string(text), false},
		{"bad checksum", badSum, "", true},
		// A stream that stops early yields what it decoded, as zlib's
		// decompressobj does for HTTPX.
		{"missing checksum", z[:len(z)-4], string(text), false},
		{"partial checksum", z[:len(z)-2], string(text), false},
		{"header only", z[:2], "", false},
		{"single byte", z[:1], "", false},
		// Raw deflate, it is a stored block whose lengths disagree.
		{"preset dictionary is raw", append(dict, 0xff, 0xff, 0xff, 0xff), "", true},
		{"garbage", []byte("this is not deflate"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllClose(t, NewReader(bytes.NewReader(tc.body), []string{"deflate"}))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrDecoding)
				var de *Error
				require.ErrorAs(t, err, &de)
				assert.Equal(t, "deflate", de.Encoding)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
	_, err := Decode(badSum, []string{"deflate"})
	var de *Error
	require.ErrorAs(t, err, &de)
	assert.EqualError(t, de.Err, "zlib: invalid checksum")
}

func TestGzip(t *testing.T) {
	a, b := gzipData(t, []byte("first ")), gzipData(t, []byte("second"))
	badCRC := bytes.Clone(a)
	badCRC[len(badCRC)-5] ^= 1
	tests := []struct {
		name    string
		body    []byte
		want    string
		wantErr bool
	}{
		{"single member", a, "first ", false},
		{"multistream", append(bytes.Clone(a), b...), "first second", false},
		{"trailing garbage ignored", append(bytes.Clone(a), "junk"...), "first ", false},
		{"trailing zero padding ignored", append(bytes.Clone(a), 0, 0, 0, 0), "first ", false},
		{"trailing lone magic byte ignored", append(bytes.Clone(a), 0x1f), "first ", false},
		// A stream that stops early yields what it decoded, as zlib's
		// decompressobj does for HTTPX.
		{"truncated second member", append(bytes.Clone(a), b[:5]...), "first ", false},
		{"second member bad header", append(bytes.Clone(a), 0x1f, 0x8b, 0x07, 0, 0, 0, 0, 0, 0, 0), "", true},
		{"missing trailer", a[:len(a)-8], "first ", false},
		{"truncated trailer", a[:len(a)-3], "first ", false},
		{"truncated header", a[:4], "", false},
		// Too short for a header but already not one: corrupt, not cut.
		{"short garbage", []byte("abc"), "", true},
		{"short header with bad method", []byte{0x1f, 0x8b, 7}, "", true},
		{"short header with reserved flags", []byte{0x1f, 0x8b, 8, 0xe0}, "", true},
		{"short bad second member", append(bytes.Clone(a), 0x1f, 0x8b, 0x07), "", true},
		{"bad crc", badCRC, "", true},
		{"not gzip", []byte("plain text body"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllClose(t, NewReader(iotest.HalfReader(bytes.NewReader(tc.body)), []string{"gzip"}))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrDecoding)
				assert.NotErrorIs(t, err, io.ErrUnexpectedEOF)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
			got, err = Decode(tc.body, []string{"gzip"})
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestTruncatedStream checks that a gzip or deflate stream cut anywhere
// after its header yields a prefix of the data, growing with the cut, and no
// error: the body's framing said it was complete, and HTTPX's zlib decoders
// return what they have. Brotli and zstd streams cut short stay errors.
func TestTruncatedStream(t *testing.T) {
	want := payload(70000)
	lenient := map[string]func(testing.TB, []byte) []byte{
		"gzip":        gzipData,
		"deflate":     zlibData,
		"raw deflate": rawDeflateData,
	}
	for name, enc := range lenient {
		data := enc(t, want)
		token := strings.Fields(name)[len(strings.Fields(name))-1]
		prev := -1
		for _, cut := range []int{len(data) / 4, len(data) / 2, 3 * len(data) / 4, len(data) - 9} {
			got, err := readAllClose(t, NewReader(iotest.HalfReader(bytes.NewReader(data[:cut])), []string{token}))
			require.NoError(t, err, "%s cut at %d of %d", name, cut, len(data))
			require.True(t, bytes.HasPrefix(want, got), "%s cut at %d: a prefix of the data", name, cut)
			assert.Greater(t, len(got), prev, "%s cut at %d: more input, more output", name, cut)
			prev = len(got)

			whole, err := Decode(data[:cut], []string{token})
			require.NoError(t, err, "%s Decode cut at %d", name, cut)
			assert.Equal(t, got, whole, "%s Decode cut at %d", name, cut)
		}
	}
	for _, name := range []string{"br", "zstd"} {
		data := encoders[name](t, want)
		_, err := readAllClose(t, NewReader(bytes.NewReader(data[:len(data)/2]), []string{name}))
		require.ErrorIs(t, err, ErrDecoding, name)
	}
}

func TestBrotli(t *testing.T) {
	text := bytes.Repeat([]byte("brotli "), 50)
	br := brotliData(t, text)
	for name, body := range map[string][]byte{
		"trailing data":    append(bytes.Clone(br), 'x'),
		"trailing garbage": append(bytes.Clone(br), "more than a byte"...),
	} {
		got, err := readAllClose(t, NewReader(iotest.OneByteReader(bytes.NewReader(body)), []string{"br"}))
		require.NoError(t, err, name)
		assert.Equal(t, text, got, name)
		got, err = Decode(body, []string{"br"})
		require.NoError(t, err, name)
		assert.Equal(t, text, got, name)
	}
	for name, body := range map[string][]byte{
		"truncated": br[:len(br)-2],
		"garbage":   []byte("\xff\xff\xff\xff not brotli"),
	} {
		_, err := Decode(body, []string{"br"})
		require.ErrorIs(t, err, ErrDecoding, name)
		assert.Contains(t, err.Error(), "br: ", name)
	}
}

func TestZstd(t *testing.T) {
	a, b := zstdData(t, []byte("frame one, ")), zstdData(t, []byte("frame two"))
	skippable := []byte{0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'}
	// Hand-made frames: a raw last block holding "a", with a window
	// descriptor of 2^27 (the limit) and 2^28 (over it).
	window := func(desc byte) []byte {
		return []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, desc, 0x09, 0x00, 0x00, 'a'}
	}
	tests := []struct {
		name    string
		body    []byte
		want    string
		wantErr bool
	}{
		{"concatenated frames", append(bytes.Clone(a), b...), "frame one, frame two", false},
		{"skippable frame", append(append(bytes.Clone(skippable), a...), skippable...), "frame one, ", false},
		{"window at limit", window(17 << 3), "a", false},
		{"window over limit", window(18 << 3), "", true},
		{"truncated", a[:len(a)-1], "", true},
		{"truncated header", a[:3], "", true},
		{"truncated second frame", append(bytes.Clone(a), b[:6]...), "", true},
		{"garbage after frame", append(bytes.Clone(a), "junk"...), "", true},
		{"garbage", []byte("not zstd at all"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllClose(t, NewReader(iotest.OneByteReader(bytes.NewReader(tc.body)), []string{"zstd"}))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrDecoding)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

func TestSourceErrorsPassThrough(t *testing.T) {
	netErr := errors.New("connection reset")
	for name, enc := range encoders {
		data := enc(t, payload(50000))
		for _, srcErr := range []error{netErr, io.ErrUnexpectedEOF} {
			for _, cut := range []int{0, 1, len(data) / 2, len(data)} {
				src := &errAfter{r: bytes.NewReader(data[:cut]), err: srcErr}
				_, err := readAllClose(t, NewReader(src, []string{name}))
				require.Same(t, srcErr, err, "%s cut %d", name, cut)
				assert.NotErrorIs(t, err, ErrDecoding)
			}
		}
		// Through two layers the source error still arrives unchanged.
		outer := brotliData(t, data)
		src := &errAfter{r: bytes.NewReader(outer[:len(outer)/2]), err: netErr}
		_, err := readAllClose(t, NewReader(src, []string{name, "br"}))
		require.Same(t, netErr, err, name)
	}
}

func TestErrorsAreSticky(t *testing.T) {
	r := NewReader(strings.NewReader("not gzip"), []string{"gzip"})
	_, err1 := r.Read(make([]byte, 10))
	_, err2 := r.Read(make([]byte, 10))
	require.ErrorIs(t, err1, ErrDecoding)
	assert.Same(t, err1, err2)
	require.NoError(t, r.Close())
}

func TestClose(t *testing.T) {
	data := gzipData(t, payload(100000))
	src := &closeTracker{Reader: bytes.NewReader(data)}
	r := NewReader(src, []string{"gzip"})
	buf := make([]byte, 100)
	_, err := io.ReadFull(r, buf)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close is idempotent")
	assert.False(t, src.closed, "Close must not close the source")
	_, err = r.Read(buf)
	require.ErrorIs(t, err, ErrClosed)

	// Closing before any Read, and closing a chain, release every layer.
	r = NewReader(bytes.NewReader(nil), []string{"gzip, br"})
	require.NoError(t, r.Close())
	chain := NewReader(bytes.NewReader(brotliData(t, data)), []string{"gzip", "br"})
	_, err = io.ReadFull(chain, buf)
	require.NoError(t, err)
	require.NoError(t, chain.Close())
	for l := chain.(*decoder); l != nil; l = l.inner {
		assert.True(t, l.closed)
		assert.Nil(t, l.eng, "engine released")
	}
}

// blockingReader returns data, then blocks until released.
type blockingReader struct {
	data    []byte
	started chan struct{}
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if len(b.data) > 0 {
		n := copy(p, b.data)
		b.data = b.data[n:]
		return n, nil
	}
	close(b.started)
	<-b.release
	return 0, errors.New("aborted")
}

func TestCloseDuringRead(t *testing.T) {
	data := gzipData(t, payload(100000))
	for _, ce := range []string{"gzip", "deflate", "br", "zstd"} {
		body := encoders[ce](t, payload(100000))
		if ce == "gzip" {
			body = data
		}
		src := &blockingReader{data: body[:len(body)/2], started: make(chan struct{}), release: make(chan struct{})}
		r := NewReader(src, []string{ce})
		var wg sync.WaitGroup
		wg.Add(1)
		var readErr error
		go func() {
			defer wg.Done()
			_, readErr = io.Copy(io.Discard, r)
		}()
		<-src.started
		require.NoError(t, r.Close()) // must not block on the pending Read
		close(src.release)
		wg.Wait()
		// The pending Read fails with the source's error, or it returns
		// data it had buffered and the next Read reports the Close.
		if !errors.Is(readErr, ErrClosed) {
			require.EqualError(t, readErr, "aborted", ce)
		}
		assert.Nil(t, r.(*decoder).eng, ce)
	}
}

func TestLimitedReader(t *testing.T) {
	text := payload(1000)
	gz := gzipData(t, text)
	tests := []struct {
		name    string
		body    []byte
		ce      []string
		limit   int64
		wantN   int
		wantErr bool
	}{
		{"under limit", gz, []string{"gzip"}, 1001, 1000, false},
		{"exactly at limit", gz, []string{"gzip"}, 1000, 1000, false},
		{"one over limit", gz, []string{"gzip"}, 999, 999, true},
		{"far over limit", gz, []string{"gzip"}, 10, 10, true},
		{"no limit", gz, []string{"gzip"}, 0, 1000, false},
		{"negative is no limit", gz, []string{"gzip"}, -1, 1000, false},
		{"unencoded body is limited too", text, nil, 500, 500, true},
		{"unencoded body under limit", text, nil, 5000, 1000, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllClose(t, NewLimitedReader(bytes.NewReader(tc.body), tc.ce, tc.limit))
			assert.Equal(t, tc.wantN, len(got))
			assert.Equal(t, text[:tc.wantN], got)
			if tc.wantErr {
				require.ErrorIs(t, err, ErrTooLarge)
				assert.NotErrorIs(t, err, ErrDecoding)
				assert.Contains(t, err.Error(), "limit")
				return
			}
			require.NoError(t, err)
		})
	}
	// A bomb: 64 gzip members of 1 MiB of zeros each is stopped early.
	bomb := bytes.Repeat(gzipData(t, make([]byte, 1<<20)), 64)
	n, err := io.Copy(io.Discard, NewLimitedReader(bytes.NewReader(bomb), []string{"gzip"}, 1<<20))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, int64(1<<20), n)
}

func TestDecodeGzipSizeHint(t *testing.T) {
	text := payload(5000)
	gz := gzipData(t, text)
	got, err := Decode(gz, []string{"gzip"})
	require.NoError(t, err)
	assert.Equal(t, text, got)
	assert.Equal(t, 5001, cap(got), "gzip ISIZE sizes the buffer")
	// A forged ISIZE only affects the initial capacity.
	forged := bytes.Clone(gz)
	copy(forged[len(forged)-4:], []byte{0xff, 0xff, 0xff, 0x7f})
	_, err = Decode(forged, []string{"gzip"})
	require.ErrorIs(t, err, ErrDecoding)
}

func TestPoolReuseAcrossErrors(t *testing.T) {
	for name, enc := range encoders {
		good := payload(20000)
		data := enc(t, good)
		for i := 0; i < 20; i++ {
			// A gzip or deflate stream cut short is not an error, so
			// those are broken in their checksum instead.
			bad := data[:len(data)-1-i]
			switch name {
			case "gzip":
				bad = bytes.Clone(data)
				bad[len(bad)-5-i%4] ^= 1
			case "deflate":
				bad = bytes.Clone(data)
				bad[len(bad)-1-i%4] ^= 1
			}
			_, err := Decode(bad, []string{name})
			require.ErrorIs(t, err, ErrDecoding, name)
			got, err := Decode(data, []string{name})
			require.NoError(t, err, name)
			require.True(t, bytes.Equal(good, got), name)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Decode([]byte("xx"), []string{"gzip"})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "decode: invalid encoded content: gzip: "), err.Error())
}

// stuck returns no data and no error forever.
type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }

func TestStuckSource(t *testing.T) {
	for _, ce := range []string{"gzip", "deflate", "br", "zstd"} {
		_, err := io.ReadAll(NewReader(stuck{}, []string{ce}))
		require.ErrorIs(t, err, io.ErrNoProgress, ce)
	}
}

func TestLimitedReaderHugeLimit(t *testing.T) {
	got, err := readAllClose(t, NewLimitedReader(strings.NewReader("abc"), nil, 1<<63-1))
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
}
