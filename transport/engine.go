package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"golang.org/x/net/http2"
	xproxy "golang.org/x/net/proxy"

	"github.com/gohttpx/httpx/internal/h1"
	"github.com/gohttpx/httpx/proxy"
)

// Engine is the connection engine of our own: HTTP/1.1 with a strict codec
// (internal/h1) on connections that do their I/O on the requesting
// goroutine under per-phase deadlines; HTTP/2 through x/net/http2 on
// connections it dialled (h2 by ALPN when Config.HTTP2 is set, prior
// knowledge for http:// when Config.HTTP1 is not); and one pool that owns
// every connection of both (MaxConns across hosts, MaxIdleConns,
// IdleTimeout, a liveness probe before reuse, the pool timeout). It is
// safe for concurrent use.
//
// It dials with Config.DialContext, UDS, LocalAddr, TLS and Retries, and
// goes through Config.ProxyURL: forwarding to an HTTP or HTTPS proxy,
// CONNECT tunnels, SOCKS5.
type Engine struct {
	dialer
	tunnel  func(ctx context.Context, network, addr string) (net.Conn, error) // through ProxyURL
	maxHead int                                                               // Config.MaxResponseHeaderBytes, defaulted
	h2      *http2.Transport                                                  // nil without HTTP/2
	pool    connPool
	life    context.Context // canceled by Close, to stop dials in flight
	endLife context.CancelFunc
}

// Request is one request as the Engine sends it.
type Request struct {
	Method string
	// Scheme is "http" or "https".
	Scheme string
	// Addr is the host:port to connect to.
	Addr string
	// ServerName, when set, names the TLS server instead of Addr's host
	// (HTTPX's sni_hostname); connections are pooled per name.
	ServerName string
	// Target is the request-target written on the request line: "/path?q",
	// "*", or an absolute URL.
	Target string
	// Header holds the fields in order, Host included. The values of
	// Content-Length and Transfer-Encoding are replaced by the framing the
	// body gets (see ContentLength).
	Header Fields
	// Body is read once, nil for none. ContentLength is its length: -1
	// when unknown (sent chunked), 0 for none.
	Body          io.Reader
	ContentLength int64
	// GetBody, when set, returns the body afresh: a request that meets a
	// stale kept-alive connection is then sent again on a new one.
	GetBody func() (io.Reader, error)
	// ExpectContinue holds the body back until the server answers 100
	// Continue, for up to a second (the head carries the Expect field).
	ExpectContinue bool
	// Forward sends the request to Config.ProxyURL as it is, on a
	// connection to the proxy (Target then is the absolute URL); without
	// it a proxy tunnels the connection to Addr.
	Forward  bool
	Timeouts Timeouts
	// Observe, when set, sees each step of the request as it happens (see
	// Event), on the goroutine doing the step: for HTTP/2 some arrive from
	// x/net/http2's, one at a time. Nil costs nothing.
	Observe func(Event)
}

// Fields is a request's header fields as the engine reads them: an
// interface rather than an iterator, so that writing the head captures
// nothing on the heap.
type Fields interface {
	Len() int
	At(i int) (name, value string)
}

// FieldList is a Fields of name and value pairs.
type FieldList []string

// Len returns the number of fields.
func (l FieldList) Len() int { return len(l) / 2 }

// At returns field i.
func (l FieldList) At(i int) (string, string) { return l[2*i], l[2*i+1] }

// connKey is what the pool keys connections on.
type connKey struct {
	scheme, addr, serverName string
}

// Response is a response head, with the body still on the connection.
type Response struct {
	Status int
	Reason string
	Proto  string // "HTTP/1.1" or "HTTP/1.0"
	Header []h1.Field
	// Body must be closed, or read to its end, to release the connection.
	// After a 101 it is the connection itself, an io.ReadWriteCloser.
	Body   io.ReadCloser
	TLS    *tls.ConnectionState
	Reused bool // sent on a connection that had served a request before
	// Timings are the request's phases; Read is set when the body ends.
	Timings Timings

	body responseBody
}

