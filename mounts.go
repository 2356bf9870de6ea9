package httpx

import (
	"context"
	"errors"
	"fmt"

	"github.com/gohttpx/httpx/proxy"
)

// Mounts routes each request to the transport mounted for the most specific
// URL pattern that matches it (httpx.Mounts, and what Client(mounts=...)
// builds). Patterns are "scheme://host:port" keys: "all://" (any scheme),
// "https://", "all://example.com" (that host), "all://*example.com" (the host
// and its subdomains), "all://*.example.com" (strict subdomains),
// "http://example.com:8080", "all://*:1234" (any host on that port). Patterns
// with a port come first, then longer hosts, then longer schemes.
type Mounts struct {
	table    proxy.Table[Transport]
	fallback Transport
	err      error
}

// NewMounts builds a router over m. A request that matches no pattern, or a
// pattern whose transport is nil, fails with ErrUnsupportedProtocol (inside a
// client, it goes to the client's default transport instead). An invalid
// pattern is reported by Err and by every request.
func NewMounts(m map[string]Transport) *Mounts {
	mt := &Mounts{}
	mt.err = mt.add(m)
	return mt
}

// add inserts patterns in sorted key order, so ties in priority resolve the
// same way on every run.
func (m *Mounts) add(routes map[string]Transport) error {
	var errs []error
	for _, key := range sortedKeys(routes) {
		if err := m.table.Add(key, routes[key]); err != nil {
			errs = append(errs, usageErrorWrap("mounts", err))
		}
	}
	return errors.Join(errs...)
}

func usageErrorWrap(op string, err error) error {
	return &UsageError{Op: op, Msg: err.Error(), Err: err}
}

// Err returns the error an invalid pattern caused, or nil.
func (m *Mounts) Err() error { return m.err }

// lookup returns the transport mounted for u; ok is false when no pattern
// matches. A nil transport with ok means "the default transport".
func (m *Mounts) lookup(u *URL) (Transport, bool) {
	return m.table.Lookup(u.Scheme(), u.RawHost(), u.EffectivePort())
}

// HandleRequest sends req through the matching transport.
func (m *Mounts) HandleRequest(ctx context.Context, req *Request) (*Response, error) {
	if err := checkHandleArgs("Mounts", m == nil, ctx, req); err != nil {
		return nil, err
	}
	if m.err != nil {
		return nil, m.err
	}
	t, ok := m.lookup(req.URL)
	if !ok || t == nil {
		t = m.fallback
	}
	if t == nil {
		return nil, newRequestError(ErrUnsupportedProtocol, req, nil,
			fmt.Sprintf("no transport is mounted for %s", req.URL.Redacted()))
	}
	return t.HandleRequest(ctx, req)
}

// Close closes every mounted transport that is an io.Closer.
func (m *Mounts) Close() error { return closeTransports(m.fallback, m) }

func (m *Mounts) transports() []Transport {
	var ts []Transport
	for _, t := range m.table.All() {
		if t != nil {
			ts = append(ts, t)
		}
	}
	return ts
}
