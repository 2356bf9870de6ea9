package httpx_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
)

// sseConn is what the server saw of one connection.
type sseConn struct {
	Method, LastEventID, Accept, CacheControl, ContentType, Body string
	HasLastEventID                                               bool
}

// sseServer serves step n (0-based) of steps on its nth connection; a
// step past the end answers 204. It records every connection.
type sseServer struct {
	*httptest.Server
	mu    sync.Mutex
	conns []sseConn
}

type sseStep func(w http.ResponseWriter, r *http.Request)

func newSSEServer(t *testing.T, steps ...sseStep) *sseServer {
	s := &sseServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.conns)
		s.conns = append(s.conns, sseConn{
			Method: r.Method, LastEventID: r.Header.Get("Last-Event-ID"), HasLastEventID: r.Header["Last-Event-Id"] != nil,
			Accept: r.Header.Get("Accept"), CacheControl: r.Header.Get("Cache-Control"),
			ContentType: r.Header.Get("Content-Type"), Body: string(body),
		})
		s.mu.Unlock()
		if n >= len(steps) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		steps[n](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sseServer) seen() []sseConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sseConn(nil), s.conns...)
}

// events answers 200 text/event-stream with body, flushed, and ends.
func events(body string) sseStep {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, body)
	}
}

// eventsThenDrop sends body, flushes it, and drops the connection in the
// middle of the chunked body.
func eventsThenDrop(body string) sseStep {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, body)
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

func status(code int, contentType string) sseStep {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "data: never\n\n")
	}
}

// recordWaits makes EventStream's waits instant, recording them.
func recordWaits(t *testing.T) *[]time.Duration {
	var (
		mu    sync.Mutex
		waits []time.Duration
	)
	restore := httpx.SetEventStreamWaits(3*time.Second, 30*time.Second, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	})
	t.Cleanup(restore)
	return &waits
}

type sseResult struct {
	events []httpx.ServerSentEvent
	errs   []error
}

func drain(seq func(func(httpx.ServerSentEvent, error) bool)) sseResult {
	var r sseResult
	for ev, err := range seq {
		if err != nil {
			r.errs = append(r.errs, err)
			continue
		}
		r.events = append(r.events, ev)
	}
	return r
}

func TestEventStreamReconnectsWithLastEventID(t *testing.T) {
	waits := recordWaits(t)
	srv := newSSEServer(t,
		eventsThenDrop("id: 1\ndata: a\n\ndata: b\n\ndata: cut"),
		events("data: c\n\nid: 2\ndata: d\n\n"),
		events(": nothing\n\n"),
	)
	c := httpx.NewClient()
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
	require.Empty(t, got.errs)
	assert.Equal(t, []httpx.ServerSentEvent{
		{Event: "message", Data: "a", ID: "1"},
		{Event: "message", Data: "b", ID: "1"},
		{Event: "message", Data: "c", ID: "1"},
		{Event: "message", Data: "d", ID: "2"},
	}, got.events)
	conns := srv.seen()
	require.Len(t, conns, 4)
	assert.False(t, conns[0].HasLastEventID)
	assert.Equal(t, "1", conns[1].LastEventID)
	assert.Equal(t, "2", conns[2].LastEventID)
	assert.Equal(t, "2", conns[3].LastEventID)
	for _, cn := range conns {
		assert.Equal(t, "text/event-stream", cn.Accept)
		assert.Equal(t, "no-store", cn.CacheControl)
	}
	// Both first connections yielded events; the third did not, so the
	// wait before the fourth doubles.
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second, 6 * time.Second}, *waits)
}

func TestEventStreamHonoursRetryAndBacksOff(t *testing.T) {
	waits := recordWaits(t)
	httpx.SetEventStreamWaits(3*time.Second, 300*time.Millisecond, nil) // restored by recordWaits' cleanup
	srv := newSSEServer(t,
		events("retry: 50\ndata: a\n\n"),
		events(""), events(""), events(""), events(""),
	)
	c := httpx.NewClient()
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
	require.Empty(t, got.errs)
	assert.Equal(t, []httpx.ServerSentEvent{{Event: "message", Data: "a", Retry: 50 * time.Millisecond}}, got.events)
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{50 * ms, 100 * ms, 200 * ms, 300 * ms, 300 * ms}, *waits)
}

