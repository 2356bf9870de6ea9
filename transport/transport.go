package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// Transport is the network layer behind the root package's HTTPTransport:
// an http.Transport (not a fork) with HTTPX's per-phase timeouts, a
// connection cap across all hosts, connection retries and typed errors. It
// is safe for concurrent use; its Config is fixed at New.
type Transport struct {
	dialer
	rt *http.Transport

	pool     pool
	names    serverNames // http.Transports for requests naming their TLS server
	closedCh chan struct{}
	life     context.Context // canceled by Close, to stop dials in flight
	endLife  context.CancelFunc
}

// RoundTrip sends req and returns the response with its body as the raw
// bytes on the wire: net/http neither asks for nor decodes compression, so
// the caller decodes Content-Encoding and can count wire bytes. The caller
// builds req: for a replayable body it should set GetBody, so that net/http
// can resend the request when a kept-alive connection turns out closed.
// RoundTrip does not modify req.
//
// to limits each phase of this request (see Timeouts); the request's
// context bounds the whole exchange. Every error, from RoundTrip and from
// reading the body, is a *Error. The caller must close the body.
func (t *Transport) RoundTrip(req *http.Request, to Timeouts) (*http.Response, error) {
	if t.closed.Load() {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &Error{Kind: KindClosed, Err: ErrClosed}
	}
	st, _ := req.Context().Value(stateKey{}).(*reqState)
	r := req
	if st == nil || st.t != t || st.req != req || st.used {
		// A request NewRequest did not make: give it its state, at the
		// price of a copy of the request.
		var ctx context.Context
		prev := st
		st, ctx = t.newState(req.Context(), req.URL != nil && req.URL.Scheme == "https", to)
		st.req = req
		if prev != nil && prev.req == req {
			// Sent again: the server name set on it still holds.
			st.serverName = prev.serverName
		}
		r = req.WithContext(ctx)
	}
	st.used = true
	if st.cancel != nil && to.Write > 0 {
		st.wrapRequestBody(r)
	}

	resp, err := t.transportFor(st.serverName).RoundTrip(r)
	st.finish()
	if err != nil {
		st.endStream()
		st.cancelCtx()
		return nil, st.wrapErr(err)
	}
	resp.Request = req
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// The body is the connection itself (an io.ReadWriteCloser);
		// wrapping it would hide Write.
		return resp, nil
	}
	st.body = resp.Body
	resp.Body = st
	return resp, nil
}

// NewRequest returns an empty request (URL, header and body are the
// caller's to fill) for method whose context is ctx plus this transport's
// per-request state for the timeouts to. RoundTrip then sends it as it is,
// where any other request costs a copy to attach that state. tls tells
// whether the request will go over TLS (an https:// URL).
func (t *Transport) NewRequest(ctx context.Context, method string, tls bool, to Timeouts) (*http.Request, error) {
	st, sctx := t.newState(ctx, tls, to)
	req, err := http.NewRequestWithContext(sctx, method, "", nil)
	if err != nil {
		return nil, err
	}
	st.req = req
	return req, nil
}

// newState makes a request's state and the context that carries it.
func (t *Transport) newState(ctx context.Context, tls bool, to Timeouts) (*reqState, context.Context) {
	st := newReqState(t, ctx, to)
	sctx := context.Context(st)
	if t.cfg.HTTP2 && (to.Read > 0 || to.Write > 0) && (tls || t.cfg.h2c()) {
		// The request may become an HTTP/2 stream, whose timeouts need a
		// way to abort just this stream (see h2.go).
		sctx, st.cancel = context.WithCancelCause(sctx)
	}
	return st, httptrace.WithClientTrace(sctx, &st.trace)
}

// RoundTripper adapts t to an http.RoundTripper that sends every request
// with the timeouts to, so that t can serve a plain *http.Client.
func (t *Transport) RoundTripper(to Timeouts) http.RoundTripper {
	return &roundTripper{t: t, to: to}
}

type roundTripper struct {
	t  *Transport
	to Timeouts
}

func (r *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return r.t.RoundTrip(req, r.to)
}

// CloseIdleConnections closes the connections no request is using.
func (t *Transport) CloseIdleConnections() {
	t.rt.CloseIdleConnections()
	t.closeIdleNamed()
}

// Close closes every connection, in use or idle, and stops dials in
// flight. Requests in progress fail, later ones fail at once, both with
// KindClosed. Close is idempotent.
func (t *Transport) Close() error {
	if !t.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(t.closedCh)
	t.endLife()
	t.CloseIdleConnections()
	for _, c := range t.pool.closeAll() {
		_ = c.Close()
	}
	return nil
}

// Stats reports the connections open, idle and waited for.
func (t *Transport) Stats() Stats { return t.pool.stats() }

// stateKey finds a request's *reqState in its context, which is how the
// dialer learns the request's connect and pool timeouts.
type stateKey struct{}

// reqState is the per-request part of the Transport: the httptrace hooks
// that hand the timeouts to the connection, the error bookkeeping and the
// response body wrapper, in one allocation. It is also the request's
// context (it embeds the caller's), which saves a context.WithValue.
type reqState struct {
	context.Context
	t     *Transport
	req   *http.Request
	to    Timeouts
	trace httptrace.ClientTrace

	conn     atomic.Pointer[conn]   // connection of the latest GotConn
	gotConns atomic.Int32           // GotConn count; dials compare it to see they are stale
	done     atomic.Bool            // RoundTrip returned
	pending  atomic.Pointer[conn]   // connection dialled for this request, not yet picked up
	waiter   atomic.Pointer[waiter] // this request's dial waiting for a slot

	failKind atomic.Int32            // Kind of a timeout this package enforced
	failErr  atomic.Pointer[error]   // its cause
	cancel   context.CancelCauseFunc // HTTP/2-capable requests only
	h2       h2state

	body       io.ReadCloser // the response body net/http returned
	used       bool          // RoundTrip took this state (it serves one request)
	serverName string        // TLS server name instead of the URL's host (SetServerName)
}

