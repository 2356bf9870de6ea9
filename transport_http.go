package httpx

import (
	"context"
	"crypto/tls"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/gohttpx/httpx/proxy"
	"github.com/gohttpx/httpx/transport"
)

// HTTPTransport sends requests over the network on the connection engine
// of package transport: HTTP/1.1 with a keep-alive pool, HTTP/2 over TLS
// via ALPN when HTTP2 is on, and HTTP/2 prior knowledge (h2c) when HTTP1
// is off (httpx.HTTPTransport). It is the client's default transport. To
// send through net/http instead, use FromRoundTripper(&http.Transport{...}).
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
	engine     *transport.Engine
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
	t.engine, err = transport.NewEngine(cfg)
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
	if pu.Scheme == "socks5" || pu.Scheme == "socks5h" {
		// The engine tunnels everything through SOCKS5, the proxy
		// resolving names.
		cfg.ProxyURL = pu
		return nil
	}
	cfg.ProxyConnectHeader = t.proxyHdrs.HTTPHeader()
	switch t.Proxy.Mode {
	case ProxyTunnelOnly:
		// Every connection, http:// targets included, is a CONNECT tunnel.
		d := &proxy.TunnelDialer{Proxy: pu, Header: cfg.ProxyConnectHeader, TLSConfig: tlsCfg}
		cfg.DialContext = d.DialContext
	case ProxyForwardOnly:
		cfg.ProxyURL = pu
		t.forward, t.forwardTLS = true, true
	default:
		cfg.ProxyURL = pu
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
	return t.send(ctx, req, tto, serverName, t.forwards(req.URL.Scheme()))
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
	if t.engine != nil {
		s = t.engine.Stats()
	}
	return PoolStats{Connections: s.Conns, Idle: s.Idle, Waiting: s.Waiting}
}

// Close closes every connection of the transport.
func (t *HTTPTransport) Close() error {
	t.once.Do(t.init)
	if t.engine != nil {
		return t.engine.Close()
	}
	return nil
}
