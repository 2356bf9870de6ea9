package httpx_test

// Proxies against real servers on loopback: squid (forwarding, CONNECT,
// basic proxy auth, an HTTPS port), dante (SOCKS5 without auth) and
// microsocks (SOCKS5 with user/password), started by internal/testenv.
// Origins are Debian's nginx (TLS with ALPN h2) and an in-process recording
// server (plain HTTP/1.1, and TLS with h2) that tells what reached it.
// Without the programs the tests skip; HTTPX_INTEGRATION=1 makes that a
// failure.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/internal/testenv"
)

// The proxy password has characters that must be percent-encoded in a URL
// (and a colon, which basic auth keeps after the first one), so a pass
// proves the client percent-decodes the userinfo before encoding it.
const (
	pxUser = "alice"
	pxPass = "s3 c:r@t/%"
)

// pxSeen is what the recording origin saw of one request.
type pxSeen struct {
	Path       string
	Proto      string
	RemoteAddr string
	Header     http.Header
}

// pxOrigin is an in-process origin on 127.0.0.1, plain (HTTP/1.1) and TLS
// (h2 and http/1.1, certificate from a testenv CA), recording every
// request. /redirect?to=URL answers 302 to URL; anything else 200 "ok PATH".
type pxOrigin struct {
	HTTP, HTTPS         string // http://127.0.0.1:P, https://127.0.0.1:Q
	HTTPPort, HTTPSPort string
	CAFile              string

	mu   sync.Mutex
	seen []pxSeen
}

func pxNewOrigin(t *testing.T) *pxOrigin {
	t.Helper()
	o := &pxOrigin{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.seen = append(o.seen, pxSeen{Path: r.URL.Path, Proto: r.Proto, RemoteAddr: r.RemoteAddr, Header: r.Header.Clone()})
		o.mu.Unlock()
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		io.WriteString(w, "ok "+r.URL.Path)
	})
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, testenv.CertOptions{})
	o.CAFile = testenv.WriteFile(t, t.TempDir(), "origin-ca.pem", ca.CertPEM)

	plain := httptest.NewServer(h)
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewUnstartedServer(h)
	tlsSrv.EnableHTTP2 = true
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)

	o.HTTP, o.HTTPS = plain.URL, tlsSrv.URL
	o.HTTPPort, o.HTTPSPort = pxPort(t, plain.URL), pxPort(t, tlsSrv.URL)
	return o
}

// byPath returns the requests seen for path.
func (o *pxOrigin) byPath(path string) []pxSeen {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []pxSeen
	for _, s := range o.seen {
		if s.Path == path {
			out = append(out, s)
		}
	}
	return out
}

// one returns the single request seen for path.
func (o *pxOrigin) one(t *testing.T, path string) pxSeen {
	t.Helper()
	got := o.byPath(path)
	require.Len(t, got, 1, "requests for %s at the origin", path)
	return got[0]
}

func pxPort(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	return u.Port()
}

func pxHost(rawURL string) string {
	return strings.TrimPrefix(strings.TrimPrefix(rawURL, "https://"), "http://")
}

// pxCABundle concatenates PEM files into one, for WithCAFile.
func pxCABundle(t *testing.T, files ...string) string {
	t.Helper()
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all = append(all, b...)
	}
	return testenv.WriteFile(t, t.TempDir(), "bundle.pem", all)
}

// pxClosedPort is a port nothing listens on (free a moment ago).
func pxClosedPort(t *testing.T) int { return testenv.FreePort(t) }

// pxClient builds a client, failing on a configuration error, and
// closes it when the test ends.
func pxClient(t *testing.T, opts ...httpx.ClientOption) *httpx.Client {
	t.Helper()
	c := httpx.NewClient(opts...)
	require.NoError(t, c.Err())
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends a GET that must succeed and returns the response with its body.
func pxGet(t *testing.T, c *httpx.Client, rawURL string) (*httpx.Response, string) {
	t.Helper()
	r, err := c.Get(ctx, rawURL)
	require.NoError(t, err, "GET %s", rawURL)
	body, err := r.Text()
	require.NoError(t, err)
	require.Equal(t, 200, r.StatusCode, "GET %s: %s", rawURL, body)
	return r, body
}

// pxRequireProxyError checks that err is an ErrProxy (a transport error)
// and, for status > 0, that it carries the proxy's status.
func pxRequireProxyError(t *testing.T, err error, status int) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrProxy)
	assert.ErrorIs(t, err, httpx.ErrTransport)
	var re *httpx.RequestError
	assert.ErrorAs(t, err, &re)
	if status > 0 {
		var pse *httpx.ProxyStatusError
		if assert.ErrorAs(t, err, &pse, "err: %v", err) {
			assert.Equal(t, status, pse.StatusCode)
		}
	}
	for _, leak := range []string{pxPass, url.PathEscape(pxPass), url.QueryEscape(pxPass)} {
		assert.NotContains(t, err.Error(), leak, "the error leaks the proxy password")
	}
}