func TestEventStreamBackoffTable(t *testing.T) {
	tests := []struct {
		name  string
		first string
		want  []time.Duration
	}{
		{"default 3 s, capped at 30 s", "data: a\n\n", []time.Duration{3e9, 6e9, 12e9, 24e9, 30e9, 30e9}},
		{"retry above the cap is honoured", "retry: 45000\ndata: a\n\n", []time.Duration{45e9, 45e9, 45e9, 45e9, 45e9, 45e9}},
		{"retry 0 reconnects at once, then backs off from 3 s", "retry: 0\ndata: a\n\n", []time.Duration{0, 3e9, 6e9, 12e9, 24e9, 30e9}},
		{"retry without an event still counts", "retry: 1000\n\ndata: a\n\n", []time.Duration{1e9, 2e9, 4e9, 8e9, 16e9, 30e9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			waits := recordWaits(t)
			srv := newSSEServer(t, events(tt.first), events(""), events(""), events(""), events(""), events(""))
			c := httpx.NewClient()
			defer c.Close()
			got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
			require.Empty(t, got.errs)
			require.Len(t, got.events, 1)
			assert.Equal(t, tt.want, *waits)
		})
	}
}

// A real wait: the retry value is slept, not merely computed.
func TestEventStreamSleepsRetry(t *testing.T) {
	srv := newSSEServer(t, events("retry: 80\ndata: a\n\n"))
	c := httpx.NewClient()
	defer c.Close()
	start := time.Now()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
	require.Empty(t, got.errs)
	require.Len(t, got.events, 1)
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)
	assert.Len(t, srv.seen(), 2)
}

func TestEventStreamEnds(t *testing.T) {
	tests := []struct {
		name  string
		step  sseStep
		check func(t *testing.T, errs []error)
	}{
		{"204 without an error", status(204, ""), func(t *testing.T, errs []error) { assert.Empty(t, errs) }},
		{"500 is an HTTPStatusError", status(500, "text/event-stream"), func(t *testing.T, errs []error) {
			require.Len(t, errs, 1)
			var se *httpx.HTTPStatusError
			require.ErrorAs(t, errs[0], &se)
			assert.Equal(t, 500, se.Response.StatusCode)
			assert.ErrorIs(t, errs[0], httpx.ErrHTTPStatus)
		}},
		{"404 is an HTTPStatusError", status(404, "text/event-stream"), func(t *testing.T, errs []error) {
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], httpx.ErrHTTPStatus)
		}},
		{"text/html is ErrDecoding", status(200, "text/html; charset=utf-8"), func(t *testing.T, errs []error) {
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], httpx.ErrDecoding)
			assert.ErrorIs(t, errs[0], httpx.ErrRequest)
			assert.Contains(t, errs[0].Error(), "text/html")
		}},
		{"no content type is ErrDecoding", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.WriteHeader(200)
		}, func(t *testing.T, errs []error) {
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], httpx.ErrDecoding)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			waits := recordWaits(t)
			srv := newSSEServer(t, tt.step, events("data: second connection\n\n"))
			c := httpx.NewClient()
			defer c.Close()
			got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
			assert.Empty(t, got.events)
			tt.check(t, got.errs)
			assert.Len(t, srv.seen(), 1, "no reconnection")
			assert.Empty(t, *waits)
		})
	}
}

func TestEventStreamContentTypeParameters(t *testing.T) {
	recordWaits(t)
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "Text/Event-Stream; charset=utf-8")
		_, _ = io.WriteString(w, "data: a\n\n")
	})
	c := httpx.NewClient()
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
	require.Empty(t, got.errs)
	assert.Len(t, got.events, 1)
}

func TestEventStreamCancelDuringRead(t *testing.T) {
	recordWaits(t)
	release := make(chan struct{})
	defer close(release)
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: a\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := httpx.NewClient(httpx.WithTimeout(httpx.Timeout{}))
	defer c.Close()
	ctx, cancel := context.WithCancel(within(t, 10*time.Second))
	defer cancel()
	var got sseResult
	start := time.Now()
	for ev, err := range c.EventStream(ctx, "GET", srv.URL) {
		if err != nil {
			got.errs = append(got.errs, err)
			continue
		}
		got.events = append(got.events, ev)
		time.AfterFunc(50*time.Millisecond, cancel) // while the next read blocks
	}
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, got.errs)
	assert.Len(t, got.events, 1)
	assert.Len(t, srv.seen(), 1)
}

func TestEventStreamCancelDuringWait(t *testing.T) {
	t.Cleanup(httpx.SetEventStreamWaits(time.Hour, time.Hour, nil)) // the real sleep
	srv := newSSEServer(t, events("data: a\n\n"))
	c := httpx.NewClient()
	defer c.Close()
	ctx, cancel := context.WithCancel(within(t, 10*time.Second))
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	got := drain(c.EventStream(ctx, "GET", srv.URL))
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, got.errs)
	assert.Len(t, got.events, 1)
	assert.Len(t, srv.seen(), 1)
}

