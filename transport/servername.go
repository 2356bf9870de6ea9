package transport

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// A request may name its TLS server itself (HTTPX's sni_hostname
// extension): the handshake sends that name and verifies the certificate
// against it, while the connection still goes to the URL's host. Such a
// connection must serve only requests for the same name, and net/http keys
// its pool on scheme, address and proxy alone; so each server name gets an
// http.Transport of its own, a clone of the main one whose TLS dialer names
// that server. The clones share this Transport's connection cap, timeouts
// and error typing, since all of those live in the dialer and the request
// state; Config.MaxIdleConns applies per clone. A clone lives as long as the
// Transport: a program that names unboundedly many servers should use a
// Transport per batch of them.

// serverNames holds the per-name clones of Transport.rt.
type serverNames struct {
	mu  sync.Mutex
	rts map[string]*http.Transport
}

// SetServerName makes req, which NewRequest returned, send name as the TLS
// server name (SNI) and verify the certificate against it instead of the
// URL's host, on connections made for that name only. (A plain http://
// request has no handshake: the name would only keep its connections
// apart.) It reports false for a request NewRequest did not make, which has
// no state to carry the name.
func SetServerName(req *http.Request, name string) bool {
	st, ok := req.Context().Value(stateKey{}).(*reqState)
	if !ok || st.req != req {
		return false
	}
	st.serverName = name
	return true
}

// transportFor returns the http.Transport for requests naming their TLS
// server name: t.rt for "", else the clone for name, made on first use.
func (t *Transport) transportFor(name string) *http.Transport {
	if name == "" {
		return t.rt
	}
	t.names.mu.Lock()
	defer t.names.mu.Unlock()
	if rt, ok := t.names.rts[name]; ok {
		return rt
	}
	rt := t.rt.Clone()
	// net/http does the handshake itself with this config on a connection
	// tunnelled through a proxy.
	rt.TLSClientConfig.ServerName = name
	rt.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return t.dial(ctx, network, addr, true, name)
	}
	if t.names.rts == nil {
		t.names.rts = make(map[string]*http.Transport)
	}
	t.names.rts[name] = rt
	return rt
}

// closeIdleNamed closes the idle connections of every per-name clone.
func (t *Transport) closeIdleNamed() {
	t.names.mu.Lock()
	defer t.names.mu.Unlock()
	for _, rt := range t.names.rts {
		rt.CloseIdleConnections()
	}
}