// --- squid: HTTP proxy --------------------------------------------------

// TestSquidForwardsHTTP: an http:// URL goes to the proxy in absolute form,
// with the credentials (percent-decoded) and the Proxy headers; squid
// passes it on with its Via header.
func TestSquidForwardsHTTP(t *testing.T) {
	o := pxNewOrigin(t)
	s := testenv.Squid(t, testenv.SquidOptions{User: pxUser, Password: pxPass})
	c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL, Headers: map[string]string{testenv.SquidTagHeader: "forward"}}))

	r, body := pxGet(t, c, o.HTTP+"/fwd?q=1")
	assert.Equal(t, 200, r.StatusCode)
	assert.Equal(t, "ok /fwd", body)
	assert.Equal(t, "HTTP/1.1", r.HTTPVersion())
	assert.False(t, r.Request.Headers.Has("Proxy-Authorization"), "credentials leaked into the request model")

	e := s.WaitRequestLine(t, "GET "+o.HTTP+"/fwd?q=1")
	assert.Equal(t, pxUser, e.User, "squid authenticated the user")
	assert.Equal(t, 200, e.Status)
	assert.Equal(t, "forward", e.Tag, "Proxy.Headers reach the proxy")
	assert.Contains(t, o.one(t, "/fwd").Header.Get("Via"), testenv.SquidVia)

	// A second request reuses the connection to the proxy.
	pxGet(t, c, o.HTTP+"/fwd2")
	e2 := s.WaitRequestLine(t, "GET "+o.HTTP+"/fwd2")
	assert.Equal(t, e.ClientPort, e2.ClientPort, "keep-alive to the proxy")
}

// TestSquidTunnelsHTTPS: an https:// URL is tunnelled with CONNECT; inside
// the tunnel the client negotiates HTTP/2 with the origin, and nothing
// meant for the proxy reaches the origin.
func TestSquidTunnelsHTTPS(t *testing.T) {
	ng := testenv.Nginx(t)
	o := pxNewOrigin(t)
	s := testenv.Squid(t, testenv.SquidOptions{User: pxUser, Password: pxPass})
	c := pxClient(t,
		httpx.WithProxy(httpx.Proxy{URL: s.URL, Headers: map[string]string{testenv.SquidTagHeader: "tunnel"}}),
		httpx.WithCAFile(pxCABundle(t, ng.CAFile, o.CAFile)), httpx.WithHTTP2(true))

	r, body := pxGet(t, c, ng.HTTPSURL+"/json")
	assert.Equal(t, "HTTP/2", r.HTTPVersion(), "h2 through the CONNECT tunnel to nginx")
	assert.JSONEq(t, `{"ok":true}`, body)

	r, _ = pxGet(t, c, o.HTTPS+"/tunnel")
	assert.Equal(t, "HTTP/2", r.HTTPVersion())
	seen := o.one(t, "/tunnel")
	assert.Equal(t, "HTTP/2.0", seen.Proto)
	assert.Empty(t, seen.Header.Values("Proxy-Authorization"), "proxy credentials sent to the origin")
	assert.Empty(t, seen.Header.Values(testenv.SquidTagHeader), "proxy headers sent to the origin")
	assert.Empty(t, seen.Header.Values("Via"), "a tunnel is opaque to the proxy")

	// Without HTTP/2 the tunnel carries HTTP/1.1.
	c1 := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL}), httpx.WithCAFile(ng.CAFile))
	r, _ = pxGet(t, c1, ng.HTTPSURL+"/")
	assert.Equal(t, "HTTP/1.1", r.HTTPVersion())

	// Squid logs a CONNECT when its tunnel closes.
	require.NoError(t, c.Close())
	require.NoError(t, c1.Close())
	// c1 tunnels to the same host without the header; its line may come
	// first, so look for c's by its tag.
	e := s.WaitLog(t, func(e testenv.SquidLogEntry) bool {
		return e.RequestLine() == "CONNECT "+pxHost(ng.HTTPSURL) && e.Tag == "tunnel"
	})
	assert.Equal(t, pxUser, e.User, "Proxy.Headers and credentials go with CONNECT")
	s.WaitRequestLine(t, "CONNECT "+pxHost(o.HTTPS))
	for _, e := range s.AccessLog() {
		assert.Equal(t, "CONNECT", e.Method, "https:// URLs must be tunnelled: %s", e.RequestLine())
	}
}