func newReqState(t *Transport, ctx context.Context, to Timeouts) *reqState {
	st := &reqState{Context: ctx, t: t, to: to}
	st.trace.GotConn = func(info httptrace.GotConnInfo) { st.gotConn(info) }
	st.trace.WroteRequest = func(info httptrace.WroteRequestInfo) { st.wroteRequest(info) }
	st.trace.PutIdleConn = func(err error) { st.putIdleConn(err) }
	return st
}

// Value answers for stateKey and defers to the caller's context otherwise.
func (st *reqState) Value(key any) any {
	if key == (stateKey{}) {
		return st
	}
	return st.Context.Value(key)
}

// gotConn arms the connection for this request: deadlines on an HTTP/1
// connection, a stream and its watchdog on an HTTP/2 one.
func (st *reqState) gotConn(info httptrace.GotConnInfo) {
	c := connOf(info.Conn)
	if c == nil {
		return
	}
	st.gotConns.Add(1)
	st.endStream() // a retry within net/http leaves the previous attempt's stream
	st.conn.Store(c)
	if c.protocol(info.Conn) == protoH2 {
		st.beginStream(c)
	} else {
		c.arm(st)
	}
	st.dropSpares(c)
}

// wroteRequest starts the read timeout once the request is sent.
func (st *reqState) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err != nil {
		return
	}
	c := st.conn.Load()
	if c == nil {
		return
	}
	if st.h2.active.Load() {
		st.h2Wrote()
		return
	}
	c.startRead(st)
}

// putIdleConn disarms an HTTP/1 connection net/http is done with.
func (st *reqState) putIdleConn(err error) {
	c := st.conn.Load()
	if c == nil || !c.disarm(st) {
		return
	}
	if err == nil {
		st.t.pool.wentIdle(c)
	}
}

// dropSpares releases what this request no longer needs once it has a
// connection or has finished: its dial still waiting for a slot, and a
// connection dialled for it that it did not use.
func (st *reqState) dropSpares(using *conn) {
	if w := st.waiter.Swap(nil); w != nil {
		st.t.pool.abandon(w)
	}
	if p := st.pending.Swap(nil); p != nil && p != using && p.unreserve() {
		st.t.pool.wentIdle(p)
	}
}

// finish runs when RoundTrip returns.
func (st *reqState) finish() {
	st.done.Store(true)
	st.dropSpares(nil)
	st.h2HeadersDone()
}

// fail records a timeout this package enforced; the first one wins.
func (st *reqState) fail(kind Kind, err error) {
	if st.failKind.CompareAndSwap(0, int32(kind)) {
		st.failErr.Store(&err)
	}
}

// failure returns the recorded timeout as a *Error, or nil.
func (st *reqState) failure() error {
	k := Kind(st.failKind.Load())
	if k == 0 {
		return nil
	}
	var cause error
	if p := st.failErr.Load(); p != nil {
		cause = *p
	}
	return &Error{Kind: k, Err: cause}
}

// wrapErr types an error of this request, using what only this request
// knows: a timeout it enforced, its context, whether it had a connection.
func (st *reqState) wrapErr(err error) error {
	if err == nil {
		return nil
	}
	if e := st.failure(); e != nil {
		return e
	}
	if ctxErr := st.Context.Err(); ctxErr != nil {
		return &Error{Kind: KindCanceled, Err: withCause(ctxErr, err)}
	}
	if st.t.closed.Load() {
		return &Error{Kind: KindClosed, Err: withCause(ErrClosed, err)}
	}
	if e, ok := err.(*Error); ok {
		return e
	}
	k := Classify(err)
	if st.gotConns.Load() == 0 {
		// No connection yet: whatever failed was setting one up (a proxy
		// tunnel, TLS through it).
		switch k {
		case KindOther, KindRead, KindWrite:
			k = KindConnect
		case KindReadTimeout, KindWriteTimeout:
			k = KindConnectTimeout
		}
	}
	return &Error{Kind: k, Err: err}
}

// Read reads the response body, typing its errors; over HTTP/2 it also runs
// the stream's read watchdog.
func (st *reqState) Read(p []byte) (int, error) {
	var (
		n   int
		err error
	)
	if st.h2.active.Load() {
		n, err = st.h2Read(p)
	} else {
		n, err = st.body.Read(p)
	}
	if err != nil {
		st.endStream()
		if err != io.EOF {
			err = st.wrapBodyErr(err)
		}
		st.cancelCtx()
	}
	return n, err
}

// Close closes the response body.
func (st *reqState) Close() error {
	err := st.body.Close()
	st.endStream()
	st.cancelCtx()
	return err
}

// wrapBodyErr types an error met while reading the body, when the
// connection is known to exist.
func (st *reqState) wrapBodyErr(err error) error {
	e := st.wrapErr(err).(*Error)
	if e.Kind == KindOther {
		e.Kind = KindRead
	}
	return e
}

// cancelCtx releases the context.WithCancelCause of an HTTP/2-capable
// request once the exchange is over.
func (st *reqState) cancelCtx() {
	if st.cancel != nil {
		st.cancel(nil)
	}
}
