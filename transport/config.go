package transport

import (
	"cmp"
	"context"
	"crypto/tls"
	"math"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gohttpx/httpx/proxy"
)

// Timeouts are HTTPX's four per-phase limits for one request. A zero field
// means no limit for that phase. Read and Write limit each single read or
// write of the exchange, not the whole transfer: a download that keeps
// trickling never times out, one that stalls does. They are passed to
// RoundTrip rather than configured, because HTTPX lets every request carry
// its own.
type Timeouts struct {
	// Connect limits the TCP connect and the TLS handshake of a new
	// connection, each attempt on its own when Config.Retries retries.
	Connect time.Duration
	// Read limits each wait for response data: the headers, then every body
	// read.
	Read time.Duration
	// Write limits each write of the request; over HTTP/2, each wait for the
	// request body to make progress.
	Write time.Duration
	// Pool limits the wait for a connection slot when Config.MaxConns
	// connections are already open.
	Pool time.Duration
}

// Config holds everything a Transport needs; it is read once by New. The
// zero value is a usable HTTP/1.1 transport with verification on, no
// connection cap, no idle cap and no idle expiry.
type Config struct {
	// TLSConfig is the client TLS configuration (see NewTLSConfig); nil means
	// the system roots with verification on. New copies it and sets the
	// ALPN protocols itself.
	TLSConfig *tls.Config
	// HTTP1 and HTTP2 choose the protocols. HTTP2 offers h2 over TLS by ALPN
	// next to HTTP/1.1 when HTTP1 is set too; HTTP2 without HTTP1 also speaks
	// h2c with prior knowledge to http:// URLs. Both false means HTTP/1.1.
	HTTP1, HTTP2 bool
	// MaxConns caps the connections open (or being dialled) at once across
	// all hosts; <= 0 means no cap. A request that needs a new connection
	// when the cap is reached first has an idle connection closed, else
	// waits up to Timeouts.Pool.
	MaxConns int
	// MaxIdleConns caps the idle keep-alive connections; 0 means no cap and
	// a negative value turns keep-alive off.
	MaxIdleConns int
	// IdleTimeout closes connections idle for this long; 0 means never and a
	// negative value turns keep-alive off.
	IdleTimeout time.Duration
	// UDS, when set, dials this Unix socket instead of TCP; the URL's host
	// still gives the Host header and the TLS server name.
	UDS string
	// LocalAddr binds outgoing TCP connections to this source IP;
	// "0.0.0.0" forces IPv4 and "::" IPv6.
	LocalAddr string
	// Retries retries establishing a connection (dial and TLS handshake, never
	// a request) this many times after connect errors and connect timeouts,
	// waiting 0, 0.5, 1, 2, 4 ... seconds in between.
	Retries int
	// DialContext, when set, replaces the TCP dialer (UDS and LocalAddr are
	// then ignored); proxies plug their tunnelling dialers in here. The
	// Transport still applies the connect timeout (through the context), the
	// retries, the pool and TLS with ALPN on top. An *Error it returns keeps
	// its Kind, so a tunnel can report KindProxy.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Proxy is handed to http.Transport.Proxy: net/http then forwards
	// http:// requests to the proxy and tunnels https:// ones with CONNECT.
	Proxy func(*http.Request) (*url.URL, error)
	// ProxyConnectHeader is sent with every CONNECT request.
	ProxyConnectHeader http.Header
	// ProxyURL is the Engine's proxy (Transport uses Proxy instead): an
	// http:// or https:// proxy carries the requests marked Forward as
	// they are and tunnels the others with CONNECT; a socks5:// or
	// socks5h:// proxy tunnels everything, the proxy resolving names.
	ProxyURL *url.URL
	// MaxResponseHeaderBytes limits the response header size (1xx interim
	// responses included); 0 means DefaultMaxResponseHeaderBytes.
	MaxResponseHeaderBytes int64
}

