package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gohttpx/httpx/proxy"
)

// dialer opens the Engine's connections. It holds the configuration, the
// TLS base configuration with its ALPN protocols, and the local address to
// bind.
type dialer struct {
	cfg       Config
	tlsConfig *tls.Config
	localAddr *net.TCPAddr
	network   string // "tcp4"/"tcp6" when LocalAddr fixes the family
	closed    atomic.Bool

	// backoffHook, when set, sees each delay before a connect retry and
	// returns the one to wait instead; tests check the schedule with it
	// without sleeping through it.
	backoffHook func(time.Duration) time.Duration
}

// init checks and keeps cfg.
func (t *dialer) init(cfg Config) error {
	if !cfg.HTTP1 && !cfg.HTTP2 {
		cfg.HTTP1 = true
	}
	if cfg.Retries < 0 {
		return fmt.Errorf("transport: negative Retries %d", cfg.Retries)
	}
	t.cfg = cfg
	if cfg.LocalAddr != "" && cfg.UDS == "" {
		ip := net.ParseIP(cfg.LocalAddr)
		if ip == nil {
			return fmt.Errorf("transport: LocalAddr %q is not an IP address", cfg.LocalAddr)
		}
		t.localAddr = &net.TCPAddr{IP: ip}
		t.network = "tcp6"
		if ip.To4() != nil {
			t.network = "tcp4"
		}
	}
	t.tlsConfig = cfg.TLSConfig.Clone()
	if t.tlsConfig == nil {
		t.tlsConfig = &tls.Config{}
	}
	t.tlsConfig.NextProtos = NextProtos(cfg.HTTP1, cfg.HTTP2)
	return nil
}

// backoffDelay is the wait before retry number attempt+1: 0, 0.5, 1, 2, 4
// ... seconds (httpcore's schedule).
func (t *dialer) backoffDelay(attempt int) time.Duration {
	var d time.Duration
	if attempt > 0 {
		d = 500 * time.Millisecond << (attempt - 1)
	}
	if t.backoffHook != nil {
		d = t.backoffHook(d)
	}
	return d
}

// dialRaw opens the byte stream: Config.DialContext (a proxy's tunnel), the
// Unix socket, or TCP from Config.LocalAddr.
func (t *dialer) dialRaw(ctx context.Context, network, addr string) (net.Conn, error) {
	return t.dialRawAt(ctx, network, addr, nil)
}

// dialRawAt is dialRaw noting in at, for a TCP dial of its own, when the
// name was resolved (the first connect began).
func (t *dialer) dialRawAt(ctx context.Context, network, addr string, at *resolvedAt) (net.Conn, error) {
	switch {
	case t.cfg.DialContext != nil:
		return t.cfg.DialContext(ctx, network, addr)
	case t.cfg.UDS != "":
		var d net.Dialer
		return d.DialContext(ctx, "unix", t.cfg.UDS)
	}
	var d net.Dialer
	if t.localAddr != nil {
		// A nil *net.TCPAddr in the interface would print as "<nil>->"
		// in every dial error.
		d.LocalAddr = t.localAddr
	}
	if t.network != "" {
		network = t.network
	}
	if at != nil {
		d.ControlContext = func(context.Context, string, string, syscall.RawConn) error {
			at.mark()
			return nil
		}
	}
	return d.DialContext(ctx, network, addr)
}

// connectError types a failed connection attempt: a timeout if the connect
// deadline passed, else a connect error, unless the dialer (say, a SOCKS
// tunnel) already said more.
func (t *dialer) connectError(ctx context.Context, err error) error {
	if t.closed.Load() {
		return &Error{Kind: KindClosed, Err: withCause(ErrClosed, err)}
	}
	var te *Error
	if errors.As(err, &te) {
		return err
	}
	kind := KindConnect
	var refused *proxy.StatusError
	switch {
	case errors.As(err, &refused):
		// The proxy answered CONNECT with something else than 200.
		kind = KindProxy
	case isTimeout(err), errors.Is(ctx.Err(), context.DeadlineExceeded):
		kind = KindConnectTimeout
	case Classify(err) == KindProxy:
		kind = KindProxy
	}
	return &Error{Kind: kind, Err: err}
}

// retryable reports the failures Config.Retries retries.
func retryable(err error) bool {
	k := Classify(err)
	return k == KindConnect || k == KindConnectTimeout
}

// hostOf strips the port from a host:port address.
func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
