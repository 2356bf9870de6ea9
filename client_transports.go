package httpx

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"

	"github.com/gohttpx/httpx/proxy"
	"github.com/gohttpx/httpx/transport"
)

// transportSettings are the client options that configure the
// HTTPTransports the client builds for itself (HTTPX passes verify, cert,
// http1, http2 and limits to every transport it creates, proxies included).
type transportSettings struct {
	verify                         *bool
	caFile                         string
	tlsConfig                      *tls.Config
	certFile, keyFile, keyPassword string
	http1                          *bool
	http2                          bool
	limits                         Limits
}

func (s *transportSettings) newHTTPTransport(p *Proxy, trustEnv bool) *HTTPTransport {
	return &HTTPTransport{
		Verify: s.verify, CAFile: s.caFile, TLSConfig: s.tlsConfig,
		CertFile: s.certFile, KeyFile: s.keyFile, KeyPassword: s.keyPassword,
		HTTP1: s.http1, HTTP2: s.http2, Limits: s.limits, Proxy: p, TrustEnv: Bool(trustEnv),
	}
}

// buildTransports assembles the client's default transport and its routing
// table, in HTTPX's order: the default transport (custom, app, or an
// HTTPTransport); proxies, explicit or else from the environment (only with
// trust_env and no custom transport); then the user's mounts, which replace
// environment entries of the same key. Each distinct proxy gets one
// HTTPTransport, so proxied and direct connections never share a pool.
func buildTransports(cfg *clientConfig) (Transport, *Mounts, error) {
	var errs []error
	keep := func(t *HTTPTransport) Transport {
		if err := t.Err(); err != nil {
			errs = append(errs, err)
		}
		return t
	}
	var def Transport
	switch {
	case cfg.transport != nil:
		def = cfg.transport
	case cfg.app != nil:
		def = &HandlerTransport{Handler: cfg.app}
	default:
		def = keep(cfg.settings.newHTTPTransport(nil, cfg.trustEnv))
	}
	m := &Mounts{fallback: def}
	perProxy := map[string]Transport{}
	proxied := func(p Proxy) Transport {
		if p.URL == "" {
			return nil // NoProxy: the default transport
		}
		key := fmt.Sprint(p.Mode, " ", p.URL)
		if len(p.Headers) > 0 {
			return keep(cfg.settings.newHTTPTransport(&p, cfg.trustEnv))
		}
		if t, ok := perProxy[key]; ok {
			return t
		}
		t := keep(cfg.settings.newHTTPTransport(&p, cfg.trustEnv))
		perProxy[key] = t
		return t
	}
	switch {
	case cfg.proxies != nil:
		for _, key := range sortedKeys(cfg.proxies) {
			if err := m.table.Add(key, proxied(cfg.proxies[key])); err != nil {
				errs = append(errs, usageErrorWrap("WithProxies", err))
			}
		}
	case cfg.trustEnv && cfg.transport == nil && cfg.app == nil:
		routes, err := proxy.FromEnviron(os.Getenv).Routes()
		if err != nil {
			errs = append(errs, usageErrorWrap("environment proxies", err))
		}
		for _, r := range routes {
			m.table.AddPattern(r.Pattern, proxied(Proxy{URL: r.ProxyURL}))
		}
	}
	if err := m.add(cfg.mounts); err != nil {
		errs = append(errs, err)
	}
	if m.table.Len() == 0 {
		m = nil
	}
	return def, m, errors.Join(errs...)
}

// WithVerify turns certificate verification off (false) or on (the default).
func WithVerify(verify bool) ClientOption {
	return clientOption(func(c *clientConfig) { c.settings.verify = Bool(verify) })
}

// WithCAFile trusts the CA certificates in a PEM file instead of the system
// roots (HTTPX's verify="path/to/ca.pem").
func WithCAFile(path string) ClientOption {
	return clientOption(func(c *clientConfig) { c.settings.caFile = path })
}

