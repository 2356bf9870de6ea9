package httpx_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeProxy is an in-process HTTP proxy: it forwards absolute-form requests
// and tunnels CONNECT, recording the request line and Proxy-Authorization
// of each request it gets.
type fakeProxy struct {
	name string
	srv  *httptest.Server
	mu   sync.Mutex
	log  []string
}

func newFakeProxy(t *testing.T, name string) *fakeProxy {
	p := &fakeProxy{name: name}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeProxy) URL() string { return p.srv.URL }

func (p *fakeProxy) entries() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

func (p *fakeProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.log = append(p.log, strings.TrimSpace(r.Method+" "+r.RequestURI+" "+r.Header.Get("Proxy-Authorization")+" "+r.Header.Get("X-Proxy-Header")))
	p.mu.Unlock()
	if r.Method == "CONNECT" {
		testenv.ServeTunnel(w, r)
		return
	}
	if r.URL.Scheme == "https" {
		// Forward-only mode: the proxy makes the TLS connection itself.
		fmt.Fprintf(w, "forwarded https to %s by %s", r.Host, p.name)
		return
	}
	out, err := http.NewRequest(r.Method, r.URL.String(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	out.Header = r.Header.Clone()
	out.Header.Del("Proxy-Authorization")
	out.Header.Set("X-Forwarded-By", p.name)
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("X-Via", p.name)
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// origin answers with the headers that matter to proxy tests.
func originServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "origin saw Proxy-Authorization=%q Authorization=%q", r.Header.Get("Proxy-Authorization"), r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestWithProxyForwardsAndKeepsCredentialsAtTheProxy(t *testing.T) {
	origin := originServer(t)
	p := newFakeProxy(t, "p1")
	proxyURL := strings.Replace(p.URL(), "http://", "http://al%40ice:s3cr%3At@", 1)
	c := httpx.NewClient(httpx.WithProxy(httpx.Proxy{URL: proxyURL, Headers: map[string]string{"X-Proxy-Header": "hi"}}))
	defer c.Close()
	require.NoError(t, c.Err())
	r, err := c.Get(ctx, origin.URL+"/path?q=1")
	require.NoError(t, err)
	text, _ := r.Text()
	assert.Equal(t, `origin saw Proxy-Authorization="" Authorization=""`, text)
	assert.Equal(t, "p1", r.Headers.Get("X-Via"))
	creds := "Basic " + base64.StdEncoding.EncodeToString([]byte("al@ice:s3cr:t"))
	assert.Equal(t, []string{"GET " + origin.URL + "/path?q=1 " + creds + " hi"}, p.entries(), "absolute-form, percent-decoded credentials")
}

func TestProxyModes(t *testing.T) {
	origin := originServer(t)
	tlsOrigin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "tls origin") }))
	defer tlsOrigin.Close()
	host := strings.TrimPrefix(origin.URL, "http://")
	tlsHost := strings.TrimPrefix(tlsOrigin.URL, "https://")

	tests := []struct {
		name    string
		mode    httpx.ProxyMode
		url     string
		wantLog string
		body    string
	}{
		{"default forwards http", httpx.ProxyDefault, origin.URL + "/a", "GET " + origin.URL + "/a", `origin saw Proxy-Authorization="" Authorization=""`},
		{"default tunnels https", httpx.ProxyDefault, tlsOrigin.URL + "/b", "CONNECT " + tlsHost, "tls origin"},
		{"tunnel-only tunnels http", httpx.ProxyTunnelOnly, origin.URL + "/c", "CONNECT " + host, `origin saw Proxy-Authorization="" Authorization=""`},
		{"forward-only forwards https", httpx.ProxyForwardOnly, tlsOrigin.URL + "/d?x=1", "GET https://" + tlsHost + "/d?x=1", "forwarded https to " + tlsHost + " by p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFakeProxy(t, "p")
			c := httpx.NewClient(httpx.WithProxy(httpx.Proxy{URL: p.URL(), Mode: tt.mode}), httpx.WithVerify(false))
			defer c.Close()
			r, err := c.Get(ctx, tt.url)
			require.NoError(t, err)
			text, _ := r.Text()
			assert.Equal(t, tt.body, text)
			require.NotEmpty(t, p.entries())
			assert.Equal(t, tt.wantLog, p.entries()[0])
		})
	}
}