// NewEngine builds an Engine from cfg. It fails only on settings that can
// never work: a negative Retries, an unparsable LocalAddr, a proxy URL the
// SOCKS dialer refuses.
func NewEngine(cfg Config) (*Engine, error) {
	e := &Engine{}
	if err := e.dialer.init(cfg); err != nil {
		return nil, err
	}
	maxHeader := cfg.MaxResponseHeaderBytes
	if maxHeader <= 0 {
		maxHeader = DefaultMaxResponseHeaderBytes
	}
	e.maxHead = int(min(maxHeader, 1<<31-1))
	if cfg.HTTP2 {
		e.h2 = &http2.Transport{
			// The caller asks for and undoes compression itself.
			DisableCompression: true,
			AllowHTTP:          true,
			MaxHeaderListSize:  uint32(e.maxHead),
		}
	}
	if pu := cfg.ProxyURL; pu != nil {
		switch pu.Scheme {
		case "socks5", "socks5h":
			var auth *xproxy.Auth
			if pu.User != nil {
				pass, _ := pu.User.Password()
				auth = &xproxy.Auth{User: pu.User.Username(), Password: pass}
			}
			d, err := xproxy.SOCKS5("tcp", hostPort(pu), auth, rawDialer{&e.dialer})
			if err != nil {
				return nil, err
			}
			e.tunnel = d.(xproxy.ContextDialer).DialContext
		default:
			td := &proxy.TunnelDialer{Proxy: pu, Header: cfg.ProxyConnectHeader, TLSConfig: e.proxyTLS(), Dial: e.dialRaw}
			e.tunnel = td.DialContext
		}
	}
	e.pool.init(&e.cfg)
	e.life, e.endLife = context.WithCancel(context.Background())
	return e, nil
}

// Do sends req and returns the response head; every error is an *Error.
func (e *Engine) Do(ctx context.Context, req *Request) (*Response, error) {
	resp := new(Response)
	if err := e.DoInto(ctx, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// DoInto is Do writing the response head into resp, which the caller may
// keep inside a larger value of its own: one allocation less per request.
// resp must stay in place until its body is closed.
func (e *Engine) DoInto(ctx context.Context, req *Request, resp *Response) error {
	if e.closed.Load() {
		return &Error{Kind: KindClosed, Err: ErrClosed}
	}
	key := connKey{req.Scheme, req.Addr, req.ServerName}
	if req.Forward {
		key = connKey{"forward", hostPort(e.cfg.ProxyURL), ""}
	}
	body, fresh, mayH2 := req.Body, false, e.mayH2(req)
	for {
		resp.Timings = Timings{}
		l, err := e.conn(ctx, req, key, fresh, mayH2, &resp.Timings)
		if err != nil {
			return err
		}
		var reused bool
		if l.h2 != nil {
			reused = l.reused
			err = l.h2.roundTrip(ctx, req, body, reused, resp)
		} else {
			reused = l.h1.served > 0
			err = l.h1.roundTrip(ctx, req, body, resp)
		}
		if err == nil {
			return nil
		}
		if fresh || !reused || !stale(err) || !req.replayable() {
			return err
		}
		// The kept-alive connection was closed by the server before it
		// took the request: once more, on a new connection.
		if body != nil {
			if body, err = req.GetBody(); err != nil {
				return &Error{Kind: KindOther, Err: err}
			}
		}
		fresh = true
	}
}

// replayable reports whether req may be sent a second time after a stale
// connection failed it: its method is safe, or it carries an idempotency
// key (as net/http decides), and its body, if any, can be had again.
func (req *Request) replayable() bool {
	if req.Body != nil && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	for i := range req.Header.Len() {
		if name, _ := req.Header.At(i); h1.EqualFold(name, "Idempotency-Key") || h1.EqualFold(name, "X-Idempotency-Key") {
			return true
		}
	}
	return false
}

// mayH2 reports whether req may go over HTTP/2: by ALPN over TLS, or with
// prior knowledge to an http:// URL when HTTP/1.1 is off. Requests
// forwarded to a proxy speak HTTP/1.1 to it.
func (e *Engine) mayH2(req *Request) bool {
	if e.h2 == nil || req.Forward {
		return false
	}
	return req.Scheme == "https" || !e.cfg.HTTP1
}

// stale reports the failures of a kept-alive connection that the server
// closed before reading the request: it went away without a response, or
// reset the connection on the first write or read, or (HTTP/2) refused the
// stream or was going away.
func stale(err error) bool {
	var te *Error
	if !errors.As(err, &te) {
		return false
	}
	if h2Stale(err) {
		return true
	}
	switch te.Kind {
	case KindRemoteProtocol:
		return errors.Is(err, errDisconnected)
	case KindRead, KindWrite:
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF)
	}
	return false
}

// conn returns a stream on an HTTP/2 connection or an idle HTTP/1.1
// connection for key, or dials one in a pool slot.
func (e *Engine) conn(ctx context.Context, req *Request, key connKey, fresh, mayH2 bool, tm *Timings) (lease, error) {
	start := time.Now()
	l, err := e.pool.acquire(ctx, key, req.Timeouts.Pool, fresh, mayH2)
	tm.Pool = time.Since(start)
	if l.h1 != nil || l.h2 != nil || err != nil {
		return l, err
	}
	var mark *h2Dial
	if mayH2 {
		mark = e.pool.startDial(key)
	}
	c, err := e.dial(ctx, req, key, mayH2, tm)
	if err != nil {
		e.pool.releaseSlot()
		e.pool.endDial(key, mark, false)
		return lease{}, err
	}
	if !e.pool.register(c) {
		c.closeConn()
		e.pool.releaseSlot()
		e.pool.endDial(key, mark, false)
		return lease{}, &Error{Kind: KindClosed, Err: ErrClosed}
	}
	switch c := c.(type) {
	case *h2Conn:
		e.pool.endDial(key, mark, false)
		return lease{h2: c}, nil
	default:
		// The server chose HTTP/1.1: its next requests need not wait for
		// dials of one another.
		e.pool.endDial(key, mark, mayH2)
		return lease{h1: c.(*h1Conn)}, nil
	}
}

// dial connects with Config.Retries retries after connect errors.
func (e *Engine) dial(ctx context.Context, req *Request, key connKey, mayH2 bool, tm *Timings) (pooledConn, error) {
	// Closing the Engine stops dials in flight too.
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(e.life, cancel)
	defer func() {
		stop()
		cancel()
	}()
	for attempt := 0; ; attempt++ {
		c, err := e.connect(ctx, req, key, mayH2, tm)
		if err == nil || attempt >= e.cfg.Retries || !retryable(err) {
			return c, err
		}
		timer := time.NewTimer(e.backoffDelay(attempt))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			if e.closed.Load() {
				return nil, &Error{Kind: KindClosed, Err: ErrClosed}
			}
			return nil, &Error{Kind: KindCanceled, Err: ctx.Err()}
		}
	}
}