// TestProxyModesSquid: ProxyForwardOnly sends https:// URLs in absolute
// form (squid makes the TLS connection), ProxyTunnelOnly tunnels http://
// URLs too.
func TestProxyModesSquid(t *testing.T) {
	ng := testenv.Nginx(t)
	o := pxNewOrigin(t)
	// (Squid's GnuTLS client and Go's TLS server do not get along, so the
	// forwarded https:// requests go to nginx.)
	s := testenv.Squid(t, testenv.SquidOptions{User: pxUser, Password: pxPass, OriginCAFile: ng.CAFile})
	bundle := pxCABundle(t, ng.CAFile, o.CAFile)

	t.Run("forward only", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL, Mode: httpx.ProxyForwardOnly}),
			httpx.WithCAFile(bundle), httpx.WithHTTP2(true))
		r, body := pxGet(t, c, ng.HTTPSURL+"/json?x=1")
		assert.JSONEq(t, `{"ok":true}`, body)
		assert.Equal(t, "HTTP/1.1", r.HTTPVersion(), "a forwarded request speaks HTTP/1.1 to the proxy")
		assert.Equal(t, ng.HTTPSURL+"/json?x=1", r.URL().String())
		e := s.WaitRequestLine(t, "GET "+ng.HTTPSURL+"/json?x=1")
		assert.Equal(t, pxUser, e.User)

		if ng.HasEcho {
			// The proxy made the TLS connection and forwarded the request.
			_, body = pxGet(t, c, ng.HTTPSURL+"/echo-headers")
			assert.Contains(t, body, "Via: 1.1 "+testenv.SquidVia)
			assert.NotContains(t, body, "Proxy-Authorization")
			s.WaitRequestLine(t, "GET "+ng.HTTPSURL+"/echo-headers")
		}

		pxGet(t, c, o.HTTP+"/fwd-plain")
		s.WaitRequestLine(t, "GET "+o.HTTP+"/fwd-plain")
	})

	t.Run("tunnel only", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL, Mode: httpx.ProxyTunnelOnly,
			Headers: map[string]string{testenv.SquidTagHeader: "tunnel-only"}}),
			httpx.WithCAFile(bundle), httpx.WithHTTP2(true))
		r, body := pxGet(t, c, o.HTTP+"/tun-plain")
		assert.Equal(t, "ok /tun-plain", body)
		assert.Equal(t, "HTTP/1.1", r.HTTPVersion())
		seen := o.one(t, "/tun-plain")
		assert.Empty(t, seen.Header.Values("Via"), "tunnelled, not forwarded")
		assert.Empty(t, seen.Header.Values("Proxy-Authorization"))
		assert.Empty(t, seen.Header.Values(testenv.SquidTagHeader))

		r, _ = pxGet(t, c, ng.HTTPSURL+"/")
		assert.Equal(t, "HTTP/2", r.HTTPVersion())

		require.NoError(t, c.Close())
		e := s.WaitRequestLine(t, "CONNECT "+pxHost(o.HTTP))
		assert.Equal(t, pxUser, e.User)
		assert.Equal(t, "tunnel-only", e.Tag)
		s.WaitRequestLine(t, "CONNECT "+pxHost(ng.HTTPSURL))
		for _, e := range s.AccessLog() {
			assert.NotEqual(t, "GET "+o.HTTP+"/tun-plain", e.RequestLine(), "forwarded despite ProxyTunnelOnly")
		}
	})

	t.Run("default", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL, Mode: httpx.ProxyDefault}), httpx.WithCAFile(bundle))
		pxGet(t, c, o.HTTP+"/default-plain")
		s.WaitRequestLine(t, "GET "+o.HTTP+"/default-plain")
		pxGet(t, c, o.HTTPS+"/default-tls")
		assert.Empty(t, o.one(t, "/default-tls").Header.Values("Via"))
	})
}