// DefaultMaxResponseHeaderBytes caps response headers at 1 MiB: far above
// what real servers send, far below net/http's own client default of 10 MiB
// that would let a hostile server make us buffer that much per request.
const DefaultMaxResponseHeaderBytes = 1 << 20

// h2c reports whether plain http:// URLs speak HTTP/2 with prior knowledge.
func (c *Config) h2c() bool { return c.HTTP2 && !c.HTTP1 }

// keepAlive reports whether connections may be reused at all.
func (c *Config) keepAlive() bool { return c.MaxIdleConns >= 0 && c.IdleTimeout >= 0 }

// New builds a Transport from cfg. It fails only on settings that can never
// work, such as an unparsable LocalAddr.
func New(cfg Config) (*Transport, error) {
	t := &Transport{closedCh: make(chan struct{})}
	if err := t.dialer.init(cfg); err != nil {
		return nil, err
	}
	cfg = t.cfg
	t.life, t.endLife = context.WithCancel(context.Background())
	t.pool.init(cfg.MaxConns, t.closedCh)

	var protos http.Protocols
	protos.SetHTTP1(cfg.HTTP1)
	protos.SetHTTP2(cfg.HTTP2)
	protos.SetUnencryptedHTTP2(cfg.h2c())

	rt := &http.Transport{
		Protocols:              &protos,
		DisableCompression:     true,
		DialContext:            t.dialPlain,
		DialTLSContext:         t.dialTLS,
		Proxy:                  t.proxyFor,
		ProxyConnectHeader:     cfg.ProxyConnectHeader,
		OnProxyConnectResponse: onProxyConnectResponse,
		TLSClientConfig:        t.tlsConfig.Clone(),
		MaxResponseHeaderBytes: cmp.Or(cfg.MaxResponseHeaderBytes, DefaultMaxResponseHeaderBytes),
		DisableKeepAlives:      !cfg.keepAlive(),
		// Hold a body back for a second when the request says
		// "Expect: 100-continue", as net/http's DefaultTransport does: a
		// server refusing it (417, 401) then spares us sending it. Requests
		// without that header are unaffected.
		ExpectContinueTimeout: time.Second,
	}
	if cfg.keepAlive() {
		rt.MaxIdleConns = cfg.MaxIdleConns
		rt.MaxIdleConnsPerHost = cfg.MaxIdleConns
		if cfg.MaxIdleConns == 0 {
			// net/http's per-host default of 2 would be a cap HTTPX lacks.
			rt.MaxIdleConnsPerHost = math.MaxInt32
		}
		rt.IdleConnTimeout = cfg.IdleTimeout
	}
	t.rt = rt
	return t, nil
}

// NextProtos returns the ALPN protocols a client offers for the chosen HTTP
// versions, h2 first so that a server without a preference picks HTTP/2;
// both false means HTTP/1.1.
func NextProtos(http1, http2 bool) []string {
	switch {
	case http1 && http2:
		return []string{"h2", "http/1.1"}
	case http2:
		return []string{"h2"}
	}
	return []string{"http/1.1"}
}

// proxyFor is http.Transport.Proxy. Besides asking Config.Proxy, it is the
// one hook net/http calls before every attempt of a request, which lets a
// timeout this package enforced stop net/http from retrying the request on a
// new connection as if a stale keep-alive connection had failed.
func (t *Transport) proxyFor(req *http.Request) (*url.URL, error) {
	if st, ok := req.Context().Value(stateKey{}).(*reqState); ok {
		if err := st.failure(); err != nil {
			return nil, err
		}
	}
	if t.cfg.Proxy != nil {
		return t.cfg.Proxy(req)
	}
	return nil, nil
}

// onProxyConnectResponse turns a refused CONNECT (407 and friends) into
// HTTPX's ProxyError; net/http would return the bare status text.
func onProxyConnectResponse(_ context.Context, _ *url.URL, req *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return &Error{Kind: KindProxy, Err: &proxy.StatusError{StatusCode: resp.StatusCode, Status: resp.Status, Target: req.URL.Host}}
}