// connect makes one attempt: the stream, then TLS, then (HTTP/2) the
// connection preface, within one connect timeout. It notes the DNS,
// connect and TLS timings in tm.
func (e *Engine) connect(ctx context.Context, req *Request, key connKey, mayH2 bool, tm *Timings) (pooledConn, error) {
	var deadline time.Time
	if d := req.Timeouts.Connect; d > 0 {
		deadline = time.Now().Add(d)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	var (
		raw net.Conn
		err error
	)
	at := resolvedAt{start: time.Now()}
	if req.Observe != nil {
		addr := req.Addr
		if pu := e.cfg.ProxyURL; pu != nil {
			addr = hostPort(pu) // the connection is to the proxy
		}
		req.Observe(Event{Kind: EventConnectTCP, Addr: addr})
	}
	switch {
	case req.Forward:
		raw, err = e.dialForwardProxy(ctx)
	case e.tunnel != nil:
		raw, err = e.tunnel(ctx, "tcp", req.Addr)
	default:
		raw, err = e.dialRawAt(ctx, "tcp", req.Addr, &at)
	}
	if err != nil {
		err = e.connectError(ctx, err)
		req.step(EventConnectTCP, false, err)
		return nil, err
	}
	if _, err := netip.ParseAddr(hostOf(req.Addr)); err != nil {
		tm.DNS = time.Duration(at.d.Load())
	}
	tm.Connect = time.Since(at.start) - tm.DNS
	req.emit(Event{Kind: EventConnectTCP, Stage: Complete, Conn: raw})
	c := &h1Conn{pool: &e.pool, key: key, nc: raw, raw: raw, maxHead: e.maxHead}
	if req.Scheme != "https" || req.Forward {
		if mayH2 {
			return e.startH2(ctx, key, raw, nil, deadline)
		}
		return c, nil
	}
	cfg := e.tlsConfig.Clone()
	switch {
	case req.ServerName != "":
		cfg.ServerName = req.ServerName
	case cfg.ServerName == "":
		cfg.ServerName = hostOf(req.Addr)
	}
	tc := tls.Client(raw, cfg)
	if !deadline.IsZero() {
		_ = raw.SetDeadline(deadline)
	}
	tlsStart := time.Now()
	req.emit(Event{Kind: EventStartTLS, Addr: cfg.ServerName})
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		err = e.connectError(ctx, err)
		req.step(EventStartTLS, false, err)
		return nil, err
	}
	tm.TLS = time.Since(tlsStart)
	state := tc.ConnectionState()
	req.emit(Event{Kind: EventStartTLS, Stage: Complete, Conn: tc, TLS: &state})
	switch state.NegotiatedProtocol {
	case "h2":
		return e.startH2(ctx, key, tc, &state, deadline)
	case "", "http/1.1":
		if e.cfg.HTTP1 {
			break
		}
		fallthrough
	default:
		_ = tc.Close()
		return nil, &Error{Kind: KindConnect, Err: fmt.Errorf("the server chose protocol %q by ALPN, which was not offered", state.NegotiatedProtocol)}
	}
	if !deadline.IsZero() {
		_ = raw.SetDeadline(time.Time{})
	}
	c.nc, c.tls = tc, &state
	return c, nil
}

