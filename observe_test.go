package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
)

// logRecord is one record a captureHandler kept.
type logRecord struct {
	level  slog.Level
	msg    string
	logger string // the "logger" attribute
}

// captureHandler keeps the records of an slog.Logger, from level up.
type captureHandler struct {
	level slog.Level
	mu    *sync.Mutex
	recs  *[]logRecord
}

func newCapture(level slog.Level) (*slog.Logger, func() []logRecord) {
	h := captureHandler{level: level, mu: new(sync.Mutex), recs: new([]logRecord)}
	return slog.New(h), func() []logRecord {
		h.mu.Lock()
		defer h.mu.Unlock()
		return append([]logRecord(nil), *h.recs...)
	}
}

func (h captureHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }
func (h captureHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h captureHandler) WithGroup(string) slog.Handler                { return h }
func (h captureHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "logger" {
			rec.logger = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	*h.recs = append(*h.recs, rec)
	h.mu.Unlock()
	return nil
}

func messages(recs []logRecord, level slog.Level) []string {
	var out []string
	for _, r := range recs {
		if r.level == level {
			out = append(out, r.msg)
		}
	}
	return out
}

func helloHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte("hello"))
	})
}

func TestTimingsFreshThenReused(t *testing.T) {
	for _, pc := range serveProtocols(t, helloHandler()) {
		t.Run(pc.name, func(t *testing.T) {
			ctx := within(t, 10*time.Second)
			c := httpx.NewClient(pc.opts...)
			defer c.Close()

			resp, err := c.Post(ctx, pc.url+"/", httpx.WithContent([]byte("ping")))
			require.NoError(t, err)
			first := resp.Timings()
			assert.False(t, first.Reused)
			assert.Positive(t, first.Connect)
			assert.Zero(t, first.DNS, "an IP address is not looked up")
			if strings.HasPrefix(pc.url, "https:") {
				assert.Positive(t, first.TLS)
			} else {
				assert.Zero(t, first.TLS)
			}
			assert.Positive(t, first.Write)
			assert.Positive(t, first.Wait)
			assert.Positive(t, first.Read, "the body was read")

			resp, err = c.Get(ctx, pc.url+"/")
			require.NoError(t, err)
			second := resp.Timings()
			assert.True(t, second.Reused)
			assert.Zero(t, second.DNS)
			assert.Zero(t, second.Connect)
			assert.Zero(t, second.TLS)
			assert.Positive(t, second.Wait)
			assert.Positive(t, second.Read)
		})
	}
}

func TestTimingsReadSetWhenTheBodyEnds(t *testing.T) {
	srv := httptest.NewServer(helloHandler())
	defer srv.Close()
	c := httpx.NewClient()
	defer c.Close()
	ctx := within(t, 10*time.Second)
	resp, err := c.Stream(ctx, "GET", srv.URL)
	require.NoError(t, err)
	assert.Zero(t, resp.Timings().Read, "not read yet")
	_, err = io.ReadAll(resp)
	require.NoError(t, err)
	assert.Positive(t, resp.Timings().Read)
	require.NoError(t, resp.Close())
}

func TestTimingsDNSForAName(t *testing.T) {
	srv := httptest.NewServer(helloHandler())
	defer srv.Close()
	c := httpx.NewClient()
	defer c.Close()
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	resp, err := c.Get(within(t, 10*time.Second), url)
	require.NoError(t, err)
	tm := resp.Timings()
	assert.Positive(t, tm.DNS)
	assert.Positive(t, tm.Connect)
}

func TestTimingsInMemoryTransports(t *testing.T) {
	slow := httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		time.Sleep(20 * time.Millisecond)
		return httpx.NewResponse(200, httpx.WithBody(&slowReader{chunks: 2, delay: 20 * time.Millisecond})), nil
	})
	c := httpx.NewClient(httpx.WithTransport(slow))
	defer c.Close()
	resp, err := c.Stream(within(t, 5*time.Second), "GET", "http://example.test/")
	require.NoError(t, err)
	tm := resp.Timings()
	assert.GreaterOrEqual(t, tm.Wait, 20*time.Millisecond, "the handler's time is the wait")
	assert.Zero(t, tm.Read, "not read yet")
	_, err = resp.Content()
	require.NoError(t, err)
	tm = resp.Timings()
	assert.GreaterOrEqual(t, tm.Read, 40*time.Millisecond, "the body's two slow chunks")
	assert.Equal(t, httpx.Timings{Wait: tm.Wait, Read: tm.Read}, tm, "no connection phases")
	assert.InDelta(t, float64(resp.Elapsed()), float64(tm.Wait+tm.Read), float64(time.Millisecond))
}

