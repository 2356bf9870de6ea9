package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpx/httpx/internal/h1"
)

// h2Conn is one HTTP/2 connection of the Engine: a connection the pool
// dialled, with x/net/http2's client connection speaking on it. The pool
// counts it once against MaxConns however many streams it carries, and
// treats it as idle (MaxIdleConns, IdleTimeout) while it carries none.
//
// Per-stream read and write timeouts cannot be socket deadlines, which
// would fail every stream of the connection. Instead each stream keeps the
// deadline of its current phase, and one goroutine per connection, running
// only while streams with timeouts are open, cancels the streams whose
// deadline passed: no timer per request.
type h2Conn struct {
	pool *connPool
	key  connKey
	nc   net.Conn
	cc   *http2.ClientConn
	tls  *tls.ConnectionState

	// Guarded by pool.mu.
	streams int // streams leased out, reserved or running
	served  int // streams that ended
	idleAt  time.Time

	wmu      sync.Mutex
	watched  map[*h2Stream]struct{}
	watching bool          // the watch goroutine runs
	tick     time.Duration // how often it looks
	wake     chan struct{} // tells it to look again (the last stream left, or one needs a shorter tick)

	closeOnce sync.Once
}

func newH2Conn(p *connPool, key connKey, nc net.Conn, state *tls.ConnectionState, cc *http2.ClientConn) *h2Conn {
	return &h2Conn{pool: p, key: key, nc: nc, cc: cc, tls: state, wake: make(chan struct{}, 1)}
}

// closeConn closes the connection once, failing the streams on it.
func (c *h2Conn) closeConn() {
	c.closeOnce.Do(func() { _ = c.cc.Close() })
}

// The phases of a stream, each with its own timeout.
const (
	streamDone     = iota // no timeout runs
	streamWriting         // the request body is sent: the write timeout
	streamAwaiting        // waiting for the response head: the read timeout
	streamReading         // a body read is waiting: the read timeout
)

// h2Stream is one request on an h2Conn, and the body of its response.
type h2Stream struct {
	c        *h2Conn
	ctx      context.Context // the caller's
	cancel   context.CancelCauseFunc
	rto, wto time.Duration
	tick     time.Duration // how often the watcher looks at it

	mu       sync.Mutex
	phase    int
	deadline time.Time
	timedOut *Error // set by the watcher when it cancelled the stream

	reqBody io.Reader
	body    io.ReadCloser
	done    bool
	err     error
	ended   bool // the pool has the stream back

	wrote time.Time // when the request body ended; guarded by mu
	tm    *Timings  // the response's, Read set when the body ends
	head  time.Time // when the response head arrived

	// The request's observer, and how far its events went (see advance):
	// x/net/http2 reports the writes from a goroutine of its own.
	obs      func(Event)
	obsMu    sync.Mutex
	obsStage int
}

// The stages of an observed stream: each is reached by completing the
// step before it and starting the next one.
const (
	obsHeaders  = iota // send_request_headers started
	obsBody            // headers sent, send_request_body started
	obsAwaiting        // body sent, receive_response_headers started
	obsReading         // head received, receive_response_body started
	obsOver            // the body ended, or a step failed
)

