package httpx

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// The reconnection waits of EventStream; tests shorten them.
var (
	sseDefaultRetry = 3 * time.Second
	sseMaxBackoff   = 30 * time.Second
	sseSleep        = sleepCtx
)

// EventStream sends a request and iterates over the Server-Sent Events of
// the response, reconnecting as an EventSource does (httpx-sse's
// connect_sse with iter_sse, plus the reconnection of the WHATWG standard).
// The request goes through the client's whole send pipeline (hooks, auth,
// mounts, transport, retries); Accept: text/event-stream and Cache-Control:
// no-store are added unless opts set those headers.
//
// When the stream ends, or the connection fails with a network error, a
// timeout or a remote protocol error (ErrNetwork, ErrTimeout,
// ErrRemoteProtocol), the request is sent again silently with the same
// method, body and headers, plus Last-Event-ID once the stream has set an
// event ID; the ID carries on into the events of the new connection. The
// wait before reconnecting is the stream's last retry value, or 3 s; while
// attempts keep failing (a connection that yields no event counts as a
// failure) it doubles, capped at 30 s but never below the retry value (a
// retry of 0 reconnects at once the first time, then backs off from 3 s).
// Note that the client's read timeout applies between the bytes of the
// stream: an idle stream longer than it reconnects.
//
// A 204 status ends the iteration without an error. Any other status that
// is not 2xx yields one *HTTPStatusError; a Content-Type other than
// text/event-stream yields one error matching ErrDecoding; any other error
// (an invalid URL, a proxy or TLS failure, a closed client) is yielded once;
// each ends the iteration. So does a request body that cannot be sent again
// (a one-shot io.Reader given to WithBody): the first reconnection yields an
// error matching ErrStreamConsumed instead. A done ctx ends the iteration
// at once, during a wait or a read, without yielding ctx's error: check
// ctx.Err() after the loop if the difference matters.
//
// Each connection's response is closed before the next one is made and
// when the iteration ends, early or not; the iteration starts no
// goroutines.
func (c *Client) EventStream(ctx context.Context, method, url string, opts ...RequestOption) iter.Seq2[ServerSentEvent, error] {
	return func(yield func(ServerSentEvent, error) bool) {
		if ctx == nil {
			yield(ServerSentEvent{}, usageError("EventStream", "the context is nil (use context.Background())"))
			return
		}
		cfg := requestConfig{}
		if err := applyRequestOptions("EventStream", &cfg, opts); err != nil {
			yield(ServerSentEvent{}, err)
			return
		}
		req, err := c.buildRequest(method, url, &cfg)
		if err != nil {
			yield(ServerSentEvent{}, err)
			return
		}
		if !cfg.headers.Has("Accept") {
			req.Headers.Set("Accept", "text/event-stream")
		}
		if !cfg.headers.Has("Cache-Control") {
			req.Headers.Set("Cache-Control", "no-store")
		}
		cfg.send.stream = true
		s := eventStream{c: c, ctx: ctx, req: req, send: &cfg.send, yield: yield}
		if !cfg.headers.Has("Cookie") {
			s.cookies, s.jarCookies = cfg.cookies, true
		}
		s.run()
	}
}

// eventStream is one EventStream iteration: the request sent again on each
// connection and the parser state that outlives connections.
type eventStream struct {
	c        *Client
	ctx      context.Context
	req      *Request
	send     *sendConfig
	yield    func(ServerSentEvent, error) bool
	p        sseParser
	failures int // consecutive connections that failed or yielded nothing
	// jarCookies: the Cookie header comes from the client's cookies (and
	// the request's own, cookies), built again for each connection so
	// that cookies set by earlier responses go along, as a browser's
	// EventSource sends them.
	jarCookies bool
	cookies    map[string]string
}

func (s *eventStream) run() {
	for {
		events, done, err := s.connect()
		if done {
			return
		}
		if err != nil && (s.ctx.Err() != nil || !reconnectable(err)) {
			if s.ctx.Err() == nil {
				s.yield(ServerSentEvent{}, err)
			}
			return
		}
		if events > 0 {
			s.failures = 0
		}
		if !s.req.body.repeatable() {
			s.yield(ServerSentEvent{}, &kindError{kind: ErrStreamConsumed.(*errorKind),
				msg: "EventStream cannot reconnect: the request body is a one-shot stream (give bytes, JSON, a form or an io.Seeker)"})
			return
		}
		if sseSleep(s.ctx, s.wait()) != nil {
			return
		}
		s.failures++
		if s.jarCookies {
			if h := s.c.cookieHeader(s.req.URL, s.cookies); h != "" {
				s.req.Headers.Set("Cookie", h)
			} else {
				s.req.Headers.Del("Cookie")
			}
		}
		if s.p.idKnown {
			if s.p.lastID == "" {
				s.req.Headers.Del("Last-Event-ID")
			} else {
				s.req.Headers.Set("Last-Event-ID", s.p.lastID)
			}
		}
	}
}

// connect makes one connection and yields its events. It returns the
// events yielded and the error that ended the connection (nil at the end
// of the stream); done means the iteration is over (the consumer stopped,
// or an outcome that ends it was yielded).
func (s *eventStream) connect() (events int, done bool, err error) {
	resp, err := s.c.send(s.ctx, s.req, s.send)
	if err != nil {
		return 0, false, err
	}
	defer resp.Close()
	switch {
	case resp.StatusCode == 204:
		return 0, true, nil
	case !resp.IsSuccess():
		s.yield(ServerSentEvent{}, resp.RaiseForStatus())
		return 0, true, nil
	case !isEventStream(resp.Headers.Get("Content-Type")):
		s.yield(ServerSentEvent{}, newRequestError(ErrDecoding, s.req, nil,
			fmt.Sprintf("expected response Content-Type text/event-stream, got %q", resp.Headers.Get("Content-Type"))))
		return 0, true, nil
	}
	var readErr error
	events, stopped := s.p.readFrom(resp, func(ev ServerSentEvent) bool { return s.yield(ev, nil) },
		func(err error) { readErr = err })
	return events, stopped, readErr
}

// wait is the delay before the next connection: the reconnection time,
// doubled per consecutive failure, capped at sseMaxBackoff but never below
// the reconnection time.
func (s *eventStream) wait() time.Duration {
	retry := sseDefaultRetry
	if s.p.hasReconn {
		retry = s.p.reconnect
	}
	if s.failures == 0 {
		return retry
	}
	base, n := retry, s.failures
	if base <= 0 {
		base, n = sseDefaultRetry, n-1
	}
	d := sseMaxBackoff
	if n < 62 && base <= sseMaxBackoff>>n {
		d = base << n
	}
	return max(d, retry)
}

// reconnectable reports the errors after which an EventSource reconnects:
// the connection failed or broke, or timed out.
func reconnectable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return errors.Is(err, ErrNetwork) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrRemoteProtocol)
}

// isEventStream reports a text/event-stream media type, parameters aside.
func isEventStream(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/event-stream")
}
