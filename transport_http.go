package httpx

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/gohttpx/httpx/proxy"
	"github.com/gohttpx/httpx/transport"
)

// HTTPTransport sends requests over the network: HTTP/1.1 with a keep-alive
// pool, HTTP/2 over TLS via ALPN when HTTP2 is on, and HTTP/2 prior
// knowledge (h2c) when HTTP1 is off (httpx.HTTPTransport). It is the
// client's default transport.
//
// The zero value is usable: certificate verification on, HTTP/1.1,
// DefaultLimits, the environment trusted for certificates and key logging.
// Fields must not change after the first request; configuration errors (an
// unreadable CA file, a bad proxy URL) are returned by Err and by every
// request. HTTPTransport is safe for concurrent use; Close releases its
// connections.
type HTTPTransport struct {
	// Verify turns certificate verification off when set to false (nil: on).
	Verify *bool
	// CAFile is a PEM bundle of CA certificates to trust instead of the
	// system roots (HTTPX's verify="path").
	CAFile string
	// TLSConfig, when set, is the base TLS configuration (HTTPX's
	// verify=SSLContext); the other TLS fields adjust a copy of it.
	TLSConfig *tls.Config
	// CertFile and KeyFile hold a client certificate and its key in PEM
	// (KeyFile "" when the key is in CertFile); KeyPassword decrypts an
	// encrypted key, PKCS#8 or legacy PEM.
	CertFile, KeyFile, KeyPassword string
	// HTTP1 turns HTTP/1.1 off when set to false (nil: on).
	HTTP1 *bool
	// HTTP2 turns HTTP/2 on.
	HTTP2 bool
	// Limits configures the connection pool; zero fields take DefaultLimits.
	Limits Limits
	// Proxy routes every request of this transport through a proxy, with a
	// pool of its own.
	Proxy *Proxy
	// UDS connects to this Unix domain socket instead of over TCP; the URL's
	// host is still used for the Host header and TLS.
	UDS string
	// LocalAddress binds connections to this source IP ("0.0.0.0" forces
	// IPv4, "::" IPv6).
	LocalAddress string
	// Retries retries connection setup (never requests) this many times on
	// connect errors and timeouts, waiting 0, 0.5, 1, 2 ... seconds.
	Retries int
	// TrustEnv, when false, ignores SSL_CERT_FILE, SSL_CERT_DIR and
	// SSLKEYLOGFILE (nil: trusted).
	TrustEnv *bool

	once       sync.Once
	rt         *transport.Transport
	engine     *transport.Engine // instead of rt, see useEngine
	lastAddr   atomic.Pointer[dialAddr]
	err        error
	proxyURL   *url.URL
	forward    bool // plain http:// targets are forwarded through the proxy
	forwardTLS bool // https:// targets are forwarded too (ProxyForwardOnly)
	proxyHdrs  Headers
}

// Bool returns a pointer to b, for HTTPTransport's optional fields.
func Bool(b bool) *bool { return &b }

func isTrue(b *bool) bool { return b == nil || *b }

// Err returns the configuration error, if any, building the transport
// first.
func (t *HTTPTransport) Err() error {
	t.once.Do(t.init)
	return t.err
}

func (t *HTTPTransport) init() {
	tlsCfg, err := transport.NewTLSConfig(transport.TLSOptions{
		Verify:      isTrue(t.Verify),
		CAFile:      t.CAFile,
		CertFile:    t.CertFile,
		KeyFile:     t.KeyFile,
		KeyPassword: t.KeyPassword,
		TrustEnv:    isTrue(t.TrustEnv),
		Base:        t.TLSConfig,
	})
	if err != nil {
		t.err = &UsageError{Op: "HTTPTransport", Msg: "TLS configuration: " + err.Error(), Err: err}
		return
	}
	limits := t.Limits.withDefaults()
	cfg := transport.Config{
		TLSConfig:    tlsCfg,
		HTTP1:        isTrue(t.HTTP1),
		HTTP2:        t.HTTP2,
		MaxConns:     max(limits.MaxConnections, 0),
		MaxIdleConns: max(limits.MaxKeepaliveConnections, 0),
		IdleTimeout:  limits.KeepaliveExpiry,
		UDS:          t.UDS,
		LocalAddr:    t.LocalAddress,
		Retries:      t.Retries,
	}
	if t.Proxy != nil && t.Proxy.URL != "" {
		if err := t.configureProxy(&cfg, tlsCfg); err != nil {
			t.err = err
			return
		}
	}
	if useEngine(&cfg) {
		t.engine, err = transport.NewEngine(cfg)
	} else {
		t.rt, err = transport.New(cfg)
	}
	if err != nil {
		t.err = &UsageError{Op: "HTTPTransport", Msg: err.Error(), Err: err}
	}
}