// slowReader gives chunks bytes, one at a time, each after delay.
type slowReader struct {
	chunks int
	delay  time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.chunks == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.delay)
	r.chunks--
	p[0] = 'x'
	return 1, nil
}

func TestTraceExtensionEvents(t *testing.T) {
	h1 := []string{
		"connection.connect_tcp.started", "connection.connect_tcp.complete",
		"http11.send_request_headers.started", "http11.send_request_headers.complete",
		"http11.send_request_body.started", "http11.send_request_body.complete",
		"http11.receive_response_headers.started", "http11.receive_response_headers.complete",
		"http11.receive_response_body.started", "http11.receive_response_body.complete",
		"http11.response_closed.started", "http11.response_closed.complete",
	}
	h2 := func(tls bool) []string {
		var names []string
		if tls {
			names = append(names, "connection.connect_tcp.started", "connection.connect_tcp.complete", "connection.start_tls.started", "connection.start_tls.complete")
		} else {
			names = append(names, "connection.connect_tcp.started", "connection.connect_tcp.complete")
		}
		for _, n := range h1[2:] {
			names = append(names, strings.Replace(n, "http11.", "http2.", 1))
		}
		return names
	}
	want := map[string][]string{"HTTP/1.1": h1, "HTTP/2 over TLS": h2(true), "h2c prior knowledge": h2(false)}
	for _, pc := range serveProtocols(t, helloHandler()) {
		t.Run(pc.name, func(t *testing.T) {
			ctx := within(t, 10*time.Second)
			c := httpx.NewClient(pc.opts...)
			defer c.Close()
			for _, body := range []bool{false, true} {
				var names []string
				infos := map[string]map[string]any{}
				trace := func(event string, info map[string]any) {
					names = append(names, event)
					infos[event] = info
				}
				opts := []httpx.RequestOption{httpx.WithExtensions(map[string]any{"trace": trace})}
				if body {
					opts = append(opts, httpx.WithContent([]byte("some body")))
				}
				resp, err := c.Request(ctx, "POST", pc.url+"/x", opts...)
				require.NoError(t, err)
				require.Equal(t, 200, resp.StatusCode)
				expect := want[pc.name]
				if body {
					expect = expect[len(expect)-10:] // the connection is reused
				}
				assert.Equal(t, expect, names)
				if !body {
					start := infos["connection.connect_tcp.started"]
					assert.Equal(t, "127.0.0.1", start["host"])
					assert.Contains(t, pc.url, fmt.Sprint(":", start["port"]))
					assert.Equal(t, 5.0, start["timeout"])
					assert.Implements(t, (*net.Conn)(nil), infos["connection.connect_tcp.complete"]["return_value"])
				}
				prefix := "http11."
				if pc.version == "HTTP/2" {
					prefix = "http2."
				}
				assert.Same(t, resp.Request, infos[prefix+"send_request_headers.started"]["request"])
				got := infos[prefix+"receive_response_headers.complete"]["return_value"].([]any)
				if pc.version == "HTTP/2" {
					assert.Equal(t, 200, got[0])
				} else {
					assert.Equal(t, []any{"HTTP/1.1", 200, "OK"}, got[:3])
				}
			}
		})
	}
}

func TestTraceExtensionConnectFailed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	var names []string
	var exc any
	trace := func(event string, info map[string]any) {
		names = append(names, event)
		if event == "connection.connect_tcp.failed" {
			exc = info["exception"]
		}
	}
	c := httpx.NewClient()
	defer c.Close()
	_, err = c.Get(within(t, 5*time.Second), "http://"+addr+"/", httpx.WithExtensions(map[string]any{"trace": trace}))
	require.ErrorIs(t, err, httpx.ErrConnect)
	assert.Equal(t, []string{"connection.connect_tcp.started", "connection.connect_tcp.failed"}, names)
	excErr, ok := exc.(error)
	require.True(t, ok, "exception is an error: %T", exc)
	assert.ErrorIs(t, excErr, httpx.ErrConnect)
}