// roundTrip sends req as a new stream and returns the response head; the
// body reads from the stream. The pool leased a stream of c to the caller.
func (c *h2Conn) roundTrip(ctx context.Context, req *Request, body io.Reader, reused bool, out *Response) error {
	start := time.Now()
	s := &h2Stream{c: c, ctx: ctx, rto: req.Timeouts.Read, wto: req.Timeouts.Write, reqBody: body, obs: req.Observe}
	sctx := ctx
	if s.rto > 0 || s.wto > 0 {
		sctx, s.cancel = context.WithCancelCause(ctx)
		s.tick = max(shortest(s.rto, s.wto)/8, time.Millisecond)
	}
	if s.obs != nil {
		s.obs(Event{Kind: EventSendRequestHeaders, HTTP2: true})
		sctx = httptrace.WithClientTrace(sctx, &httptrace.ClientTrace{
			WroteHeaders: func() { s.advance(obsBody, nil) },
			WroteRequest: func(info httptrace.WroteRequestInfo) {
				if info.Err == nil {
					s.advance(obsAwaiting, nil)
				}
			},
		})
	}
	hreq, err := h2Request(sctx, req, body, s)
	if err != nil {
		s.advance(obsOver, err)
		s.end()
		return err
	}
	switch {
	case body != nil && s.wto > 0:
		s.arm(streamWriting, s.wto)
	case s.rto > 0:
		s.arm(streamAwaiting, s.rto)
	}
	if s.cancel != nil {
		c.watch(s)
	}
	hresp, err := c.cc.RoundTrip(hreq)
	if err != nil {
		err = s.fail(err, false)
		s.advance(obsOver, err)
		s.end()
		return err
	}
	s.head = time.Now()
	s.arm(streamDone, 0)
	s.body = hresp.Body
	tm := out.Timings
	s.mu.Lock()
	if wrote := s.wrote; !wrote.IsZero() {
		tm.Write, tm.Wait = wrote.Sub(start), s.head.Sub(wrote)
	} else {
		tm.Wait = s.head.Sub(start)
	}
	s.mu.Unlock()
	*out = Response{
		Status:  hresp.StatusCode,
		Reason:  http.StatusText(hresp.StatusCode),
		Proto:   "HTTP/2",
		Header:  h2Fields(hresp.Header),
		Body:    s,
		TLS:     c.tls,
		Reused:  reused,
		Timings: tm,
	}
	s.tm = &out.Timings
	if s.obs != nil {
		s.obsMu.Lock()
		s.advanceLocked(obsAwaiting, nil)
		s.obs(Event{Kind: EventReceiveResponseHeaders, Stage: Complete, HTTP2: true, Response: out})
		s.obs(Event{Kind: EventReceiveResponseBody, HTTP2: true})
		s.obsStage = obsReading
		s.obsMu.Unlock()
	}
	return nil
}

// advance emits the events that bring an observed stream to stage, in
// order, whichever goroutine reports it first; err fails the step under
// way instead, and ends the events.
func (s *h2Stream) advance(stage int, err error) {
	if s.obs == nil {
		return
	}
	s.obsMu.Lock()
	s.advanceLocked(stage, err)
	s.obsMu.Unlock()
}

func (s *h2Stream) advanceLocked(stage int, err error) {
	steps := [...]EventKind{EventSendRequestHeaders, EventSendRequestBody, EventReceiveResponseHeaders, EventReceiveResponseBody}
	if err != nil {
		if s.obsStage < obsOver {
			s.obs(Event{Kind: steps[s.obsStage], Stage: Failed, HTTP2: true, Err: err})
			s.obsStage = obsOver
		}
		return
	}
	for s.obsStage < stage && s.obsStage < obsReading {
		s.obs(Event{Kind: steps[s.obsStage], Stage: Complete, HTTP2: true})
		s.obsStage++
		s.obs(Event{Kind: steps[s.obsStage], HTTP2: true})
	}
}

// bodyOver notes the end of the response body: its read time and, when
// observed, its events.
func (s *h2Stream) bodyOver(err error) {
	if s.tm != nil {
		s.tm.Read = time.Since(s.head)
	}
	if s.obs == nil {
		return
	}
	s.obsMu.Lock()
	if s.obsStage == obsReading {
		bodyEnded(s.obs, true, err)
		s.obsStage = obsOver
	}
	s.obsMu.Unlock()
}

func shortest(a, b time.Duration) time.Duration {
	switch {
	case a <= 0:
		return b
	case b <= 0:
		return a
	}
	return min(a, b)
}