// TestSquidProxyAuth: missing or wrong credentials are a 407 from squid,
// which the client reports as ErrProxy carrying the status, whichever way
// the request was going to the proxy; the origin never sees a request.
func TestSquidProxyAuth(t *testing.T) {
	ng := testenv.Nginx(t)
	o := pxNewOrigin(t)
	s := testenv.Squid(t, testenv.SquidOptions{User: pxUser, Password: pxPass, OriginCAFile: ng.CAFile})
	wrong := (&url.URL{Scheme: "http", User: url.UserPassword(pxUser, "wrong"), Host: s.Addr}).String()

	for _, proxyURL := range []string{s.URLNoAuth, wrong} {
		for _, tc := range []struct {
			name string
			mode httpx.ProxyMode
			url  string
		}{
			{"forward http", httpx.ProxyDefault, o.HTTP + "/denied"},
			{"connect https", httpx.ProxyDefault, o.HTTPS + "/denied"},
			{"tunnel-only http", httpx.ProxyTunnelOnly, o.HTTP + "/denied"},
			{"forward-only https", httpx.ProxyForwardOnly, ng.HTTPSURL + "/"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: proxyURL, Mode: tc.mode}),
					httpx.WithCAFile(pxCABundle(t, ng.CAFile, o.CAFile)))
				_, err := c.Get(ctx, tc.url)
				pxRequireProxyError(t, err, http.StatusProxyAuthRequired)
			})
		}
	}
	assert.Empty(t, o.byPath("/denied"), "the origin got a request without proxy authentication")

	t.Run("percent-decoded", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL}))
		pxGet(t, c, o.HTTP+"/ok")
		assert.Equal(t, pxUser, s.WaitRequestLine(t, "GET "+o.HTTP+"/ok").User)
	})

	// Proxy-Authorization belongs to the hop to the proxy: a proxied
	// request redirected to a direct one does not carry it to the origin.
	t.Run("never to the origin", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxies(map[string]httpx.Proxy{"http://": {URL: s.URL}}),
			httpx.WithCAFile(o.CAFile), httpx.WithFollowRedirects(true), httpx.WithHTTP2(true))
		r, body := pxGet(t, c, o.HTTP+"/redirect?to="+url.QueryEscape(o.HTTPS+"/landed"))
		assert.Equal(t, "ok /landed", body)
		require.Len(t, r.History, 1)
		assert.False(t, r.Request.Headers.Has("Proxy-Authorization"))
		s.WaitRequestLine(t, "GET "+o.HTTP+"/redirect?to="+url.QueryEscape(o.HTTPS+"/landed"))
		landed := o.one(t, "/landed")
		assert.Empty(t, landed.Header.Values("Proxy-Authorization"))
		assert.Empty(t, landed.Header.Values("Via"), "https:// was routed directly")
		assert.Empty(t, o.one(t, "/redirect").Header.Values("Proxy-Authorization"))
	})
}

// TestSquidProxyRefusals: a CONNECT squid cannot complete is ErrProxy with
// squid's status; a forwarded request squid cannot complete is an ordinary
// response (only a 407 is the proxy's own refusal there).
func TestSquidProxyRefusals(t *testing.T) {
	s := testenv.Squid(t, testenv.SquidOptions{})
	dead := fmt.Sprintf("127.0.0.1:%d", pxClosedPort(t))
	c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL}))

	_, err := c.Get(ctx, "https://"+dead+"/")
	pxRequireProxyError(t, err, http.StatusServiceUnavailable)
	var pse *httpx.ProxyStatusError
	if errors.As(err, &pse) {
		assert.Contains(t, pse.Status, "503")
	}

	ct := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL, Mode: httpx.ProxyTunnelOnly}))
	_, err = ct.Get(ctx, "http://"+dead+"/")
	pxRequireProxyError(t, err, http.StatusServiceUnavailable)

	r, err := c.Get(ctx, "http://"+dead+"/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, r.StatusCode, "squid's error page is a response")
	r.Close()
}

// TestProxyUnreachable: a proxy that cannot be reached is ErrProxy, as the
// issue asks (HTTPX itself raises ConnectError here).
func TestProxyUnreachable(t *testing.T) {
	dead := fmt.Sprintf("127.0.0.1:%d", pxClosedPort(t))
	for _, tc := range []struct{ name, proxy, url string }{
		{"http proxy, forward", "http://" + dead, "http://127.0.0.1:1/"},
		{"http proxy, connect", "http://" + dead, "https://127.0.0.1:1/"},
		{"https proxy", "https://" + dead, "http://127.0.0.1:1/"},
		{"socks5", "socks5://" + dead, "http://127.0.0.1:1/"},
		{"socks5h", "socks5h://" + dead, "https://localhost:1/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []httpx.ProxyMode{httpx.ProxyDefault, httpx.ProxyTunnelOnly} {
				c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: tc.proxy, Mode: mode}))
				_, err := c.Get(ctx, tc.url)
				require.Error(t, err)
				assert.ErrorIs(t, err, httpx.ErrProxy, "mode %d", mode)
				assert.NotErrorIs(t, err, httpx.ErrConnect, "mode %d", mode)
			}
		})
	}
}

