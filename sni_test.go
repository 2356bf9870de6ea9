package httpx_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSNIHostnameExtension: the "sni_hostname" extension names the TLS
// server (SNI and certificate check) while the connection still goes to the
// URL's host, and connections are pooled per server name (HTTPX's
// sni_hostname).
func TestSNIHostnameExtension(t *testing.T) {
	ca := testenv.NewCA(t)
	cert := ca.Issue(t, testenv.CertOptions{Hosts: []string{"example.test", "other.test"}})
	for _, http2 := range []bool{false, true} {
		t.Run(fmt.Sprintf("HTTP/2 %v", http2), func(t *testing.T) {
			var (
				mu    sync.Mutex
				snis  []string
				conns int
			)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, r.TLS.ServerName, " ", r.Host)
			}))
			srv.TLS = &tls.Config{
				Certificates: []tls.Certificate{cert.TLS},
				GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
					mu.Lock()
					snis = append(snis, hello.ServerName)
					mu.Unlock()
					return nil, nil
				},
			}
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					mu.Lock()
					conns++
					mu.Unlock()
				}
			}
			srv.EnableHTTP2 = http2
			srv.StartTLS()
			defer srv.Close()
			stats := func() ([]string, int) {
				mu.Lock()
				defer mu.Unlock()
				return append([]string(nil), snis...), conns
			}

			c := httpx.NewClient(httpx.WithHTTP2(http2), httpx.WithTLSConfig(&tls.Config{RootCAs: ca.Pool}))
			defer c.Close()
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			url := srv.URL + "/"
			host := srv.Listener.Addr().String()
			get := func(sni string) (string, string, error) {
				var opts []httpx.RequestOption
				if sni != "" {
					opts = append(opts, httpx.WithExtensions(map[string]any{"sni_hostname": sni}))
				}
				r, err := c.Get(rctx, url, opts...)
				if err != nil {
					return "", "", err
				}
				text, err := r.Text()
				return text, r.HTTPVersion(), err
			}

			_, _, err := get("")
			assert.ErrorIs(t, err, httpx.ErrConnect, "the certificate is not valid for 127.0.0.1")

			wantVersion := "HTTP/1.1"
			if http2 {
				wantVersion = "HTTP/2"
			}
			steps := []struct {
				sni       string
				wantConns int // connections the server accepted so far
			}{
				{"example.test", 2},
				{"other.test", 3}, // another server name: another connection
				{"example.test", 3},
				{"other.test", 3},
			}
			for _, step := range steps {
				text, version, err := get(step.sni)
				require.NoError(t, err, step.sni)
				assert.Equal(t, step.sni+" "+host, text, "SNI from the extension, Host from the URL")
				assert.Equal(t, wantVersion, version)
				_, n := stats()
				assert.Equal(t, step.wantConns, n, "after a request for %s", step.sni)
			}
			seen, _ := stats()
			assert.Equal(t, []string{"", "example.test", "other.test"}, seen, "one handshake per server name")
		})
	}
}

// TestSNIHostnameInvalid: a server name that is neither a string nor a
// []byte is a usage error, found before anything is sent.
func TestSNIHostnameInvalid(t *testing.T) {
	cases := []struct {
		name  string
		value any
	}{
		{name: "int", value: 1},
		{name: "bool", value: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(&httpx.HTTPTransport{}))
			defer c.Close()
			_, err := c.Get(ctx, "https://127.0.0.1:1/", httpx.WithExtensions(map[string]any{"sni_hostname": tc.value}))
			assert.ErrorIs(t, err, httpx.ErrUsage)
			assert.Contains(t, err.Error(), "sni_hostname")
		})
	}
}

// TestSNIHostnameHandlerTransport: an in-process handler sees the server
// name in r.TLS as a server would.
func TestSNIHostnameHandlerTransport(t *testing.T) {
	cases := []struct {
		name string
		ext  map[string]any
		want string
	}{
		{name: "URL host", want: "testserver"},
		{name: "string", ext: map[string]any{"sni_hostname": "example.test"}, want: "example.test"},
		{name: "bytes", ext: map[string]any{"sni_hostname": []byte("example.test")}, want: "example.test"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.TLS.ServerName })
			c := httpx.NewClient(httpx.WithApp(app))
			defer c.Close()
			_, err := c.Get(ctx, "https://testserver/", httpx.WithExtensions(tc.ext))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
