package transport

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"time"
)

// dialPlain is http.Transport.DialContext: TCP (or the Unix socket, or
// Config.DialContext) for http:// targets and for proxies.
func (t *Transport) dialPlain(ctx context.Context, network, addr string) (net.Conn, error) {
	return t.dial(ctx, network, addr, false, "")
}

// dialTLS is http.Transport.DialTLSContext. Doing the handshake here, rather
// than leaving it to net/http, puts it under the request's connect timeout;
// returning the *tls.Conn keeps ALPN working, since net/http switches to
// HTTP/2 when the handshake negotiated h2.
func (t *Transport) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	return t.dial(ctx, network, addr, true, "")
}

// dial takes a pool slot, connects with retries and registers the
// connection. The request's timeouts arrive through ctx: net/http dials with
// a context detached from the request's cancellation but keeping its values,
// and the request state is one of them. serverName, when set, replaces the
// host of addr as the TLS server name of the target (never of a proxy).
func (t *Transport) dial(ctx context.Context, network, addr string, useTLS bool, serverName string) (net.Conn, error) {
	st, _ := ctx.Value(stateKey{}).(*reqState)
	var (
		to  Timeouts
		gen int32
	)
	if st != nil {
		to = st.to
		gen = st.gotConns.Load()
	}
	if err := t.pool.acquire(st, gen, addr, to.Pool); err != nil {
		return nil, err
	}

	// Closing the Transport must stop dials in flight too.
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(t.life, cancel)
	defer func() {
		stop()
		cancel()
	}()

	viaProxy := t.cfg.Proxy != nil && st != nil && addr != canonicalAddr(st.req.URL)
	var (
		nc  net.Conn
		c   *conn
		err error
	)
	for attempt := 0; ; attempt++ {
		nc, c, err = t.connect(ctx, network, addr, useTLS, viaProxy, serverName, to.Connect)
		if err == nil || attempt >= t.cfg.Retries || !retryable(err) {
			break
		}
		if werr := t.backoff(ctx, st, attempt); werr != nil {
			err = werr
			break
		}
	}
	if err != nil {
		t.pool.releaseSlot()
		return nil, err
	}
	if !t.pool.register(c) {
		_ = c.Conn.Close()
		t.pool.releaseSlot()
		return nil, &Error{Kind: KindClosed, Err: ErrClosed}
	}
	if viaProxy && to.Connect > 0 {
		// net/http still has the CONNECT exchange and, for https://, the
		// TLS handshake with the target to do on this connection.
		c.setSetupDeadline(time.Now().Add(to.Connect))
	}
	t.reserve(st, gen, c)
	return nc, nil
}

// reserve marks c as dialled for st until st picks it up. If st already got
// another connection or finished, nobody is going to pick c up, and it is
// idle (net/http puts it into its idle pool).
func (t *Transport) reserve(st *reqState, gen int32, c *conn) {
	if st == nil {
		if c.unreserve() {
			t.pool.wentIdle(c)
		}
		return
	}
	if old := st.pending.Swap(c); old != nil && old.unreserve() {
		t.pool.wentIdle(old)
	}
	if st.gotConns.Load() != gen || st.done.Load() {
		if st.pending.CompareAndSwap(c, nil) && c.unreserve() {
			t.pool.wentIdle(c)
		}
	}
}

// connect makes one attempt: dial, then the TLS handshake, both within one
// connect timeout.
func (t *Transport) connect(ctx context.Context, network, addr string, useTLS, viaProxy bool, serverName string, timeout time.Duration) (net.Conn, *conn, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	nc, err := t.dialRaw(ctx, network, addr)
	if err != nil {
		return nil, nil, t.connectError(ctx, err)
	}
	c := newConn(&t.pool, nc, addr)
	if !useTLS {
		if t.cfg.h2c() && !viaProxy {
			c.proto.Store(protoH2)
		} else if !viaProxy {
			c.proto.Store(protoH1)
		}
		return c, c, nil
	}

	cfg := t.tlsConfig.Clone()
	switch {
	case serverName != "" && !viaProxy:
		cfg.ServerName = serverName
	case cfg.ServerName == "":
		cfg.ServerName = hostOf(addr)
	}
	if viaProxy {
		// The TLS connection to an https:// proxy carries HTTP/1.1 only.
		cfg.NextProtos = []string{"http/1.1"}
	}
	tc := tls.Client(c, cfg)
	if !deadline.IsZero() {
		_ = nc.SetDeadline(deadline)
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = nc.Close()
		return nil, nil, t.connectError(ctx, err)
	}
	if !deadline.IsZero() {
		_ = nc.SetDeadline(time.Time{})
	}
	if !viaProxy {
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			c.proto.Store(protoH2)
		} else {
			c.proto.Store(protoH1)
		}
	}
	return tc, c, nil
}

// retryable reports the failures Config.Retries retries.
func retryable(err error) bool {
	k := Classify(err)
	return k == KindConnect || k == KindConnectTimeout
}

// backoff waits before retry number attempt+1: 0, 0.5, 1, 2, 4 ... seconds
// (httpcore's schedule), giving up when the request's context ends or the
// Transport closes.
func (t *Transport) backoff(ctx context.Context, st *reqState, attempt int) error {
	d := t.backoffDelay(attempt)
	var reqDone <-chan struct{}
	if st != nil {
		reqDone = st.Context.Done()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-reqDone:
		return &Error{Kind: KindCanceled, Err: st.Context.Err()}
	case <-ctx.Done():
		if t.closed.Load() {
			return &Error{Kind: KindClosed, Err: ErrClosed}
		}
		return &Error{Kind: KindConnect, Err: ctx.Err()}
	}
}

// hostOf strips the port from a host:port address.
func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// canonicalAddr is net/http's dial address for u: host:port with the
// scheme's default port filled in.
func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}
