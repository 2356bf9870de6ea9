package decode

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

var fuzzEncodings = [][]string{
	{"gzip"}, {"deflate"}, {"br"}, {"zstd"}, {"gzip, br"}, {"deflate", "zstd"}, {"identity"},
}

// FuzzNewReader feeds arbitrary bytes to every decoder: it must never panic,
// every error must be a decoding error (or the size limit), and streaming
// byte by byte must agree with decoding in one go.
// Run: go test -run XXX -fuzz FuzzNewReader -fuzztime 1m ./internal/decode/
func FuzzNewReader(f *testing.F) {
	text := []byte("fuzzing the content decoders, fuzzing the content decoders")
	for i, enc := range []func(testing.TB, []byte) []byte{gzipData, zlibData, brotliData, zstdData} {
		data := enc(f, text)
		f.Add(data, uint8(i))
		f.Add(data[:len(data)/2], uint8(i))
	}
	f.Add(rawDeflateData(f, text), uint8(1))
	f.Add(brotliData(f, gzipData(f, text)), uint8(4))
	f.Add([]byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		ce := fuzzEncodings[int(which)%len(fuzzEncodings)]
		const limit = 1 << 20
		whole, err1 := io.ReadAll(NewLimitedReader(bytes.NewReader(data), ce, limit))
		checkFuzzErr(t, err1)
		r := NewLimitedReader(iotest.OneByteReader(bytes.NewReader(data)), ce, limit)
		streamed, err2 := io.ReadAll(r)
		checkFuzzErr(t, err2)
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		// Success must agree exactly; on failure each output is a prefix of
		// the same decoded stream, though how much precedes the error
		// depends on the chunking.
		short, long := whole, streamed
		if len(short) > len(long) {
			short, long = long, short
		}
		if (err1 == nil) != (err2 == nil) || !bytes.HasPrefix(long, short) ||
			err1 == nil && len(whole) != len(streamed) {
			t.Fatalf("whole (%d bytes, %v) != streamed (%d bytes, %v)", len(whole), err1, len(streamed), err2)
		}
		if err1 == nil {
			dec, err := Decode(data, ce)
			if err != nil || !bytes.Equal(dec, whole) {
				t.Fatalf("Decode disagrees: %v", err)
			}
		}
	})
}

func checkFuzzErr(t *testing.T, err error) {
	if err != nil && !errors.Is(err, ErrDecoding) && !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error is neither ErrDecoding nor ErrTooLarge: %#v", err)
	}
}

func BenchmarkGzipReader(b *testing.B) {
	data := gzipData(b, payload(64<<10))
	b.SetBytes(64 << 10)
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), []string{"gzip"})
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func benchmarkEncoding(b *testing.B, ce string) {
	data := encoders[ce](b, payload(64<<10))
	b.SetBytes(64 << 10)
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), []string{ce})
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func BenchmarkDeflateReader(b *testing.B) { benchmarkEncoding(b, "deflate") }
func BenchmarkBrotliReader(b *testing.B)  { benchmarkEncoding(b, "br") }
func BenchmarkZstdReader(b *testing.B)    { benchmarkEncoding(b, "zstd") }

func BenchmarkDecodeGzip(b *testing.B) {
	data := gzipData(b, payload(64<<10))
	b.SetBytes(64 << 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data, []string{"gzip"}); err != nil {
			b.Fatal(err)
		}
	}
}