// startH2 starts HTTP/2 on a connection: x/net/http2 writes the preface
// and its settings, under the connect deadline, and reads from then on on
// a goroutine of its own.
func (e *Engine) startH2(ctx context.Context, key connKey, nc net.Conn, state *tls.ConnectionState, deadline time.Time) (pooledConn, error) {
	if !deadline.IsZero() {
		_ = nc.SetDeadline(deadline)
	}
	cc, err := e.h2.NewClientConn(nc)
	if err != nil {
		_ = nc.Close()
		return nil, e.connectError(ctx, err)
	}
	if !deadline.IsZero() {
		_ = nc.SetDeadline(time.Time{})
	}
	return newH2Conn(&e.pool, key, nc, state, cc), nil
}

// dialForwardProxy connects to the forwarding proxy, with TLS to an
// https:// one. Its failures are marked as net/http marks its proxy
// dials, so that an unreachable proxy is told from an unreachable target.
func (e *Engine) dialForwardProxy(ctx context.Context) (net.Conn, error) {
	pu := e.cfg.ProxyURL
	conn, err := e.dialRaw(ctx, "tcp", hostPort(pu))
	if err != nil {
		return nil, &net.OpError{Op: "proxyconnect", Net: "tcp", Err: err}
	}
	if pu.Scheme != "https" {
		return conn, nil
	}
	tc := tls.Client(conn, e.proxyTLS())
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, &net.OpError{Op: "proxyconnect", Net: "tcp", Err: err}
	}
	return tc, nil
}

// proxyTLS is the TLS configuration for an https:// proxy: HTTP/1.1 only.
func (e *Engine) proxyTLS() *tls.Config {
	cfg := e.tlsConfig.Clone()
	cfg.NextProtos = []string{"http/1.1"}
	cfg.ServerName = e.cfg.ProxyURL.Hostname()
	return cfg
}

// hostPort is u's host:port, with the scheme's default port.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	switch u.Scheme {
	case "https":
		port = "443"
	case "socks5", "socks5h":
		port = "1080"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// rawDialer lets the SOCKS dialer open its connection to the proxy the
// way every other connection is opened (UDS, LocalAddr, DialContext).
type rawDialer struct{ d *dialer }

func (r rawDialer) Dial(network, addr string) (net.Conn, error) {
	return r.d.dialRaw(context.Background(), network, addr)
}

func (r rawDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return r.d.dialRaw(ctx, network, addr)
}

// Stats reports the pool at one moment.
func (e *Engine) Stats() Stats { return e.pool.stats() }

// Close closes every connection, idle or in use, and fails requests that
// wait for a slot. Requests after Close fail with KindClosed.
func (e *Engine) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	e.endLife()
	e.pool.close()
	return nil
}