func TestProxyRoutingAndNoProxy(t *testing.T) {
	origin := originServer(t)
	p1, p2 := newFakeProxy(t, "p1"), newFakeProxy(t, "p2")
	c := httpx.NewClient(httpx.WithProxies(map[string]httpx.Proxy{
		"all://":          {URL: p1.URL()},
		"all://localhost": {URL: p2.URL()},
		"all://127.0.0.1": httpx.NoProxy,
	}))
	defer c.Close()
	port := origin.URL[strings.LastIndex(origin.URL, ":"):]
	r, err := c.Get(ctx, "http://localhost"+port+"/x")
	require.NoError(t, err)
	assert.Equal(t, "p2", r.Headers.Get("X-Via"))
	r, err = c.Get(ctx, origin.URL+"/direct")
	require.NoError(t, err)
	assert.Empty(t, r.Headers.Get("X-Via"), "NoProxy goes direct")
	assert.Empty(t, p1.entries())
}

// TestSameProxyURLDifferentHeaders: two routes to one proxy URL with
// different Headers are two proxies, each sending its own headers, in
// both modes that carry them (forwarded requests and CONNECT).
func TestSameProxyURLDifferentHeaders(t *testing.T) {
	origin := originServer(t)
	tlsOrigin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsOrigin.Close()
	for _, tc := range []struct {
		name   string
		origin string
		method string // the request line's method at the proxy
	}{
		{"forwarded", origin.URL, "GET"},
		{"tunnelled", tlsOrigin.URL, "CONNECT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newFakeProxy(t, "p")
			_, port, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(tc.origin, "http://"), "https://"), ":")
			scheme, _, _ := strings.Cut(tc.origin, "://")
			c := httpx.NewClient(httpx.WithVerify(false), httpx.WithProxies(map[string]httpx.Proxy{
				"all://127.0.0.1": {URL: p.URL(), Headers: map[string]string{"X-Proxy-Header": "one"}},
				"all://localhost": {URL: p.URL(), Headers: map[string]string{"X-Proxy-Header": "two"}},
			}))
			defer c.Close()
			require.NoError(t, c.Err())
			for _, host := range []string{"127.0.0.1", "localhost"} {
				_, err := c.Get(ctx, scheme+"://"+host+":"+port+"/")
				require.NoError(t, err, host)
			}
			var got []string
			for _, e := range p.entries() {
				fields := strings.Fields(e)
				require.Equal(t, tc.method, fields[0], e)
				got = append(got, fields[len(fields)-1])
			}
			assert.Equal(t, []string{"one", "two"}, got, "X-Proxy-Header per route")
		})
	}
}

func TestProxyAuthRequiredIsProxyError(t *testing.T) {
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="p"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer deny.Close()
	for _, target := range []string{"http://example.invalid/", "https://example.invalid/"} {
		c := httpx.NewClient(httpx.WithProxy(httpx.Proxy{URL: deny.URL}))
		_, err := c.Get(ctx, target)
		c.Close()
		require.ErrorIs(t, err, httpx.ErrProxy, target)
		var pe *httpx.ProxyStatusError
		require.ErrorAs(t, err, &pe, target)
		assert.Equal(t, 407, pe.StatusCode)
	}
}

