package httpx_test

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/internal/faultserver"
	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaultTLS: failed TLS handshakes are connect errors (HTTPX's
// ConnectError), never a request sent; no connection survives them.
func TestFaultTLS(t *testing.T) {
	ctx := within(t, 10*time.Second)
	ca := testenv.NewCA(t)
	other := testenv.NewCA(t)
	trustCA := httpx.WithTLSConfig(&tls.Config{RootCAs: ca.Pool})
	serverTLS := func(o testenv.CertOptions) *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, o).TLS}}
	}
	cases := []struct {
		name   string
		tls    *tls.Config // nil: the server speaks plain TCP
		script faultserver.Handler
		to     httpx.Timeout
		want   error
	}{
		{name: "unknown CA", tls: &tls.Config{Certificates: []tls.Certificate{other.Issue(t, testenv.CertOptions{}).TLS}}, want: httpx.ErrConnect},
		{name: "wrong host", tls: serverTLS(testenv.CertOptions{Hosts: []string{"example.com"}}), want: httpx.ErrConnect},
		{name: "expired", tls: serverTLS(testenv.CertOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}), want: httpx.ErrConnect},
		{name: "not yet valid", tls: serverTLS(testenv.CertOptions{NotBefore: time.Now().Add(time.Hour), NotAfter: time.Now().Add(48 * time.Hour)}), want: httpx.ErrConnect},
		{name: "client certificate as server certificate", tls: serverTLS(testenv.CertOptions{Client: true}), want: httpx.ErrConnect},
		{name: "plain HTTP answer to the ClientHello", script: faultserver.Script(faultserver.Write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), faultserver.Drain()), want: httpx.ErrConnect},
		{name: "reset during the handshake", script: faultserver.Script(faultserver.Reset()), want: httpx.ErrConnect},
		{name: "closed during the handshake", script: faultserver.Script(faultserver.Close()), want: httpx.ErrConnect},
		{name: "stalled handshake", script: faultserver.Script(faultserver.Hold()), want: httpx.ErrConnectTimeout,
			to: httpx.Timeout{Connect: 200 * time.Millisecond, Read: 2 * time.Second, Write: 2 * time.Second, Pool: 2 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			faultNoLeaks(t)
			script := tc.script
			if script == nil {
				script = faultserver.Script(faultserver.Handshake(), faultserver.Serve("fresh"))
			}
			var s *faultserver.Server
			if tc.tls != nil {
				s = faultserver.NewTLS(t, tc.tls, script)
			} else {
				s = faultserver.New(t, script)
			}
			client := faultClient(t, tc.to, trustCA)
			url := "https://" + s.Addr() + "/tls"
			start := time.Now()
			_, err := client.Get(ctx, url)
			assertFault(t, err, tc.want, url)
			assert.Less(t, time.Since(start), 5*time.Second, "loose, for loaded machines")
			assert.Equal(t, 1, s.Accepts(), "no retry of a failed handshake")
			// Nothing was pooled: the next attempt dials again and fails alike.
			_, err = client.Get(ctx, url)
			assertFault(t, err, tc.want, url)
			assert.Equal(t, 2, s.Accepts())
		})
	}

	t.Run("valid certificate", func(t *testing.T) {
		faultNoLeaks(t)
		s := faultserver.NewTLS(t, serverTLS(testenv.CertOptions{}),
			faultserver.Script(faultserver.Handshake(), faultserver.Serve("reused")),
			faultserver.Script(faultserver.Handshake(), faultserver.Serve("fresh")))
		client := faultClient(t, httpx.Timeout{}, trustCA)
		resp, err := client.Get(ctx, s.URL("/tls"))
		require.NoError(t, err)
		assert.Equal(t, "reused", faultText(t, resp))
		assertFaultNext(t, client, s, nextReused, 0)
	})

	t.Run("reset mid-body under TLS", func(t *testing.T) {
		faultNoLeaks(t)
		s := faultserver.NewTLS(t, serverTLS(testenv.CertOptions{}),
			faultScript(faultserver.Write(faultHead("Content-Length: 100")+"half a body"), faultGate, faultserver.Reset()),
			faultserver.Script(faultserver.Serve("fresh")))
		client := faultClient(t, httpx.Timeout{}, trustCA)
		url := s.URL("/tls")
		_, err := client.Get(ctx, url)
		assertFault(t, err, httpx.ErrRead, url)
		assertFaultNext(t, client, s, nextFresh, 0)
	})

	t.Run("truncated body under TLS", func(t *testing.T) {
		// A clean close (close_notify, then FIN) before Content-Length bytes
		// came: HTTPX reports the incomplete body as RemoteProtocolError.
		faultNoLeaks(t)
		s := faultserver.NewTLS(t, serverTLS(testenv.CertOptions{}),
			faultScript(faultserver.Write(faultHead("Content-Length: 100")+"half a body"), faultserver.Close()),
			faultserver.Script(faultserver.Serve("fresh")))
		client := faultClient(t, httpx.Timeout{}, trustCA)
		url := s.URL("/tls")
		_, err := client.Get(ctx, url)
		assertFault(t, err, httpx.ErrRemoteProtocol, url)
		assertFaultNext(t, client, s, nextFresh, 0)
	})
}
