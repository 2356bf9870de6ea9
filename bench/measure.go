package main

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// rateTotals accumulates closed-loop request slices of one client: how
// many requests, in how much wall and CPU time, allocating how much in this
// process (with the server in another process, that is the client alone).
type rateTotals struct {
	ops            int64
	elapsed, cpu   time.Duration // cpu: user+system of the whole process, GC included
	bytes, mallocs uint64
}

func (t rateTotals) opsPerSec() float64   { return float64(t.ops) / t.elapsed.Seconds() }
func (t rateTotals) nsPerOp() float64     { return float64(t.elapsed.Nanoseconds()) / float64(t.ops) }
func (t rateTotals) cpuNsPerOp() float64  { return float64(t.cpu.Nanoseconds()) / float64(t.ops) }
func (t rateTotals) bytesPerOp() float64  { return float64(t.bytes) / float64(t.ops) }
func (t rateTotals) allocsPerOp() float64 { return float64(t.mallocs) / float64(t.ops) }

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runRate calls op from conc goroutines, each in a loop, for d, and adds
// the slice to t. It starts from a fresh GC, like testing.B, and counts
// allocations with MemStats.
func runRate(t *rateTotals, conc int, d time.Duration, op func() error) error {
	var (
		stop  atomic.Bool
		ops   atomic.Int64
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cpuTime()
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := int64(0)
			for !stop.Load() {
				if err := op(); err != nil {
					errMu.Lock()
					if first == nil {
						first = err
					}
					errMu.Unlock()
					stop.Store(true)
				}
				n++
			}
			ops.Add(n)
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	t.elapsed += time.Since(start)
	t.cpu += cpuTime() - cpu0
	runtime.ReadMemStats(&m1)
	t.ops += ops.Load()
	t.bytes += m1.TotalAlloc - m0.TotalAlloc
	t.mallocs += m1.Mallocs - m0.Mallocs
	return first
}

// transferTotals accumulates sequential large transfers of one client.
type transferTotals struct {
	n       int
	bytes   int64
	elapsed time.Duration
	cpu     time.Duration // this process's CPU time, GC included
	alloc   uint64        // bytes allocated
	peak    uint64        // heap high-water above the post-GC baseline, over all transfers
}

func (t transferTotals) mbPerSec() float64    { return float64(t.bytes) / t.elapsed.Seconds() / 1e6 }
func (t transferTotals) peakMiB() float64     { return float64(t.peak) / (1 << 20) }
func (t transferTotals) allocMiBPer() float64 { return float64(t.alloc) / float64(t.n) / (1 << 20) }
func (t transferTotals) cpuMsPer() float64    { return t.cpu.Seconds() * 1e3 / float64(t.n) }

// runTransfer makes one transfer of size bytes with op, sampling the heap
// meanwhile, and adds it to t.
func runTransfer(t *transferTotals, size int64, op func() (int64, error)) error {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	s := startHeapSampler()
	cpu0 := cpuTime()
	start := time.Now()
	got, err := op()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	peak := s.stop()
	runtime.ReadMemStats(&m1)
	if err == nil && got != size {
		err = errShort{got, size}
	}
	if err != nil {
		return err
	}
	t.n++
	t.bytes += size
	t.elapsed += elapsed
	t.cpu += cpu
	t.alloc += m1.TotalAlloc - m0.TotalAlloc
	t.peak = max(t.peak, peak)
	return nil
}

type errShort struct{ got, want int64 }

func (e errShort) Error() string { return fmt.Sprintf("transferred %d bytes, want %d", e.got, e.want) }

// heapSampler records the high-water mark of heap object bytes (what
// MemStats calls HeapAlloc: live objects plus garbage not yet collected)
// above the level right after a GC, every millisecond. runtime/metrics
// reads do not stop the world, unlike ReadMemStats.
type heapSampler struct {
	base uint64
	peak atomic.Uint64
	done chan struct{}
	wg   sync.WaitGroup
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapBytes(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	sample := []metrics.Sample{{Name: heapMetric}}
	runtime.GC()
	h := &heapSampler{base: heapBytes(sample), done: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := heapBytes(sample); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.done:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// stop returns the peak growth in bytes.
func (h *heapSampler) stop() uint64 {
	close(h.done)
	h.wg.Wait()
	if p := h.peak.Load(); p > h.base {
		return p - h.base
	}
	return 0
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