func TestEventStreamDoneContext(t *testing.T) {
	recordWaits(t)
	srv := newSSEServer(t, events("data: a\n\n"))
	c := httpx.NewClient()
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := drain(c.EventStream(ctx, "GET", srv.URL))
	assert.Empty(t, got.errs)
	assert.Empty(t, got.events)
	assert.Empty(t, srv.seen())
}

func TestEventStreamBreakClosesConnection(t *testing.T) {
	recordWaits(t)
	release := make(chan struct{})
	defer close(release)
	gone := make(chan struct{})
	srv := newSSEServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: a\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			close(gone)
		}
	})
	c := httpx.NewClient()
	defer c.Close()
	for ev, err := range c.EventStream(within(t, 10*time.Second), "GET", srv.URL) {
		require.NoError(t, err)
		assert.Equal(t, "a", ev.Data)
		break
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection was not closed when the consumer stopped")
	}
}

func TestEventStreamPostJSONReplayed(t *testing.T) {
	recordWaits(t)
	srv := newSSEServer(t,
		eventsThenDrop("id: x1\ndata: {\"token\":\"Hel\"}\n\n"),
		events("id: x2\ndata: {\"token\":\"lo\"}\n\n"),
	)
	c := httpx.NewClient()
	defer c.Close()
	body := map[string]any{"model": "m", "stream": true}
	got := drain(c.EventStream(within(t, 10*time.Second), "POST", srv.URL,
		httpx.WithJSON(body), httpx.WithHeader("Authorization", "Bearer k")))
	require.Empty(t, got.errs)
	require.Len(t, got.events, 2)
	conns := srv.seen()
	require.Len(t, conns, 3)
	for i, cn := range conns {
		assert.Equal(t, "POST", cn.Method, "connection %d", i)
		assert.JSONEq(t, `{"model":"m","stream":true}`, cn.Body, "connection %d", i)
		assert.Equal(t, "application/json", cn.ContentType, "connection %d", i)
	}
	assert.Equal(t, []string{"", "x1", "x2"}, []string{conns[0].LastEventID, conns[1].LastEventID, conns[2].LastEventID})
}

func TestEventStreamSeekableBodyReplayed(t *testing.T) {
	recordWaits(t)
	srv := newSSEServer(t, events("data: a\n\n"), events("data: b\n\n"))
	c := httpx.NewClient()
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "POST", srv.URL, httpx.WithBody(strings.NewReader("payload"))))
	require.Empty(t, got.errs)
	assert.Len(t, got.events, 2)
	for _, cn := range srv.seen() {
		assert.Equal(t, "payload", cn.Body)
	}
}

func TestEventStreamOneShotBodyCannotReconnect(t *testing.T) {
	waits := recordWaits(t)
	srv := newSSEServer(t, events("data: a\n\n"), events("data: b\n\n"))
	c := httpx.NewClient()
	defer c.Close()
	oneShot := io.MultiReader(strings.NewReader("payload"))
	got := drain(c.EventStream(within(t, 10*time.Second), "POST", srv.URL, httpx.WithBody(oneShot)))
	assert.Len(t, got.events, 1)
	require.Len(t, got.errs, 1)
	assert.ErrorIs(t, got.errs[0], httpx.ErrStreamConsumed)
	assert.Len(t, srv.seen(), 1)
	assert.Empty(t, *waits)
}

func TestEventStreamHeadersGivenWin(t *testing.T) {
	recordWaits(t)
	srv := newSSEServer(t, events("data: a\n\n"))
	c := httpx.NewClient()
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL,
		httpx.WithHeaders(map[string]string{"Accept": "text/event-stream, */*", "Cache-Control": "no-cache"})))
	require.Empty(t, got.errs)
	cn := srv.seen()[0]
	assert.Equal(t, "text/event-stream, */*", cn.Accept)
	assert.Equal(t, "no-cache", cn.CacheControl)
}

// A request-level Last-Event-ID resumes a stream; it is kept until the
// stream sets an ID of its own.
func TestEventStreamGivenLastEventID(t *testing.T) {
	recordWaits(t)
	srv := newSSEServer(t, events("data: a\n\n"), events("id: 9\ndata: b\n\n"), events("id\ndata: c\n\n"))
	c := httpx.NewClient()
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL, httpx.WithHeader("Last-Event-ID", "5")))
	require.Empty(t, got.errs)
	require.Len(t, got.events, 3)
	conns := srv.seen()
	require.Len(t, conns, 4)
	assert.Equal(t, []string{"5", "5", "9"}, []string{conns[0].LastEventID, conns[1].LastEventID, conns[2].LastEventID})
	assert.False(t, conns[3].HasLastEventID, "an empty id resets the last event ID")
}