// TestRefusedConnectIsNotRetried: a CONNECT the proxy refuses is a proxy
// error, not a connect failure, so HTTPTransport.Retries does not send it
// again (with its back-off) as it would after a refused connection.
func TestRefusedConnectIsNotRetried(t *testing.T) {
	var connects atomic.Int32
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		connects.Add(1)
		w.Header().Set("Proxy-Authenticate", `Basic realm="p"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer deny.Close()
	c := httpx.NewClient(httpx.WithTransport(&httpx.HTTPTransport{Proxy: &httpx.Proxy{URL: deny.URL}, Retries: 3}))
	defer c.Close()
	start := time.Now()
	_, err := c.Get(ctx, "https://example.invalid/")
	require.ErrorIs(t, err, httpx.ErrProxy)
	assert.Equal(t, int32(1), connects.Load(), "CONNECT attempts")
	assert.Less(t, time.Since(start), 400*time.Millisecond, "no back-off")
}

func TestInvalidProxyConfiguration(t *testing.T) {
	for name, opt := range map[string]httpx.ClientOption{
		"no scheme":       httpx.WithProxy(httpx.Proxy{URL: "localhost:3128"}),
		"bad scheme":      httpx.WithProxy(httpx.Proxy{URL: "ftp://localhost:3128"}),
		"bad routing key": httpx.WithProxies(map[string]httpx.Proxy{"http": {URL: "http://localhost:3128"}}),
		"header with CR":  httpx.WithProxy(httpx.Proxy{URL: "http://localhost:3128", Headers: map[string]string{"X": "a\rb"}}),
	} {
		c := httpx.NewClient(opt)
		assert.ErrorIs(t, c.Err(), httpx.ErrUsage, name)
		_, err := c.Get(ctx, "http://example.com/")
		assert.ErrorIs(t, err, httpx.ErrUsage, name)
		c.Close()
	}
}

func TestEnvironmentProxies(t *testing.T) {
	origin := originServer(t)
	p := newFakeProxy(t, "env")
	port := origin.URL[strings.LastIndex(origin.URL, ":"):]
	t.Setenv("HTTP_PROXY", p.URL())
	t.Setenv("http_proxy", "")
	t.Setenv("NO_PROXY", "localhost")

	c := httpx.NewClient()
	defer c.Close()
	r, err := c.Get(ctx, origin.URL+"/via-env")
	require.NoError(t, err)
	assert.Equal(t, "env", r.Headers.Get("X-Via"), "loopback addresses are proxied unless NO_PROXY names them")
	r, err = c.Get(ctx, "http://localhost"+port+"/bypass")
	require.NoError(t, err)
	assert.Empty(t, r.Headers.Get("X-Via"), "NO_PROXY bypass")

	for name, opt := range map[string]httpx.ClientOption{
		"trust_env off":      httpx.WithTrustEnv(false),
		"explicit transport": httpx.WithTransport(&httpx.HTTPTransport{}),
		"explicit proxy":     httpx.WithProxy(httpx.NoProxy),
	} {
		c := httpx.NewClient(opt)
		r, err := c.Get(ctx, origin.URL+"/direct")
		c.Close()
		require.NoError(t, err, name)
		assert.Empty(t, r.Headers.Get("X-Via"), name)
	}

	t.Setenv("http_proxy", "http://127.0.0.1:1") // lower case wins
	c2 := httpx.NewClient()
	defer c2.Close()
	_, err = c2.Get(ctx, origin.URL+"/x")
	require.Error(t, err)
}

func TestProxiedAndDirectConnectionsNeverMix(t *testing.T) {
	var mu sync.Mutex
	direct, proxied := map[string]int{}, map[string]int{}
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Header.Get("X-Forwarded-By") != "" {
			proxied[r.RemoteAddr]++
		} else {
			direct[r.RemoteAddr]++
		}
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	defer origin.Close()
	p := newFakeProxy(t, "p")
	c := httpx.NewClient(httpx.WithProxies(map[string]httpx.Proxy{"all://localhost": {URL: p.URL()}}))
	defer c.Close()
	port := origin.URL[strings.LastIndex(origin.URL, ":"):]
	for range 3 {
		_, err := c.Get(ctx, origin.URL)
		require.NoError(t, err)
		r, err := c.Get(ctx, "http://localhost"+port)
		require.NoError(t, err)
		assert.Equal(t, "p", r.Headers.Get("X-Via"))
	}
	assert.Len(t, p.entries(), 3, "every localhost request went through the proxy")
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, direct, 1, "the direct requests share one keep-alive connection")
	for addr := range direct {
		assert.NotContains(t, proxied, addr, "a direct connection never carried proxied traffic")
	}
}
