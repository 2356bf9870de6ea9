package transport_test

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/gohttpx/httpx/transport"
)

// TestNginx talks to Debian's nginx: a server that is not Go's, over TLS
// with ALPN, plain HTTP/1.1 and h2c. Skipped without nginx unless
// HTTPX_INTEGRATION=1.
func TestNginx(t *testing.T) {
	s := testenv.Nginx(t)
	tlsCfg, err := transport.NewTLSConfig(transport.TLSOptions{Verify: true, CAFile: s.CAFile})
	require.NoError(t, err)
	to := transport.Timeouts{Connect: 2 * time.Second, Read: 2 * time.Second, Write: 2 * time.Second, Pool: 2 * time.Second}

	for _, tc := range []struct {
		name  string
		cfg   transport.Config
		url   string
		major int
	}{
		{"h2 over TLS", transport.Config{HTTP1: true, HTTP2: true, TLSConfig: tlsCfg}, s.HTTPSURL, 2},
		{"HTTP/1.1 over TLS", transport.Config{HTTP1: true, TLSConfig: tlsCfg}, s.HTTPSURL, 1},
		{"h2c prior knowledge", transport.Config{HTTP2: true}, s.H2CURL, 2},
		{"HTTP/1.1", transport.Config{HTTP1: true}, s.HTTPURL, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.MaxConns = 2
			tr := newTransport(t, tc.cfg)
			resp, body := get(t, tr, tc.url+"/json", to)
			assert.Equal(t, tc.major, resp.ProtoMajor)
			assert.JSONEq(t, `{"ok":true}`, string(body))

			_, body = get(t, tr, tc.url+"/bytes/65536", to)
			assert.Equal(t, testenv.Pattern(65536), body)
			resp, _ = get(t, tr, tc.url+"/status/404", to)
			assert.Equal(t, 404, resp.StatusCode)
			assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, tr.Stats(), "one kept-alive connection served all")
		})
	}

	t.Run("trickle under limit_rate", func(t *testing.T) {
		tr := newTransport(t, transport.Config{HTTP1: true, HTTP2: true, TLSConfig: tlsCfg})
		rto := 1500 * time.Millisecond
		start := time.Now()
		resp, err := do(t, tr, "GET", s.HTTPSURL+"/slow/65536", nil, transport.Timeouts{Read: rto})
		require.NoError(t, err)
		defer resp.Body.Close()
		buf := make([]byte, 20000)
		_, err = io.ReadFull(resp.Body, buf)
		require.NoError(t, err)
		assert.Equal(t, testenv.Pattern(20000), buf)
		assert.Greater(t, time.Since(start), rto, "the transfer outlasted the read timeout without tripping it")
	})
}
