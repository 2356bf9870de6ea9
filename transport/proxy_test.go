package transport_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/gohttpx/httpx/transport"
)

// connectProxy is a minimal CONNECT proxy. With silent set it accepts
// tunnels and never answers.
func connectProxy(t *testing.T, silent bool) (*url.URL, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var tunnels atomic.Int32
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil || req.Method != "CONNECT" {
					return
				}
				if silent {
					<-stop
					return
				}
				up, err := net.Dial("tcp", req.Host)
				if err != nil {
					io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
					return
				}
				defer up.Close()
				tunnels.Add(1)
				io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				go func() { io.Copy(up, br); up.Close() }()
				io.Copy(c, up)
			}()
		}
	}()
	t.Cleanup(func() { close(stop); l.Close(); wg.Wait() })
	return &url.URL{Scheme: "http", Host: l.Addr().String()}, &tunnels
}

func TestCONNECTTunnel(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		// Always a TLS target, so that net/http sends CONNECT; HTTP/2 only
		// in the HTTP2 mode.
		s, cfg := modes[1].server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		cfg.HTTP2 = m.h2
		proxyURL, tunnels := connectProxy(t, false)
		cfg.ProxyURL = proxyURL
		tr := newTransport(t, cfg)
		to := transport.Timeouts{Connect: 500 * time.Millisecond, Read: time.Second}
		resp, _ := get(t, tr, s.URL, to)
		want := 1
		if m.h2 {
			want = 2
		}
		assert.Equal(t, want, resp.ProtoMajor)
		// Idle longer than the connect timeout: the setup deadline must be
		// gone, and the tunnel reused.
		time.Sleep(700 * time.Millisecond)
		get(t, tr, s.URL, to)
		assert.Equal(t, int32(1), tunnels.Load())
	})
}

func TestCONNECTSilentProxyTimesOut(t *testing.T) {
	proxyURL, _ := connectProxy(t, true)
	tr := newTransport(t, transport.Config{ProxyURL: proxyURL})
	start := time.Now()
	_, err := do(t, tr, "GET", "https://example.test/", nil, transport.Timeouts{Connect: short})
	requireKind(t, err, transport.KindConnectTimeout)
	assert.Less(t, time.Since(start), time.Second)
	eventually(t, func() bool { return tr.Stats() == transport.Stats{} }, "slot released")
}

// TestHTTPSProxyNeverOffersH2: the TLS connection to an https:// proxy
// carries HTTP/1.1 (the CONNECT exchange), so its handshake offers only
// http/1.1; the target behind the tunnel still negotiates h2.
func TestHTTPSProxyNeverOffersH2(t *testing.T) {
	s, cfg := modes[1].server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	var (
		mu      sync.Mutex
		offered [][]string
	)
	p := httptest.NewUnstartedServer(http.HandlerFunc(testenv.ServeTunnel))
	p.TLS = &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		offered = append(offered, hello.SupportedProtos)
		mu.Unlock()
		return nil, nil
	}}
	p.StartTLS()
	closeServer(t, p)
	pu, err := url.Parse(p.URL)
	require.NoError(t, err)
	cfg.ProxyURL = pu // httptest's certificate serves the proxy too
	tr := newTransport(t, cfg)

	resp, _ := get(t, tr, s.URL, transport.Timeouts{Connect: 2 * time.Second, Read: 2 * time.Second})
	assert.Equal(t, 2, resp.ProtoMajor, "h2 with the target")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, [][]string{{"http/1.1"}}, offered, "ALPN offered to the proxy")
}