// h2Request builds what x/net/http2 sends: the request-target split into
// path and query, the Host field as the authority, and the fields that
// have no meaning in HTTP/2 (connection-specific ones, the framing) left
// out, since HTTP/2 frames the body itself.
func h2Request(ctx context.Context, req *Request, body io.Reader, s *h2Stream) (*http.Request, error) {
	if !h1.IsToken(req.Method) {
		return nil, &Error{Kind: KindLocalProtocol, Err: errors.New("invalid method " + strconv.Quote(req.Method))}
	}
	path, query, hasQuery := strings.Cut(req.Target, "?")
	hreq := (&http.Request{
		Method: req.Method,
		URL:    &url.URL{Scheme: req.Scheme, Host: req.Addr, Opaque: path, RawQuery: query, ForceQuery: hasQuery && query == ""},
		Proto:  "HTTP/2.0", ProtoMajor: 2,
		Host:   req.Addr,
		Header: make(http.Header, req.Header.Len()),
	}).WithContext(ctx)
	// One array holds every value: most names come once.
	values := make([]string, 0, req.Header.Len()+1)
	userAgent := false
	for i := range req.Header.Len() {
		name, value := req.Header.At(i)
		switch {
		case h1.EqualFold(name, "Host"):
			hreq.Host = value
			continue
		case h1.EqualFold(name, "TE"):
			if !h1.EqualFold(value, "trailers") {
				continue
			}
		case connectionSpecific(name):
			continue
		case h1.EqualFold(name, "User-Agent"):
			userAgent = true
		}
		if vs, ok := hreq.Header[name]; ok {
			hreq.Header[name] = append(vs, value)
			continue
		}
		values = append(values, value)
		hreq.Header[name] = values[len(values)-1 : len(values) : len(values)]
	}
	if !userAgent {
		// An empty User-Agent keeps x/net/http2 from sending its own: a
		// request without one goes without one.
		values = append(values, "")
		hreq.Header["User-Agent"] = values[len(values)-1:]
	}
	if body != nil {
		hreq.Body = h2Body{s}
		hreq.ContentLength = req.ContentLength
		if hreq.ContentLength == 0 {
			hreq.ContentLength = -1
		}
	}
	return hreq, nil
}

