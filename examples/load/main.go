// Command load sends many requests from many goroutines through one client
// to a loopback server that injects faults into a share of its answers,
// then prints what happened: every request must either succeed or fail with
// a typed error, the pool must stay within its limits, and goroutines and
// memory must return to their baseline once the client is closed.
//
//	go run ./examples/load -n 10000 -c 64 -faults 0.05
package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohttpx/httpx"
)

// faults a server can inject. A reset before any byte of the answer is
// usually retried by net/http on a fresh connection (the request is an
// idempotent GET), so the caller sees a success; the others surface as
// ErrRead, ErrReadTimeout, ErrRemoteProtocol and ErrDecoding.
var faults = []struct {
	name  string
	serve func(w http.ResponseWriter, r *http.Request)
}{
	{"reset before headers", func(w http.ResponseWriter, r *http.Request) { reset(w) }},
	{"reset mid-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		reset(w)
	}},
	{"stall past the read timeout", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(500 * time.Millisecond):
		case <-r.Context().Done():
		}
	}},
	{"malformed status line", func(w http.ResponseWriter, r *http.Request) {
		raw(w, "HTTP/1.1 TWO HUNDRED\r\n\r\n")
	}},
	{"truncated body", func(w http.ResponseWriter, r *http.Request) {
		raw(w, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this")
	}},
	{"corrupt gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write([]byte("\x1f\x8b\x08\x00not really gzip"))
	}},
}

func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST instead of FIN
	}
	conn.Close()
}

func raw(w http.ResponseWriter, s string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	buf.WriteString(s)
	buf.Flush()
	conn.Close()
}

func main() {
	n := flag.Int("n", 10000, "requests in all")
	concurrency := flag.Int("c", 64, "goroutines sending")
	share := flag.Float64("faults", 0.05, "share of answers with an injected fault")
	maxConns := flag.Int("max-connections", 32, "the client's pool limit")
	flag.Parse()

	var injected [8]atomic.Int64
	body := make([]byte, 4096)
	var gz []byte
	{
		pr, pw := io.Pipe()
		go func() { zw := gzip.NewWriter(pw); zw.Write(body); zw.Close(); pw.Close() }()
		gz, _ = io.ReadAll(pr)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rand.Float64() < *share {
			i := rand.IntN(len(faults))
			injected[i].Add(1)
			faults[i].serve(w, r)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz)
	}))

	runtime.GC()
	baseGoroutines := runtime.NumGoroutine()
	var baseMem runtime.MemStats
	runtime.ReadMemStats(&baseMem)

	transport := &httpx.HTTPTransport{Limits: httpx.Limits{MaxConnections: *maxConns}}
	client := httpx.NewClient(
		httpx.WithTransport(transport),
		httpx.WithTimeout(httpx.Timeouts(2*time.Second).WithRead(200*time.Millisecond).WithPool(10*time.Second)),
	)

	var (
		ok, typed, untyped atomic.Int64
		kindsMu            sync.Mutex
		kinds              = map[string]int{}
		peakConns          atomic.Int64
		done               = make(chan struct{})
		next               atomic.Int64
	)
	go func() { // sample the pool while the load runs
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
				if c := int64(transport.Stats().Connections); c > peakConns.Load() {
					peakConns.Store(c)
				}
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for range *concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(*n) {
				r, err := client.Get(context.Background(), srv.URL+"/")
				if err == nil {
					b, _ := r.Content()
					if len(b) != len(body) {
						untyped.Add(1)
						continue
					}
					ok.Add(1)
					continue
				}
				var re *httpx.RequestError
				if !errors.As(err, &re) || !errors.Is(err, httpx.ErrRequest) {
					untyped.Add(1)
					log.Printf("untyped error: %v", err)
					continue
				}
				typed.Add(1)
				kindsMu.Lock()
				kinds[re.Kind().Error()]++
				kindsMu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(done)
	client.Close()
	srv.Close()

	// Let connections and their goroutines wind down, then compare.
	var goroutines int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		runtime.GC()
		if goroutines = runtime.NumGoroutine(); goroutines <= baseGoroutines {
			break
		}
	}
	for range 3 { // sync.Pools (pooled decoders) empty over two collections
		runtime.GC()
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)

	fmt.Printf("requests:      %d from %d goroutines in %v (%.0f req/s)\n", *n, *concurrency, elapsed.Round(time.Millisecond), float64(*n)/elapsed.Seconds())
	var faultsTotal int64
	for i := range faults {
		faultsTotal += injected[i].Load()
	}
	fmt.Printf("faults:        %d injected (%.1f%%)\n", faultsTotal, 100*float64(faultsTotal)/float64(*n))
	for i, f := range faults {
		fmt.Printf("  %-28s %d\n", f.name, injected[i].Load())
	}
	fmt.Printf("succeeded:     %d\n", ok.Load())
	fmt.Printf("typed errors:  %d\n", typed.Load())
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Printf("  %-28s %d\n", k, kinds[k])
	}
	fmt.Printf("untyped:       %d\n", untyped.Load())
	fmt.Printf("pool:          peak %d connections (limit %d)\n", peakConns.Load(), *maxConns)
	fmt.Printf("goroutines:    %d before, %d after\n", baseGoroutines, goroutines)
	fmt.Printf("heap in use:   %.1f MiB before, %.1f MiB after\n", float64(baseMem.HeapInuse)/(1<<20), float64(mem.HeapInuse)/(1<<20))

	const memSlack = 1 << 20 // allocator caches and the like
	failed := untyped.Load() > 0 || ok.Load()+typed.Load() != int64(*n) || peakConns.Load() > int64(*maxConns) ||
		goroutines > baseGoroutines || mem.HeapInuse > baseMem.HeapInuse+memSlack
	if failed {
		fmt.Println("FAIL")
		os.Exit(1)
	}
	fmt.Println("PASS")
}
