package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connectProxy is a minimal CONNECT proxy: it checks credentials when
// wantAuth is set and records the CONNECT requests it receives.
type connectProxy struct {
	wantAuth string
	mu       sync.Mutex
	seen     []*http.Request
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r)
	p.mu.Unlock()
	if r.Method != "CONNECT" {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	if p.wantAuth != "" && r.Header.Get("Proxy-Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(p.wantAuth)) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
		return
	}
	testenv.ServeTunnel(w, r)
}

func echoTarget(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello through "+r.Host)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func getThrough(t *testing.T, d *TunnelDialer, target string) (string, error) {
	t.Helper()
	conn, err := d.DialContext(context.Background(), "tcp", target)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	req, _ := http.NewRequest("GET", "http://"+target+"/", nil)
	req.Close = true
	if err := req.Write(conn); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestTunnelDialer(t *testing.T) {
	target := echoTarget(t)
	p := &connectProxy{wantAuth: "alice:s3cr@t"}
	srv := httptest.NewServer(p)
	defer srv.Close()
	pu, err := url.Parse(srv.URL)
	require.NoError(t, err)

	pu.User = url.UserPassword("alice", "s3cr@t")
	d := &TunnelDialer{Proxy: pu, Header: http.Header{"X-Proxy-Header": {"yes"}}}
	body, err := getThrough(t, d, target)
	require.NoError(t, err)
	assert.Equal(t, "hello through "+target, body)
	p.mu.Lock()
	assert.Equal(t, target, p.seen[0].Host)
	assert.Equal(t, "yes", p.seen[0].Header.Get("X-Proxy-Header"))
	p.mu.Unlock()

	pu.User = url.UserPassword("alice", "wrong")
	_, err = getThrough(t, d, target)
	var ce *StatusError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 407, ce.StatusCode)
	assert.Equal(t, "407 Proxy Authentication Required", ce.Status)
	assert.Equal(t, target, ce.Target)
}

func TestTunnelDialerThroughHTTPSProxy(t *testing.T) {
	target := echoTarget(t)
	srv := httptest.NewTLSServer(&connectProxy{})
	defer srv.Close()
	pu, _ := url.Parse(srv.URL)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	d := &TunnelDialer{Proxy: pu, TLSConfig: &tls.Config{RootCAs: pool}}
	body, err := getThrough(t, d, target)
	require.NoError(t, err)
	assert.Equal(t, "hello through "+target, body)

	d.TLSConfig = &tls.Config{} // system roots: the test certificate is refused
	_, err = getThrough(t, d, target)
	var verr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &verr)
}

func TestTunnelDialerTimeoutsAndCancellation(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // accept, never answer
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	pu := &url.URL{Scheme: "http", Host: ln.Addr().String()}

	d := &TunnelDialer{Proxy: pu, Timeout: 50 * time.Millisecond}
	_, err = d.DialContext(context.Background(), "tcp", "example.invalid:80")
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())

	// A context deadline further away does not lift the dialer's own
	// timeout.
	later, cancelLater := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelLater()
	start := time.Now()
	_, err = d.DialContext(later, "tcp", "example.invalid:80")
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "got %v", err)
	assert.Less(t, time.Since(start), time.Second, "the dialer's timeout was ignored")

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	_, err = (&TunnelDialer{Proxy: pu}).DialContext(ctx, "tcp", "example.invalid:80")
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}

// recordALPN makes s, before StartTLS, record the ALPN protocols each
// client offers in its hello.
func recordALPN(s *httptest.Server) func() [][]string {
	var (
		mu      sync.Mutex
		offered [][]string
	)
	s.TLS = &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		offered = append(offered, hello.SupportedProtos)
		mu.Unlock()
		return nil, nil
	}}
	return func() [][]string {
		mu.Lock()
		defer mu.Unlock()
		return append([][]string(nil), offered...)
	}
}

// TestTunnelDialerHTTPSProxyNeverOffersH2: the TLS connection to the proxy
// carries the HTTP/1.1 CONNECT exchange, so it offers http/1.1 only, even
// when the configuration it was given asks for h2 (for the targets).
func TestTunnelDialerHTTPSProxyNeverOffersH2(t *testing.T) {
	target := echoTarget(t)
	srv := httptest.NewUnstartedServer(&connectProxy{})
	offered := recordALPN(srv)
	srv.StartTLS()
	defer srv.Close()
	pu, _ := url.Parse(srv.URL)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	d := &TunnelDialer{Proxy: pu, TLSConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}}}
	body, err := getThrough(t, d, target)
	require.NoError(t, err)
	assert.Equal(t, "hello through "+target, body)
	assert.Equal(t, [][]string{{"http/1.1"}}, offered())
}

// TestTunnelDialerKeepsBytesAfterAnswer: bytes the proxy sends right after
// its 200, in the same segment (a target that speaks first), are the
// tunnel's first bytes, not lost in the reader of the answer.
func TestTunnelDialerKeepsBytesAfterAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan struct{})
	defer func() { <-done }()
	hold := make(chan struct{})
	defer close(hold)
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\nSSH-2.0-greeting\r\n")
		<-hold
	}()

	d := &TunnelDialer{Proxy: &url.URL{Scheme: "http", Host: ln.Addr().String()}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", "target.test:22")
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(2*time.Second)))
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "SSH-2.0-greeting\r\n", line)
}
