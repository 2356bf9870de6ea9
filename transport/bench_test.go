package transport_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gohttpx/httpx/transport"
)

// BenchmarkRoundTripLoopback compares a small GET through this Transport,
// with and without timeouts, against a bare http.Transport, sequentially
// and in parallel. The difference in allocs/op is the package's overhead.
func BenchmarkRoundTripLoopback(b *testing.B) {
	for _, proto := range []string{"HTTP1", "HTTP2"} {
		s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("hello"))
		}))
		var tlsCfg *tls.Config
		if proto == "HTTP2" {
			s.EnableHTTP2 = true
			s.StartTLS()
			tlsCfg = s.Client().Transport.(*http.Transport).TLSClientConfig
		} else {
			s.Start()
		}
		bare := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1000, TLSClientConfig: tlsCfg, ForceAttemptHTTP2: proto == "HTTP2"}
		ours, err := transport.New(transport.Config{HTTP1: true, HTTP2: proto == "HTTP2", TLSConfig: tlsCfg, MaxConns: 1000})
		if err != nil {
			b.Fatal(err)
		}
		timeouts := transport.Timeouts{Connect: 5 * time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Pool: 5 * time.Second}
		clients := []struct {
			name string
			rt   func(*http.Request) (*http.Response, error)
		}{
			{"net-http", bare.RoundTrip},
			{"transport-no-timeouts", func(r *http.Request) (*http.Response, error) { return ours.RoundTrip(r, transport.Timeouts{}) }},
			{"transport-timeouts", func(r *http.Request) (*http.Response, error) { return ours.RoundTrip(r, timeouts) }},
		}
		for _, c := range clients {
			b.Run(proto+"/"+c.name+"/sequential", func(b *testing.B) {
				req, _ := http.NewRequest("GET", s.URL, nil)
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					roundTrip(b, c.rt, req)
				}
			})
			b.Run(proto+"/"+c.name+"/parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					req, _ := http.NewRequest("GET", s.URL, nil)
					for pb.Next() {
						roundTrip(b, c.rt, req)
					}
				})
			})
		}
		bare.CloseIdleConnections()
		ours.Close()
		s.Close()
	}
}

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