func TestTraceExtensionOfTheWrongType(t *testing.T) {
	srv := httptest.NewServer(helloHandler())
	defer srv.Close()
	c := httpx.NewClient()
	defer c.Close()
	_, err := c.Get(within(t, 5*time.Second), srv.URL, httpx.WithExtensions(map[string]any{"trace": func(string) {}}))
	assert.ErrorIs(t, err, httpx.ErrUsage)
}

func TestLoggerInfoLine(t *testing.T) {
	for _, pc := range serveProtocols(t, helloHandler()) {
		t.Run(pc.name, func(t *testing.T) {
			logger, records := newCapture(slog.LevelInfo)
			c := httpx.NewClient(append([]httpx.ClientOption{httpx.WithLogger(logger)}, pc.opts...)...)
			defer c.Close()
			withUser := strings.Replace(pc.url, "//", "//user:hunter2@", 1)
			_, err := c.Get(within(t, 10*time.Second), withUser+"/path?q=1")
			require.NoError(t, err)
			masked := strings.Replace(pc.url, "//", "//user:[secure]@", 1)
			assert.Equal(t, []string{`HTTP Request: GET ` + masked + `/path?q=1 "` + pc.version + ` 200 OK"`}, messages(records(), slog.LevelInfo))
			assert.Empty(t, messages(records(), slog.LevelDebug), "Debug is not enabled")
		})
	}
}

func TestLoggerDebugEvents(t *testing.T) {
	for _, pc := range serveProtocols(t, helloHandler()) {
		t.Run(pc.name, func(t *testing.T) {
			logger, records := newCapture(slog.LevelDebug)
			c := httpx.NewClient(append([]httpx.ClientOption{httpx.WithLogger(logger)}, pc.opts...)...)
			defer c.Close()
			_, err := c.Get(within(t, 10*time.Second), pc.url+"/", httpx.WithHeader("Authorization", "Bearer sekrit"))
			require.NoError(t, err)
			recs := records()
			debug := messages(recs, slog.LevelDebug)
			require.NotEmpty(t, debug)
			assert.Regexp(t, `^connect_tcp\.started host='127\.0\.0\.1' port=\d+ local_address=None timeout=5\.0$`, debug[0])
			assert.Equal(t, "httpcore.connection", recs[0].logger)
			proto := "http11"
			if pc.version == "HTTP/2" {
				proto = "http2"
			}
			assert.Contains(t, debug, "send_request_headers.complete")
			assert.Contains(t, debug, "response_closed.complete")
			var loggers []string
			for _, r := range recs {
				if strings.HasPrefix(r.msg, "send_request_headers") {
					loggers = append(loggers, r.logger)
				}
			}
			assert.Equal(t, []string{"httpcore." + proto, "httpcore." + proto}, loggers)
			for _, m := range debug {
				assert.NotContains(t, m, "sekrit")
			}
			assert.Len(t, messages(recs, slog.LevelInfo), 1)
		})
	}
}

func TestLoggerRedirectLogsEachHop(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/from", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/to", http.StatusFound) })
	mux.Handle("/to", helloHandler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	logger, records := newCapture(slog.LevelDebug)
	c := httpx.NewClient(httpx.WithLogger(logger), httpx.WithFollowRedirects(true))
	defer c.Close()
	resp, err := c.Get(within(t, 10*time.Second), srv.URL+"/from")
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	recs := records()
	assert.Equal(t, []string{
		`HTTP Request: GET ` + srv.URL + `/from "HTTP/1.1 302 Found"`,
		`HTTP Request: GET ` + srv.URL + `/to "HTTP/1.1 200 OK"`,
	}, messages(recs, slog.LevelInfo))
	assert.Contains(t, messages(recs, slog.LevelDebug), "Redirect: 302 Found -> GET "+srv.URL+"/to")
}