// WithTLSConfig uses cfg as the base TLS configuration (HTTPX's
// verify=ssl_context); see NewTLSConfig to build one.
func WithTLSConfig(cfg *tls.Config) ClientOption {
	return clientOption(func(c *clientConfig) { c.settings.tlsConfig = cfg })
}

// WithCert presents a client certificate: PEM files for the certificate and
// its key (keyFile "" when the key is in certFile), and the password of an
// encrypted key ("" for none).
func WithCert(certFile, keyFile, password string) ClientOption {
	return clientOption(func(c *clientConfig) {
		c.settings.certFile, c.settings.keyFile, c.settings.keyPassword = certFile, keyFile, password
	})
}

// WithHTTP1 turns HTTP/1.1 off (false) or on (the default). With HTTP/1.1
// off and HTTP/2 on, http:// URLs use HTTP/2 prior knowledge (h2c).
func WithHTTP1(enabled bool) ClientOption {
	return clientOption(func(c *clientConfig) { c.settings.http1 = Bool(enabled) })
}

// WithHTTP2 turns HTTP/2 on: negotiated by ALPN over TLS.
func WithHTTP2(enabled bool) ClientOption {
	return clientOption(func(c *clientConfig) { c.settings.http2 = enabled })
}

// WithLimits configures the connection pools of the client's transports.
func WithLimits(l Limits) ClientOption {
	return clientOption(func(c *clientConfig) { c.settings.limits = l })
}

// WithProxy sends all traffic through one proxy (HTTPX's proxy=); the
// environment's proxy variables are then ignored.
func WithProxy(p Proxy) ClientOption {
	return WithProxies(map[string]Proxy{"all://": p})
}

// WithProxies routes requests to proxies by URL pattern, with the keys of
// WithMounts ("all://", "https://", "all://*example.com", ...); NoProxy as a
// value sends matching requests directly. The environment's proxy variables
// are then ignored. Invalid keys or proxy URLs are reported by Client.Err.
func WithProxies(m map[string]Proxy) ClientOption {
	return clientOption(func(c *clientConfig) {
		if c.proxies == nil {
			c.proxies = make(map[string]Proxy, len(m))
		}
		for k, v := range m {
			c.proxies[k] = v
		}
	})
}

// NewTLSConfig builds the *tls.Config a client would use (HTTPX's
// create_ssl_context) from the options WithVerify, WithCAFile,
// WithTLSConfig, WithCert, WithTrustEnv, WithHTTP1 and WithHTTP2; other
// options are ignored. WithHTTP2(true) offers h2 by ALPN, next to http/1.1
// unless WithHTTP1(false), as create_ssl_context(http2=True) does, so that
// the config also negotiates HTTP/2 on connections made outside this
// package (a client's transport sets ALPN itself either way). With
// none, verification is on against the system roots, and the environment
// is trusted: SSL_CERT_FILE / SSL_CERT_DIR choose the roots, SSLKEYLOGFILE
// enables key logging. A bad file or key password is an ErrUsage error.
func NewTLSConfig(opts ...ClientOption) (*tls.Config, error) {
	cfg := clientConfig{trustEnv: true}
	if err := applyClientOptions("NewTLSConfig", &cfg, opts); err != nil {
		return nil, err
	}
	s := &cfg.settings
	tlsCfg, err := transport.NewTLSConfig(transport.TLSOptions{
		Verify: isTrue(s.verify), CAFile: s.caFile, Base: s.tlsConfig,
		CertFile: s.certFile, KeyFile: s.keyFile, KeyPassword: s.keyPassword,
		TrustEnv: cfg.trustEnv,
	})
	if err != nil {
		return nil, &UsageError{Op: "NewTLSConfig", Msg: err.Error(), Err: err}
	}
	if s.http2 {
		tlsCfg.NextProtos = transport.NextProtos(isTrue(s.http1), true)
	}
	return tlsCfg, nil
}
