package transport_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/gohttpx/httpx/transport"
)

// TestServerName: Request.ServerName names the TLS server in the
// handshake and the certificate check, directly and through a CONNECT
// tunnel, over HTTP/1.1 and HTTP/2, with connections of its own that later
// requests naming it reuse.
func TestServerName(t *testing.T) {
	ca := testenv.NewCA(t)
	var (
		mu   sync.Mutex
		snis []string
	)
	s := tlsServer(t, ca.Issue(t, testenv.CertOptions{Hosts: []string{"example.test"}}).TLS, nil, func(c *tls.Config) {
		c.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			snis = append(snis, hello.ServerName)
			mu.Unlock()
			return nil, nil
		}
	})
	proxyURL, tunnels := connectProxy(t, false)
	cases := []struct {
		name  string
		proxy bool
		h2    bool
	}{
		{name: "direct"},
		{name: "direct HTTP/2", h2: true},
		{name: "CONNECT tunnel", proxy: true},
		{name: "CONNECT tunnel HTTP/2", proxy: true, h2: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			snis = nil
			mu.Unlock()
			tunnels.Store(0)
			cfg := transport.Config{HTTP1: true, HTTP2: tc.h2, TLSConfig: tlsConfigWithRoots(ca.Pool)}
			if tc.proxy {
				cfg.ProxyURL = proxyURL
			}
			tr := newTransport(t, cfg)
			to := transport.Timeouts{Connect: 2 * time.Second, Read: 2 * time.Second, Write: 2 * time.Second}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()

			_, err := do(t, tr, "GET", s.URL, nil, to)
			requireKind(t, err, transport.KindConnect)

			// Sent twice: the second request reuses the connection made
			// for the name.
			for range 2 {
				req, err := http.NewRequestWithContext(withServerName(ctx, "example.test"), "GET", s.URL, nil)
				require.NoError(t, err)
				resp, err := tr.RoundTrip(req, to)
				require.NoError(t, err)
				_, err = io.Copy(io.Discard, resp.Body)
				require.NoError(t, err)
				resp.Body.Close()
				want := 1
				if tc.h2 {
					want = 2
				}
				assert.Equal(t, want, resp.ProtoMajor)
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{"", "example.test"}, snis, "one handshake without a name, one with it")
			if tc.proxy {
				assert.Equal(t, int32(2), tunnels.Load(), "a tunnel per server name")
			}
		})
	}
}