func TestLoggerRetries(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()

	logger, records := newCapture(slog.LevelInfo)
	c := httpx.NewClient(httpx.WithLogger(logger), httpx.WithRetry(httpx.RetryPolicy{Backoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	defer c.Close()
	_, err := c.Get(within(t, 10*time.Second), srv.URL)
	require.NoError(t, err)
	info := messages(records(), slog.LevelInfo)
	require.Len(t, info, 3)
	assert.Equal(t, `HTTP Request: GET `+srv.URL+` "HTTP/1.1 503 Service Unavailable"`, info[0])
	assert.Regexp(t, `^Retrying GET `+srv.URL+` in \S+ \(attempt 2 of 3\) after "HTTP/1.1 503 Service Unavailable"$`, info[1])
	assert.Equal(t, `HTTP Request: GET `+srv.URL+` "HTTP/1.1 200 OK"`, info[2])
}

func TestNoLoggingWithoutALogger(t *testing.T) {
	logger, records := newCapture(slog.LevelDebug)
	old := slog.Default()
	slog.SetDefault(logger)
	defer slog.SetDefault(old)

	srv := httptest.NewServer(helloHandler())
	defer srv.Close()
	c := httpx.NewClient()
	defer c.Close()
	_, err := c.Get(within(t, 5*time.Second), srv.URL)
	require.NoError(t, err)
	assert.Empty(t, records())
}

func TestDebugDump(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 1000) // 10000 bytes
	upload := bytes.Repeat([]byte("u"), 5000)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Set-Cookie", "session=topsecret")
		_, _ = w.Write(big)
	})
	for _, pc := range serveProtocols(t, h) {
		t.Run(pc.name, func(t *testing.T) {
			var dump bytes.Buffer
			c := httpx.NewClient(append([]httpx.ClientOption{httpx.WithDebug(&dump), httpx.WithRedactHeaders("X-Api-Key")}, pc.opts...)...)
			defer c.Close()
			ctx := within(t, 10*time.Second)
			resp, err := c.Stream(ctx, "POST", pc.url+"/up", httpx.WithContent(upload),
				httpx.WithHeader("Authorization", "Bearer sekrit"), httpx.WithHeader("X-Api-Key", "key123"))
			require.NoError(t, err)
			var got bytes.Buffer
			buf := make([]byte, 777)
			for {
				n, err := resp.Read(buf)
				got.Write(buf[:n])
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
			}
			require.NoError(t, resp.Close())
			assert.Equal(t, big, got.Bytes(), "the caller reads the body unchanged")

			out := dump.String()
			assert.NotContains(t, out, "sekrit")
			assert.NotContains(t, out, "key123")
			assert.NotContains(t, out, "topsecret")
			if pc.version == "HTTP/2" {
				assert.Contains(t, out, "> :method: POST\n> :scheme: ")
				assert.Contains(t, out, "> :path: /up\n")
				assert.Contains(t, out, "> authorization: [secure]\n")
				assert.Contains(t, out, "> x-api-key: [secure]\n")
				assert.Contains(t, out, "< :status: 200\n")
				assert.Contains(t, out, "< set-cookie: [secure]\n")
			} else {
				assert.True(t, strings.HasPrefix(out, "> POST /up HTTP/1.1\n> Host: "), out)
				assert.Contains(t, out, "> Authorization: [secure]\n")
				assert.Contains(t, out, "> X-Api-Key: [secure]\n")
				assert.Contains(t, out, "< HTTP/1.1 200 OK\n")
				assert.Contains(t, out, "< Set-Cookie: [secure]\n")
			}
			assert.True(t, strings.Contains(out, ">\n"+string(upload[:4096])+"\n… 904 more bytes\n<"), "the request body, cut at 4 KiB")
			assert.True(t, strings.Contains(out, "<\n"+string(big[:4096])+"\n… 5904 more bytes\n* timings: pool="), "the response body, cut at 4 KiB")
			assert.Regexp(t, `\* timings: pool=\S+ dns=\S+ connect=\S+ tls=\S+ write=\S+ wait=\S+ read=\S+ reused=false elapsed=\S+\n`, out)
		})
	}
}