// TestHTTPSProxySquid: an https:// proxy URL means TLS to the proxy (squid's
// https_port), then forwarding or a tunnel inside it: TLS in TLS, with
// HTTP/2 to the origin.
func TestHTTPSProxySquid(t *testing.T) {
	ng := testenv.Nginx(t)
	o := pxNewOrigin(t)
	s := testenv.Squid(t, testenv.SquidOptions{User: pxUser, Password: pxPass, TLS: true})
	bundle := pxCABundle(t, s.CAFile, ng.CAFile, o.CAFile)

	c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.HTTPSURL}), httpx.WithCAFile(bundle), httpx.WithHTTP2(true))
	r, _ := pxGet(t, c, o.HTTP+"/over-tls")
	assert.Equal(t, "HTTP/1.1", r.HTTPVersion())
	assert.Equal(t, pxUser, s.WaitRequestLine(t, "GET "+o.HTTP+"/over-tls").User)
	assert.Contains(t, o.one(t, "/over-tls").Header.Get("Via"), testenv.SquidVia)

	r, _ = pxGet(t, c, ng.HTTPSURL+"/")
	assert.Equal(t, "HTTP/2", r.HTTPVersion(), "h2 inside a tunnel inside TLS")

	ct := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.HTTPSURL, Mode: httpx.ProxyTunnelOnly}),
		httpx.WithCAFile(bundle), httpx.WithHTTP2(true))
	pxGet(t, ct, o.HTTP+"/tls-tunnel")
	assert.Empty(t, o.one(t, "/tls-tunnel").Header.Values("Via"))
	r, _ = pxGet(t, ct, o.HTTPS+"/tls-tunnel-tls")
	assert.Equal(t, "HTTP/2", r.HTTPVersion())

	require.NoError(t, c.Close())
	require.NoError(t, ct.Close())
	s.WaitRequestLine(t, "CONNECT "+pxHost(ng.HTTPSURL))
	s.WaitRequestLine(t, "CONNECT "+pxHost(o.HTTP))
	s.WaitRequestLine(t, "CONNECT "+pxHost(o.HTTPS))

	t.Run("wrong credentials", func(t *testing.T) {
		wrong := (&url.URL{Scheme: "https", User: url.UserPassword(pxUser, "wrong"), Host: pxHost(s.HTTPSURLNoAuth)}).String()
		for _, mode := range []httpx.ProxyMode{httpx.ProxyDefault, httpx.ProxyTunnelOnly} {
			c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: wrong, Mode: mode}), httpx.WithCAFile(bundle))
			_, err := c.Get(ctx, o.HTTPS+"/never")
			pxRequireProxyError(t, err, http.StatusProxyAuthRequired)
		}
	})
	t.Run("proxy certificate not trusted", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.HTTPSURL}), httpx.WithCAFile(o.CAFile))
		_, err := c.Get(ctx, o.HTTP+"/never")
		require.Error(t, err)
		assert.ErrorIs(t, err, httpx.ErrTransport)
		t.Logf("untrusted proxy certificate: %v (ErrConnect %v, ErrProxy %v)", err,
			errors.Is(err, httpx.ErrConnect), errors.Is(err, httpx.ErrProxy))
	})
	assert.Empty(t, o.byPath("/never"))
}