func TestEventStreamConnectFailuresBackOff(t *testing.T) {
	waits := recordWaits(t)
	var (
		mu    sync.Mutex
		calls []string
	)
	mock := httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, req.Headers.Get("Last-Event-ID"))
		switch len(calls) {
		case 1:
			return httpx.NewResponse(200, httpx.WithHeader("Content-Type", "text/event-stream"),
				httpx.WithContent([]byte("id: 7\nevent: tick\ndata: 1\n\n"))), nil
		case 2, 3, 4:
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		case 5:
			return httpx.NewResponse(200, httpx.WithHeader("Content-Type", "text/event-stream"),
				httpx.WithBody(&oneByteReader{"data: 2\r\n\r\n"})), nil
		}
		return httpx.NewResponse(204), nil
	})
	c := httpx.NewClient(httpx.WithTransport(mock))
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", "https://sse.example/stream"))
	require.Empty(t, got.errs)
	assert.Equal(t, []httpx.ServerSentEvent{{Event: "tick", Data: "1", ID: "7"}, {Event: "message", Data: "2", ID: "7"}}, got.events)
	assert.Equal(t, []string{"", "7", "7", "7", "7", "7"}, calls)
	s := time.Second
	assert.Equal(t, []time.Duration{3 * s, 6 * s, 12 * s, 24 * s, 3 * s}, *waits)
}

func TestEventStreamOtherErrorsEnd(t *testing.T) {
	waits := recordWaits(t)
	c := httpx.NewClient()
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", "ftp://127.0.0.1/x"))
	require.Len(t, got.errs, 1)
	assert.ErrorIs(t, got.errs[0], httpx.ErrUnsupportedProtocol)
	assert.Empty(t, *waits)

	got = drain(c.EventStream(within(t, 10*time.Second), "GET", "http://[::1"))
	require.Len(t, got.errs, 1)
	assert.ErrorIs(t, got.errs[0], httpx.ErrInvalidURL)
}

func TestEventStreamHandlerTransport(t *testing.T) {
	recordWaits(t)
	n := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if n > 1 {
			assert.Equal(t, "3", r.Header.Get("Last-Event-ID"))
			w.WriteHeader(204)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 3; i++ {
			_, _ = io.WriteString(w, "id: "+string(rune('0'+i))+"\ndata: tick\n\n")
			w.(http.Flusher).Flush()
		}
	})
	c := httpx.NewClient(httpx.WithApp(h))
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", "http://app/events"))
	require.Empty(t, got.errs)
	require.Len(t, got.events, 3)
	assert.Equal(t, "3", got.events[2].ID)
	assert.Equal(t, 2, n)
}

func TestEventStreamRunsHooks(t *testing.T) {
	recordWaits(t)
	srv := newSSEServer(t, events("data: a\n\n"))
	var requests, responses int
	c := httpx.NewClient(httpx.WithEventHooks(httpx.EventHooks{
		Request:  []func(*httpx.Request) error{func(*httpx.Request) error { requests++; return nil }},
		Response: []func(*httpx.Response) error{func(*httpx.Response) error { responses++; return nil }},
	}))
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
	require.Empty(t, got.errs)
	assert.Equal(t, 2, requests)
	assert.Equal(t, 2, responses)
}

func TestEventStreamHTTP2(t *testing.T) {
	recordWaits(t)
	var (
		mu     sync.Mutex
		protos []string
		ids    []string
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := len(protos)
		protos, ids = append(protos, r.Proto), append(ids, r.Header.Get("Last-Event-ID"))
		mu.Unlock()
		if n > 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "id: 7\ndata: over\n")
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, "data: h2\n\n")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := httpx.NewClient(httpx.WithTLSConfig(srv.Client().Transport.(*http.Transport).TLSClientConfig), httpx.WithHTTP2(true))
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
	require.Empty(t, got.errs)
	assert.Equal(t, []httpx.ServerSentEvent{{Event: "message", Data: "over\nh2", ID: "7"}}, got.events)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"HTTP/2.0", "HTTP/2.0"}, protos)
	assert.Equal(t, []string{"", "7"}, ids)
}

func TestEventStreamReconnectSendsNewCookies(t *testing.T) {
	recordWaits(t)
	var (
		mu      sync.Mutex
		cookies []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := len(cookies)
		cookies = append(cookies, r.Header.Get("Cookie"))
		mu.Unlock()
		switch n {
		case 0:
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1"})
		case 1:
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "s2"})
		default:
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: x\n\n")
	}))
	t.Cleanup(srv.Close)
	c := httpx.NewClient(httpx.WithCookies(map[string]string{"client": "c"}))
	defer c.Close()
	got := drain(c.EventStream(within(t, 10*time.Second), "GET", srv.URL))
	require.Empty(t, got.errs)
	require.Len(t, got.events, 2)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"client=c", "client=c; session=s1", "client=c; session=s2"}, cookies)
}