func TestDebugDumpShowSecrets(t *testing.T) {
	srv := httptest.NewServer(helloHandler())
	defer srv.Close()
	var dump bytes.Buffer
	c := httpx.NewClient(httpx.WithDebug(&dump), httpx.WithShowSecrets(true))
	defer c.Close()
	_, err := c.Get(within(t, 5*time.Second), srv.URL, httpx.WithHeader("Authorization", "Bearer sekrit"))
	require.NoError(t, err)
	assert.Contains(t, dump.String(), "> Authorization: Bearer sekrit\n")
	assert.Contains(t, dump.String(), "<\nhello\n* timings: ")
}

func TestDebugDumpStreamedRequestBody(t *testing.T) {
	srv := httptest.NewServer(helloHandler())
	defer srv.Close()
	var dump bytes.Buffer
	c := httpx.NewClient(httpx.WithDebug(&dump))
	defer c.Close()
	_, err := c.Post(within(t, 5*time.Second), srv.URL, httpx.WithBody(io.MultiReader(strings.NewReader("streamed "), strings.NewReader("body"))))
	require.NoError(t, err)
	assert.Contains(t, dump.String(), "> Transfer-Encoding: chunked\n>\nstreamed body\n< HTTP/1.1 200 OK\n")
}

func TestDebugDumpError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	var dump bytes.Buffer
	c := httpx.NewClient(httpx.WithDebug(&dump))
	defer c.Close()
	_, err = c.Get(within(t, 5*time.Second), "http://"+addr+"/")
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(dump.String(), "> GET / HTTP/1.1\n"), dump.String())
	assert.Contains(t, dump.String(), "* error: ")
}

func TestDebugDumpMockTransport(t *testing.T) {
	var dump bytes.Buffer
	c := httpx.NewClient(httpx.WithDebug(&dump), httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(201, httpx.WithText("made")), nil
	})))
	defer c.Close()
	resp, err := c.Get(within(t, 5*time.Second), "http://example.test/x")
	require.NoError(t, err)
	text, err := resp.Text()
	require.NoError(t, err)
	assert.Equal(t, "made", text)
	assert.True(t, strings.HasPrefix(dump.String(), "> GET /x HTTP/1.1\n> Host: example.test\n"), dump.String())
	assert.Contains(t, dump.String(), "< HTTP/1.1 201 Created\n")
	assert.Contains(t, dump.String(), "<\nmade\n* timings: ")
}

// The dump is written under a lock, and every block is whole: -race checks
// the one, the count of blocks the other.
func TestDebugDumpConcurrent(t *testing.T) {
	srv := httptest.NewServer(helloHandler())
	defer srv.Close()
	w := &countingWriter{}
	c := httpx.NewClient(httpx.WithDebug(w))
	defer c.Close()
	ctx := within(t, 10*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Get(ctx, srv.URL)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 16, strings.Count(w.String(), "> GET / HTTP/1.1\n"))
	assert.Equal(t, 16, strings.Count(w.String(), "* timings: "))
}

type countingWriter struct {
	buf    bytes.Buffer
	active bool
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.active {
		return 0, errors.New("concurrent write")
	}
	w.active = true
	defer func() { w.active = false }()
	return w.buf.Write(p)
}

func (w *countingWriter) String() string { return w.buf.String() }

// The server thinks before it answers, then pauses mid-body: the one is
// Wait, the other Read.
func TestTimingsSplitWaitAndRead(t *testing.T) {
	const pause = 100 * time.Millisecond
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(pause)
		_, _ = w.Write([]byte("first "))
		w.(http.Flusher).Flush()
		time.Sleep(pause)
		_, _ = w.Write([]byte("second"))
	})
	for _, pc := range serveProtocols(t, h) {
		t.Run(pc.name, func(t *testing.T) {
			c := httpx.NewClient(pc.opts...)
			defer c.Close()
			resp, err := c.Get(within(t, 10*time.Second), pc.url+"/")
			require.NoError(t, err)
			tm := resp.Timings()
			assert.GreaterOrEqual(t, tm.Wait, pause)
			assert.Less(t, tm.Wait, 2*pause)
			assert.GreaterOrEqual(t, tm.Read, pause)
			assert.Less(t, tm.Read, 2*pause)
		})
	}
}