// TestProxyPoolsSquid: proxied and direct connections never mix, and each
// proxy has a pool of its own. The same origin is reached as localhost
// (routed through a proxy) and as 127.0.0.1 (direct, or another proxy).
func TestProxyPoolsSquid(t *testing.T) {
	o := pxNewOrigin(t)
	a := testenv.Squid(t, testenv.SquidOptions{User: pxUser, Password: pxPass})
	b := testenv.Squid(t, testenv.SquidOptions{})
	viaLocalhost := "http://localhost:" + o.HTTPPort

	t.Run("proxied and direct", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxies(map[string]httpx.Proxy{"all://localhost": {URL: a.URL}}))
		for i := 0; i < 3; i++ {
			pxGet(t, c, fmt.Sprintf("%s/mix-direct-%d", o.HTTP, i))
			pxGet(t, c, fmt.Sprintf("%s/mix-proxied-%d", viaLocalhost, i))
		}
		direct := o.one(t, "/mix-direct-0").RemoteAddr
		for i := 0; i < 3; i++ {
			d := o.one(t, fmt.Sprintf("/mix-direct-%d", i))
			assert.Empty(t, d.Header.Values("Via"), "a direct request went through the proxy")
			assert.Equal(t, direct, d.RemoteAddr, "direct requests share one keep-alive connection")
			p := o.one(t, fmt.Sprintf("/mix-proxied-%d", i))
			assert.Contains(t, p.Header.Get("Via"), testenv.SquidVia, "a proxied request went directly")
			assert.NotEqual(t, direct, p.RemoteAddr)
		}
		var ports []int
		for i := 0; i < 3; i++ {
			ports = append(ports, a.WaitRequestLine(t, fmt.Sprintf("GET %s/mix-proxied-%d", viaLocalhost, i)).ClientPort)
		}
		assert.Equal(t, []int{ports[0], ports[0], ports[0]}, ports, "proxied requests share one connection to the proxy")
		for _, e := range a.AccessLog() {
			assert.NotContains(t, e.URL, "mix-direct", "a direct request reached the proxy")
		}
	})

	t.Run("two proxies", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxies(map[string]httpx.Proxy{
			"all://localhost": {URL: a.URL},
			"all://127.0.0.1": {URL: b.URL},
		}))
		for i := 0; i < 3; i++ {
			pxGet(t, c, fmt.Sprintf("%s/two-a-%d", viaLocalhost, i))
			pxGet(t, c, fmt.Sprintf("%s/two-b-%d", o.HTTP, i))
		}
		portsA, portsB := map[int]bool{}, map[int]bool{}
		for i := 0; i < 3; i++ {
			portsA[a.WaitRequestLine(t, fmt.Sprintf("GET %s/two-a-%d", viaLocalhost, i)).ClientPort] = true
			portsB[b.WaitRequestLine(t, fmt.Sprintf("GET %s/two-b-%d", o.HTTP, i)).ClientPort] = true
		}
		assert.Len(t, portsA, 1, "one connection to proxy A, reused")
		assert.Len(t, portsB, 1, "one connection to proxy B, reused")
		for _, e := range a.AccessLog() {
			assert.NotContains(t, e.URL, "/two-b-", "B's request went to A")
		}
		for _, e := range b.AccessLog() {
			assert.NotContains(t, e.URL, "/two-a-", "A's request went to B")
		}
	})
}

// --- SOCKS5 ----------------------------------------------------------------

// TestMicrosocksProxy: SOCKS5 with user/password through microsocks:
// socks5 and socks5h (the host name resolved by the proxy), HTTP/2 through
// the tunnel; wrong or missing credentials are ErrProxy.
func TestMicrosocksProxy(t *testing.T) {
	ng := testenv.Nginx(t)
	o := pxNewOrigin(t)
	s := testenv.Microsocks(t, pxUser, pxPass)
	creds := url.UserPassword(pxUser, pxPass)

	for _, scheme := range []string{"socks5", "socks5h"} {
		t.Run(scheme, func(t *testing.T) {
			c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.ProxyURL(scheme, creds)}),
				httpx.WithCAFile(pxCABundle(t, ng.CAFile, o.CAFile)), httpx.WithHTTP2(true))
			_, body := pxGet(t, c, o.HTTP+"/"+scheme)
			assert.Equal(t, "ok /"+scheme, body)
			seen := o.one(t, "/"+scheme)
			assert.Empty(t, seen.Header.Values("Proxy-Authorization"), "SOCKS credentials sent to the origin")
			s.WaitLog(t, "connected to 127.0.0.1:"+o.HTTPPort)

			r, _ := pxGet(t, c, ng.HTTPSURL+"/")
			assert.Equal(t, "HTTP/2", r.HTTPVersion())
			r, _ = pxGet(t, c, "https://localhost:"+pxPort(t, ng.HTTPSURL)+"/json")
			assert.Equal(t, "HTTP/2", r.HTTPVersion())
			s.WaitLog(t, "connected to localhost:"+pxPort(t, ng.HTTPSURL))
		})
	}
	for _, tc := range []struct {
		name string
		user *url.Userinfo
	}{{"wrong password", url.UserPassword(pxUser, "wrong")}, {"no credentials", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range []string{o.HTTP + "/denied", o.HTTPS + "/denied"} {
				c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.ProxyURL("socks5", tc.user)}), httpx.WithCAFile(o.CAFile))
				_, err := c.Get(ctx, target)
				pxRequireProxyError(t, err, 0)
			}
		})
	}
	assert.Empty(t, o.byPath("/denied"))
}

