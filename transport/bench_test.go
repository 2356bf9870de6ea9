package transport_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/gohttpx/httpx/transport"
)

// roundTrip sends req through a net/http RoundTripper and reads the body.
func roundTrip(b *testing.B, rt func(*http.Request) (*http.Response, error), req *http.Request) {
	resp, err := rt(req)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
}

// BenchmarkEngineLoopback compares a small GET through the Engine with one
// through a bare http.Transport, on HTTP/1.1, with the same four header
// fields (HTTPX's defaults) sent by both.
func BenchmarkEngineLoopback(b *testing.B) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}))
	defer s.Close()
	host := s.Listener.Addr().String()
	fields := []string{"Host", host, "Accept", "*/*", "Accept-Encoding", "gzip, deflate", "Connection", "keep-alive", "User-Agent", "gohttpx/bench"}
	bare := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1000}
	defer bare.CloseIdleConnections()
	e, err := transport.NewEngine(transport.Config{MaxConns: 1000})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	timeouts := transport.Timeouts{Connect: 5 * time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Pool: 5 * time.Second}
	engineGet := func(b *testing.B, req *transport.Request) {
		resp, err := e.Do(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	newReq := func() *transport.Request {
		return &transport.Request{Method: "GET", Scheme: "http", Addr: host, Target: "/", Header: transport.FieldList(fields), Timeouts: timeouts}
	}
	netReq := func() *http.Request {
		req, _ := http.NewRequest("GET", s.URL, nil)
		for i := 2; i < len(fields); i += 2 {
			req.Header.Set(fields[i], fields[i+1])
		}
		return req
	}
	b.Run("net-http/sequential", func(b *testing.B) {
		b.ReportAllocs()
		req := netReq()
		for b.Loop() {
			roundTrip(b, bare.RoundTrip, req)
		}
	})
	b.Run("engine/sequential", func(b *testing.B) {
		b.ReportAllocs()
		req := newReq()
		for b.Loop() {
			engineGet(b, req)
		}
	})
	b.Run("net-http/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req := netReq()
			for pb.Next() {
				roundTrip(b, bare.RoundTrip, req)
			}
		})
	})
	b.Run("engine/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req := newReq()
			for pb.Next() {
				engineGet(b, req)
			}
		})
	})
}

// BenchmarkEngineIdleConnMemory reports the heap an idle pooled HTTP/1.1
// connection holds on the client, for the Engine and for net/http's
// Transport (whose figure includes its reader and writer goroutines'
// buffers but not their stacks).
func BenchmarkEngineIdleConnMemory(b *testing.B) {
	const conns = 200
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer s.Close()
	host := s.Listener.Addr().String()
	measure := func(b *testing.B, open func(n int) func()) {
		for b.Loop() {
			var before, after runtime.MemStats
			// Two collections: the first moves sync.Pool contents to the
			// victim cache, the second frees them.
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&before)
			release := open(conns)
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/conns, "heapB/idle-conn")
			b.ReportMetric(float64(after.StackInuse-before.StackInuse)/conns, "stackB/idle-conn")
			release()
		}
	}
	b.Run("engine", func(b *testing.B) {
		measure(b, func(n int) func() {
			e, err := transport.NewEngine(transport.Config{MaxConns: n, MaxIdleConns: n})
			if err != nil {
				b.Fatal(err)
			}
			var resps []*transport.Response
			for range n {
				resp, err := e.Do(context.Background(), &transport.Request{Method: "GET", Scheme: "http", Addr: host, Target: "/", Header: transport.FieldList{"Host", host}})
				if err != nil {
					b.Fatal(err)
				}
				resps = append(resps, resp)
			}
			for _, r := range resps {
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
			return func() { e.Close() }
		})
	})
	b.Run("net-http", func(b *testing.B) {
		measure(b, func(n int) func() {
			tr := &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true}
			var resps []*http.Response
			for range n {
				req, _ := http.NewRequest("GET", s.URL, nil)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				resps = append(resps, resp)
			}
			for _, r := range resps {
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
			return tr.CloseIdleConnections
		})
	})
}

// BenchmarkEngineHTTP2 compares a small GET over HTTP/2 (TLS, in process)
// through the Engine, with and without timeouts, against net/http's
// Transport and x/net/http2's, from 64 goroutines.
func BenchmarkEngineHTTP2(b *testing.B) {
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}))
	s.EnableHTTP2 = true
	s.StartTLS()
	defer s.Close()
	tlsCfg := s.Client().Transport.(*http.Transport).TLSClientConfig
	bare := &http.Transport{DisableCompression: true, TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true}
	defer bare.CloseIdleConnections()
	e, err := transport.NewEngine(transport.Config{HTTP1: true, HTTP2: true, TLSConfig: tlsCfg, MaxConns: 100})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	addr := s.Listener.Addr().String()
	timeouts := transport.Timeouts{Connect: 5 * time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Pool: 5 * time.Second}
	engine := func(to transport.Timeouts) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(32)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := &transport.Request{Method: "GET", Scheme: "https", Addr: addr, Target: "/", Header: transport.FieldList{"Host", addr, "User-Agent", "bench"}, Timeouts: to}
					resp, err := e.Do(context.Background(), req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
	}
	b.Run("net-http", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			req, _ := http.NewRequest("GET", s.URL, nil)
			for pb.Next() {
				roundTrip(b, bare.RoundTrip, req)
			}
		})
	})
	b.Run("engine-no-timeouts", engine(transport.Timeouts{}))
	b.Run("engine-timeouts", engine(timeouts))
}