// connectionSpecific names the fields HTTP/2 forbids or frames itself.
func connectionSpecific(name string) bool {
	for _, n := range [...]string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Content-Length"} {
		if h1.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// h2Fields lists the response fields sorted by name: x/net/http2 hands
// them over as a map, which has lost their order.
func h2Fields(h http.Header) []h1.Field {
	var buf [24]string
	names := buf[:0]
	n := 0
	for k, vs := range h {
		names = append(names, k)
		n += len(vs)
	}
	slices.Sort(names)
	fields := make([]h1.Field, 0, n)
	for _, k := range names {
		for _, v := range h[k] {
			fields = append(fields, h1.Field{Name: k, Value: v})
		}
	}
	return fields
}

// h2Body is the request body as x/net/http2 reads it, on its own
// goroutine: each read restarts the write timeout, and the end of the
// body starts the wait for the response head.
type h2Body struct{ s *h2Stream }

func (b h2Body) Read(p []byte) (int, error) {
	s := b.s
	if s.wto > 0 {
		s.rearm(streamWriting, s.wto)
	}
	n, err := s.reqBody.Read(p)
	if err == io.EOF {
		s.mu.Lock()
		if s.wrote.IsZero() {
			s.wrote = time.Now()
		}
		s.mu.Unlock()
		if s.rto > 0 {
			s.rearm(streamAwaiting, s.rto)
		} else {
			s.rearm(streamDone, 0)
		}
	}
	return n, err
}

// Close leaves the body to its owner, as the HTTP/1.1 path does.
func (h2Body) Close() error { return nil }

// arm starts phase with a deadline d from now (0: none).
func (s *h2Stream) arm(phase int, d time.Duration) {
	s.mu.Lock()
	s.setLocked(phase, d)
	s.mu.Unlock()
}

// rearm is arm for the request body's phases, which must not undo the
// phases after them: the response head may come before the body ends.
func (s *h2Stream) rearm(phase int, d time.Duration) {
	s.mu.Lock()
	if s.phase == streamWriting || s.phase == streamAwaiting {
		s.setLocked(phase, d)
	}
	s.mu.Unlock()
}

func (s *h2Stream) setLocked(phase int, d time.Duration) {
	s.phase = phase
	if phase == streamDone || d <= 0 {
		s.deadline = time.Time{}
		return
	}
	s.deadline = time.Now().Add(d)
}

// expire cancels the stream if its deadline passed by now; the watcher
// calls it.
func (s *h2Stream) expire(now time.Time) {
	s.mu.Lock()
	if s.phase == streamDone || s.deadline.IsZero() || now.Before(s.deadline) || s.timedOut != nil {
		s.mu.Unlock()
		return
	}
	if s.phase == streamWriting {
		s.timedOut = &Error{Kind: KindWriteTimeout, Err: errStreamWriteTimeout}
	} else {
		s.timedOut = &Error{Kind: KindReadTimeout, Err: errStreamReadTimeout}
	}
	te := s.timedOut
	s.mu.Unlock()
	s.cancel(te)
}

// fail types an error of the stream: a timeout the watcher enforced, the
// caller's context, the Engine closing, else what the error says (a failed
// body read that says nothing more is a read error).
func (s *h2Stream) fail(err error, reading bool) error {
	s.mu.Lock()
	te := s.timedOut
	s.mu.Unlock()
	if te != nil {
		return te
	}
	if s.ctx.Err() != nil {
		return &Error{Kind: KindCanceled, Err: withCause(context.Cause(s.ctx), err)}
	}
	if s.c.pool.isClosed() {
		// Engine.Close closed the connection under the stream.
		return &Error{Kind: KindClosed, Err: withCause(ErrClosed, err)}
	}
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	k := Classify(err)
	if k == KindOther && reading {
		k = KindRead
	}
	return &Error{Kind: k, Err: err}
}

// Read reads the response body, under the read timeout.
func (s *h2Stream) Read(p []byte) (int, error) {
	if s.done {
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	if s.rto > 0 && s.cancel != nil {
		s.arm(streamReading, s.rto)
	}
	n, err := s.body.Read(p)
	if s.rto > 0 && s.cancel != nil {
		s.arm(streamDone, 0)
	}
	switch {
	case err == io.EOF:
		s.done = true
		_ = s.body.Close()
		s.end()
		s.bodyOver(nil)
	case err != nil:
		s.done = true
		s.err = s.fail(err, true)
		_ = s.body.Close()
		s.end()
		s.bodyOver(s.err)
		err = s.err
	}
	return n, err
}

// Close ends the stream (resetting it when the body was not read to its
// end) and gives it back to the pool.
func (s *h2Stream) Close() error {
	if !s.done {
		s.done = true
		s.err = errBodyClosed
		_ = s.body.Close()
		s.end()
		s.bodyOver(errBodyClosed)
	}
	return nil
}

// end gives the stream back to the pool, once.
func (s *h2Stream) end() {
	s.mu.Lock()
	ended := s.ended
	s.ended = true
	s.mu.Unlock()
	if ended {
		return
	}
	if s.cancel != nil {
		s.c.unwatch(s)
		s.cancel(nil)
	}
	s.c.pool.endStream(s.c)
}

// watch adds s to the streams the watcher looks at, starting it.
func (c *h2Conn) watch(s *h2Stream) {
	c.wmu.Lock()
	if c.watched == nil {
		c.watched = map[*h2Stream]struct{}{}
	}
	c.watched[s] = struct{}{}
	start, sooner := !c.watching, s.tick < c.tick
	if start || sooner {
		c.tick = s.tick
	}
	c.watching = true
	c.wmu.Unlock()
	switch {
	case start:
		go c.watchLoop(s.tick)
	case sooner:
		c.poke()
	}
}

// unwatch takes s off the watch; the watcher ends with the last one.
func (c *h2Conn) unwatch(s *h2Stream) {
	c.wmu.Lock()
	delete(c.watched, s)
	last := len(c.watched) == 0
	c.wmu.Unlock()
	if last {
		c.poke()
	}
}

func (c *h2Conn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// watchLoop cancels the streams whose phase outlived its timeout, looking
// every eighth of the shortest timeout among them (so a stall fails
// within d to 9d/8), and ends when no stream is left to watch.
func (c *h2Conn) watchLoop(tick time.Duration) {
	t := time.NewTimer(tick)
	defer t.Stop()
	var expired []*h2Stream
	for {
		select {
		case <-t.C:
		case <-c.wake:
		}
		now := time.Now()
		expired = expired[:0]
		tick = time.Second
		c.wmu.Lock()
		if len(c.watched) == 0 {
			c.watching = false
			c.wmu.Unlock()
			return
		}
		for s := range c.watched {
			expired = append(expired, s)
			tick = min(tick, s.tick)
		}
		c.tick = tick
		c.wmu.Unlock()
		for _, s := range expired {
			s.expire(now)
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(tick)
	}
}

// h2Stale reports the failures of a stream that the server never took
// (a connection that went away or refused the stream): the request may be
// sent again on another connection.
func h2Stale(err error) bool {
	var se http2.StreamError
	if errors.As(err, &se) {
		return se.Code == http2.ErrCodeRefusedStream
	}
	var ga http2.GoAwayError
	if errors.As(err, &ga) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "client conn not usable") || strings.Contains(msg, "graceful shutdown GOAWAY")
}