// configureProxy sets up forwarding, tunnelling or SOCKS for t.Proxy.
func (t *HTTPTransport) configureProxy(cfg *transport.Config, tlsCfg *tls.Config) error {
	pu, err := proxy.ValidateURL(t.Proxy.URL)
	if err != nil {
		return &UsageError{Op: "Proxy", Msg: err.Error(), Err: err}
	}
	t.proxyURL = pu
	t.proxyHdrs = HeadersFromMap(t.Proxy.Headers)
	if err := t.proxyHdrs.validate(nil); err != nil {
		return &UsageError{Op: "Proxy", Msg: "invalid proxy header: " + err.Error(), Err: err}
	}
	fixed := func(*http.Request) (*url.URL, error) { return pu, nil }
	if t.Proxy.Mode != ProxyTunnelOnly || pu.Scheme == "socks5" || pu.Scheme == "socks5h" {
		cfg.ProxyURL = pu // for the engine; net/http's Transport reads cfg.Proxy
	}
	if pu.Scheme == "socks5" || pu.Scheme == "socks5h" {
		// net/http speaks SOCKS5 itself, resolving names at the proxy.
		cfg.Proxy = fixed
		return nil
	}
	cfg.ProxyConnectHeader = t.proxyHdrs.HTTPHeader()
	switch t.Proxy.Mode {
	case ProxyTunnelOnly:
		d := &proxy.TunnelDialer{Proxy: pu, Header: cfg.ProxyConnectHeader, TLSConfig: tlsCfg}
		cfg.DialContext = d.DialContext
	case ProxyForwardOnly:
		cfg.Proxy = fixed
		t.forward, t.forwardTLS = true, true
	default:
		cfg.Proxy = fixed
		t.forward = true
	}
	return nil
}

// HandleRequest sends req over the network.
func (t *HTTPTransport) HandleRequest(ctx context.Context, req *Request) (*Response, error) {
	if err := checkHandleArgs("HTTPTransport", t == nil, ctx, req); err != nil {
		return nil, err
	}
	t.once.Do(t.init)
	if t.err != nil {
		return nil, t.err
	}
	if err := checkScheme(req); err != nil {
		return nil, err
	}
	to := req.Timeout()
	tto := transport.Timeouts{Connect: to.Connect, Read: to.Read, Write: to.Write, Pool: to.Pool}
	secure := req.URL.Scheme() == "https" || req.URL.Scheme() == "wss"
	serverName, err := sniHostname(req)
	if err != nil {
		return nil, err
	}
	if !secure {
		serverName = "" // no TLS to name the server in
	}
	if t.engine != nil {
		return t.sendEngine(ctx, req, tto, serverName, t.forwards(req.URL.Scheme()))
	}
	hreq, err := t.rt.NewRequest(ctx, req.Method, secure, tto)
	if err != nil {
		return nil, newRequestError(ErrLocalProtocol, req, err, "")
	}
	if err := fillHTTPRequest(hreq, req); err != nil {
		return nil, err
	}
	if serverName != "" {
		transport.SetServerName(hreq, serverName)
	}
	forwarded := t.forwards(hreq.URL.Scheme)
	if forwarded {
		t.prepareForward(hreq)
	}
	hresp, err := t.rt.RoundTrip(hreq, tto)
	if err != nil {
		return nil, classifyError(err, req)
	}
	if forwarded && hresp.StatusCode == http.StatusProxyAuthRequired {
		hresp.Body.Close()
		return nil, proxyRefused(req, hresp.StatusCode, hresp.Status)
	}
	return fromHTTPResponse(hresp, req), nil
}

// forwards reports whether a request with this URL scheme is forwarded to
// the proxy as it is, rather than tunnelled.
func (t *HTTPTransport) forwards(scheme string) bool {
	return t.forward && (scheme == "http" || scheme == "ws" || t.forwardTLS)
}

// proxyRefused is the ErrProxy error for a 407 to a forwarded request
// (HTTPX returns the response).
func proxyRefused(req *Request, code int, status string) error {
	return newRequestError(ErrProxy, req, &proxy.StatusError{StatusCode: code, Status: status}, "")
}

// prepareForward adds the proxy's headers to a forwarded request and, for an
// https:// target forwarded rather than tunnelled, writes the absolute https
// URL as the request target so the proxy makes the TLS connection.
func (t *HTTPTransport) prepareForward(hreq *http.Request) {
	for name, value := range t.proxyHdrs.All() {
		hreq.Header.Set(name, value)
	}
	if hreq.URL.Scheme == "https" {
		u := *hreq.URL
		path := u.EscapedPath()
		if u.Opaque != "" {
			path = u.Opaque
		}
		hreq.URL = &url.URL{Scheme: "http", Host: u.Host, Opaque: "https://" + u.Host + path, RawQuery: u.RawQuery, ForceQuery: u.ForceQuery}
	}
}

// PoolStats describes an HTTPTransport's connection pool at one moment.
type PoolStats struct {
	// Connections counts open connections (and ones being dialled) across
	// all hosts; it never exceeds Limits.MaxConnections.
	Connections int
	// Idle counts open connections no request is using.
	Idle int
	// Waiting counts requests waiting for a connection slot.
	Waiting int
}

// Stats reports the state of the connection pool, for monitoring.
func (t *HTTPTransport) Stats() PoolStats {
	t.once.Do(t.init)
	var s transport.Stats
	switch {
	case t.engine != nil:
		s = t.engine.Stats()
	case t.rt != nil:
		s = t.rt.Stats()
	}
	return PoolStats{Connections: s.Conns, Idle: s.Idle, Waiting: s.Waiting}
}

// Close closes every connection of the transport.
func (t *HTTPTransport) Close() error {
	t.once.Do(t.init)
	switch {
	case t.engine != nil:
		return t.engine.Close()
	case t.rt != nil:
		return t.rt.Close()
	}
	return nil
}
