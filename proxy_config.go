package httpx

import "github.com/gohttpx/httpx/proxy"

// ProxyStatusError is the cause of an ErrProxy error when the proxy answered
// with a refusal: a CONNECT answered with a non-2xx status, or a 407 to a
// forwarded request. Reach it with errors.As.
type ProxyStatusError = proxy.StatusError

// ProxyMode chooses how an HTTP proxy is used (HTTPX's proxy_mode).
type ProxyMode int

const (
	// ProxyDefault forwards http:// requests (absolute-form request line)
	// and tunnels https:// requests through CONNECT.
	ProxyDefault ProxyMode = iota
	// ProxyForwardOnly forwards every request, https:// included.
	ProxyForwardOnly
	// ProxyTunnelOnly tunnels every request through CONNECT, http:// included.
	ProxyTunnelOnly
)

// Proxy configures a proxy (httpx.Proxy). Credentials come from the URL's
// userinfo and are sent only to the proxy.
type Proxy struct {
	// URL is the proxy's URL: http://, https://, socks5:// or socks5h://.
	URL string
	// Mode selects forwarding or tunnelling for HTTP proxies.
	Mode ProxyMode
	// Headers are sent to the proxy (on CONNECT, or with forwarded requests).
	Headers map[string]string
}

// NoProxy, as a WithProxies value, sends matching requests directly.
var NoProxy Proxy
