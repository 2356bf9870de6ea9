package multipart

import (
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genReader produces n synthetic bytes without holding them, and samples the
// heap as it goes so that a test can see the peak during a copy.
type genReader struct {
	remaining int64
	sinceLast int64
	peak      uint64
}

const sampleEvery = 4 << 20

func (g *genReader) Read(p []byte) (int, error) {
	if g.remaining == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.remaining {
		p = p[:g.remaining]
	}
	for i := range p {
		p[i] = byte(i)
	}
	g.remaining -= int64(len(p))
	g.sinceLast += int64(len(p))
	if g.sinceLast >= sampleEvery {
		g.sinceLast = 0
		g.sample()
	}
	return len(p), nil
}

func (g *genReader) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	g.peak = max(g.peak, ms.HeapInuse)
}

// streamLarge encodes a size-byte synthetic file into io.Discard and returns
// the bytes copied and the peak growth of HeapInuse over the starting heap.
func streamLarge(t testing.TB, size int64) (copied int64, growth uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse

	gen := &genReader{remaining: size}
	b, err := New([]Field{{"name", "big"}}, []File{{Field: "file", Filename: "big.bin", Content: gen}}, "")
	require.NoError(t, err)
	copied, err = io.Copy(io.Discard, b.Reader())
	require.NoError(t, err)
	gen.sample()
	if gen.peak > base {
		growth = gen.peak - base
	}
	return copied, growth
}

// TestLargeUploadMemory checks that memory stays flat however large the
// file is: the body must never hold file data beyond the caller's buffer.
func TestLargeUploadMemory(t *testing.T) {
	const size = 64 << 20
	copied, growth := streamLarge(t, size)
	assert.Greater(t, copied, int64(size))
	assert.Less(t, growth, uint64(4<<20), "peak heap growth %d bytes", growth)
	t.Logf("streamed %d MiB, peak HeapInuse growth %d KiB", size>>20, growth>>10)
}

// BenchmarkLargeUpload streams a 256 MiB synthetic file through Reader and
// reports the peak HeapInuse growth seen during the copy.
func BenchmarkLargeUpload(b *testing.B) {
	const size = 256 << 20
	b.ReportAllocs()
	b.SetBytes(size)
	var worst uint64
	for i := 0; i < b.N; i++ {
		_, growth := streamLarge(b, size)
		worst = max(worst, growth)
	}
	b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MiB")
	if worst > 4<<20 {
		b.Fatalf("peak heap growth %d bytes", worst)
	}
}
