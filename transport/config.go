package transport

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Timeouts are HTTPX's four per-phase limits for one request. A zero field
// means no limit for that phase. Read and Write limit each single read or
// write of the exchange, not the whole transfer: a download that keeps
// trickling never times out, one that stalls does. They come with each
// Request rather than the Config, because HTTPX lets every request carry
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

// Config holds everything an Engine needs; it is read once by NewEngine.
// The zero value is a usable HTTP/1.1 engine with verification on, no
// connection cap, no idle cap and no idle expiry.
type Config struct {
	// TLSConfig is the client TLS configuration (see NewTLSConfig); nil means
	// the system roots with verification on. NewEngine copies it and sets
	// the ALPN protocols itself.
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
	// Engine still applies the connect timeout (through the context), the
	// retries, the pool and TLS with ALPN on top. An *Error it returns keeps
	// its Kind, so a tunnel can report KindProxy.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// ProxyURL is the proxy: an http:// or https:// proxy carries the
	// requests marked Forward as they are and tunnels the others with
	// CONNECT; a socks5:// or socks5h:// proxy tunnels everything, the
	// proxy resolving names.
	ProxyURL *url.URL
	// ProxyConnectHeader is sent with every CONNECT request.
	ProxyConnectHeader http.Header
	// MaxResponseHeaderBytes limits the response header size (1xx interim
	// responses included); 0 means DefaultMaxResponseHeaderBytes.
	MaxResponseHeaderBytes int64
}

// DefaultMaxResponseHeaderBytes caps response headers at 1 MiB: far above
// what real servers send, far below net/http's own client default of 10 MiB
// that would let a hostile server make us buffer that much per request.
const DefaultMaxResponseHeaderBytes = 1 << 20

// keepAlive reports whether connections may be reused at all.
func (c *Config) keepAlive() bool { return c.MaxIdleConns >= 0 && c.IdleTimeout >= 0 }

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