// TestDanteProxy: SOCKS5 without authentication through dante; a target
// the proxy cannot reach is ErrProxy.
func TestDanteProxy(t *testing.T) {
	ng := testenv.Nginx(t)
	o := pxNewOrigin(t)
	s := testenv.Dante(t)
	for _, scheme := range []string{"socks5", "socks5h"} {
		t.Run(scheme, func(t *testing.T) {
			c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.ProxyURL(scheme, nil)}),
				httpx.WithCAFile(ng.CAFile), httpx.WithHTTP2(true))
			_, body := pxGet(t, c, o.HTTP+"/dante-"+scheme)
			assert.Equal(t, "ok /dante-"+scheme, body)
			assert.Empty(t, o.one(t, "/dante-"+scheme).Header.Values("Via"))
			r, _ := pxGet(t, c, ng.HTTPSURL+"/")
			assert.Equal(t, "HTTP/2", r.HTTPVersion())
			s.WaitLog(t, "127.0.0.1."+o.HTTPPort)
			s.WaitLog(t, "127.0.0.1."+pxPort(t, ng.HTTPSURL))
		})
	}
	t.Run("target refused", func(t *testing.T) {
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL}))
		_, err := c.Get(ctx, fmt.Sprintf("http://127.0.0.1:%d/", pxClosedPort(t)))
		pxRequireProxyError(t, err, 0)
	})
	t.Run("target forbidden", func(t *testing.T) {
		// Dante's rules pass 127.0.0.1 only.
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: s.URL}), httpx.WithTimeout(httpx.Timeouts(3*time.Second)))
		_, err := c.Get(ctx, "http://127.0.0.2/")
		pxRequireProxyError(t, err, 0)
	})
}

// --- environment -------------------------------------------------------------

var pxEnvVars = []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
	"ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"}

// pxClearEnv empties every proxy variable for the test (t.Setenv
// restores them afterwards; empty counts as unset).
func pxClearEnv(t *testing.T) {
	for _, v := range pxEnvVars {
		t.Setenv(v, "")
	}
}

// TestEnvProxies: a client with default settings honours HTTP_PROXY,
// HTTPS_PROXY, ALL_PROXY and NO_PROXY; loopback hosts are proxied unless
// NO_PROXY names them; the environment is ignored without trust_env and
// when a proxy or a transport is given. A proxy at a dead address tells a
// proxied request (it fails) from a direct one (it works).
func TestEnvProxies(t *testing.T) {
	o := pxNewOrigin(t)
	s := testenv.Squid(t, testenv.SquidOptions{User: pxUser, Password: pxPass})
	open := testenv.Squid(t, testenv.SquidOptions{})
	d := testenv.Dante(t)
	dead := fmt.Sprintf("http://127.0.0.1:%d", pxClosedPort(t))
	viaLocalhost := "http://localhost:" + o.HTTPPort
	tlsOpt := httpx.WithCAFile(o.CAFile)

	direct := func(t *testing.T, c *httpx.Client, rawURL, path string) {
		t.Helper()
		_, body := pxGet(t, c, rawURL+path)
		assert.Equal(t, "ok "+path, body)
		assert.Empty(t, o.one(t, path).Header.Values("Via"), "went through a proxy")
	}
	proxied := func(t *testing.T, c *httpx.Client, rawURL string) {
		t.Helper()
		_, err := c.Get(ctx, rawURL)
		assert.Error(t, err, "GET %s did not use the (dead) proxy", rawURL)
	}

	t.Run("HTTP_PROXY", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("HTTP_PROXY", s.URL)
		c := pxClient(t, tlsOpt)
		pxGet(t, c, o.HTTP+"/env-http")
		// Loopback is proxied (HTTPX's rule, unlike Go's ProxyFromEnvironment).
		assert.Equal(t, pxUser, s.WaitRequestLine(t, "GET "+o.HTTP+"/env-http").User)
		assert.Contains(t, o.one(t, "/env-http").Header.Get("Via"), testenv.SquidVia)
		direct(t, c, o.HTTPS, "/env-http-tls") // HTTP_PROXY is for http:// only
	})
	t.Run("http_proxy without scheme", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("http_proxy", open.Addr) // "host:port" means http://host:port
		c := pxClient(t)
		pxGet(t, c, o.HTTP+"/env-noscheme")
		open.WaitRequestLine(t, "GET "+o.HTTP+"/env-noscheme")
	})
	t.Run("lower case wins", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("HTTP_PROXY", dead)
		t.Setenv("http_proxy", open.URL)
		c := pxClient(t)
		pxGet(t, c, o.HTTP+"/env-lower")
		open.WaitRequestLine(t, "GET "+o.HTTP+"/env-lower")
	})
	t.Run("HTTPS_PROXY", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("HTTPS_PROXY", s.URL)
		c := pxClient(t, tlsOpt, httpx.WithHTTP2(true))
		r, _ := pxGet(t, c, o.HTTPS+"/env-https")
		assert.Equal(t, "HTTP/2", r.HTTPVersion())
		direct(t, c, o.HTTP, "/env-https-plain") // HTTPS_PROXY is for https:// only
		require.NoError(t, c.Close())
		assert.Equal(t, pxUser, s.WaitRequestLine(t, "CONNECT "+pxHost(o.HTTPS)).User)
	})
	t.Run("ALL_PROXY socks5h", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("ALL_PROXY", d.ProxyURL("socks5h", nil))
		c := pxClient(t, tlsOpt)
		pxGet(t, c, o.HTTP+"/env-all")
		pxGet(t, c, o.HTTPS+"/env-all-tls")
		d.WaitLog(t, "127.0.0.1."+o.HTTPPort)
		d.WaitLog(t, "127.0.0.1."+o.HTTPSPort)
	})
	t.Run("HTTP_PROXY beats ALL_PROXY", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("ALL_PROXY", dead)
		t.Setenv("HTTP_PROXY", open.URL)
		c := pxClient(t, tlsOpt)
		pxGet(t, c, o.HTTP+"/env-specific")
		open.WaitRequestLine(t, "GET "+o.HTTP+"/env-specific")
		proxied(t, c, o.HTTPS+"/env-all-dead")
	})
	t.Run("NO_PROXY", func(t *testing.T) {
		for i, tc := range []struct {
			noProxy       string
			direct, proxy string // base URLs
		}{
			{"127.0.0.1", o.HTTP, viaLocalhost},
			{"localhost", viaLocalhost, o.HTTP},
			{"example.com, 127.0.0.0/8 ,", o.HTTP, viaLocalhost},
			{"127.0.0.1:" + o.HTTPPort, o.HTTP, viaLocalhost},
			{"http://localhost", viaLocalhost, o.HTTP},
		} {
			t.Run(tc.noProxy, func(t *testing.T) {
				pxClearEnv(t)
				t.Setenv("HTTP_PROXY", dead)
				t.Setenv("NO_PROXY", tc.noProxy)
				c := pxClient(t)
				direct(t, c, tc.direct, fmt.Sprintf("/no-proxy-%d", i))
				proxied(t, c, tc.proxy+"/never")
			})
		}
		t.Run("*", func(t *testing.T) {
			pxClearEnv(t)
			t.Setenv("ALL_PROXY", dead)
			t.Setenv("no_proxy", "*")
			c := pxClient(t)
			direct(t, c, o.HTTP, "/no-proxy-star")
		})
	})
	t.Run("loopback proxied without NO_PROXY", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("ALL_PROXY", dead)
		c := pxClient(t, tlsOpt)
		proxied(t, c, o.HTTP+"/never")
		proxied(t, c, viaLocalhost+"/never")
		proxied(t, c, o.HTTPS+"/never")
	})
	t.Run("REQUEST_METHOD ignores HTTP_PROXY", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("REQUEST_METHOD", "GET")
		t.Setenv("HTTP_PROXY", dead)
		direct(t, pxClient(t), o.HTTP, "/env-cgi")
	})
	t.Run("trust_env off", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("ALL_PROXY", dead)
		c := pxClient(t, httpx.WithTrustEnv(false), tlsOpt)
		direct(t, c, o.HTTP, "/env-untrusted")
		direct(t, c, o.HTTPS, "/env-untrusted-tls")
	})
	t.Run("explicit proxy wins", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("ALL_PROXY", dead)
		c := pxClient(t, httpx.WithProxy(httpx.Proxy{URL: open.URL}))
		pxGet(t, c, o.HTTP+"/env-explicit")
		open.WaitRequestLine(t, "GET "+o.HTTP+"/env-explicit")
		// WithProxies too, even when it does not cover the request.
		c2 := pxClient(t, httpx.WithProxies(map[string]httpx.Proxy{"https://": {URL: open.URL}}))
		direct(t, c2, o.HTTP, "/env-explicit-map")
	})
	t.Run("custom transport", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("ALL_PROXY", dead)
		c := pxClient(t, httpx.WithTransport(&httpx.HTTPTransport{}))
		direct(t, c, o.HTTP, "/env-transport")
	})
	t.Run("top-level function", func(t *testing.T) {
		pxClearEnv(t)
		t.Setenv("HTTP_PROXY", open.URL)
		r, err := httpx.Get(ctx, o.HTTP+"/env-toplevel")
		require.NoError(t, err)
		r.Close()
		open.WaitRequestLine(t, "GET "+o.HTTP+"/env-toplevel")
		t.Setenv("HTTP_PROXY", dead)
		_, err = httpx.Get(ctx, o.HTTP+"/never")
		assert.Error(t, err)
		r, err = httpx.Get(ctx, o.HTTP+"/env-toplevel-untrusted", httpx.WithTrustEnv(false))
		require.NoError(t, err)
		r.Close()
	})
	assert.Empty(t, o.byPath("/never"))
}
