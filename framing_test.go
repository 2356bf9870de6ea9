package httpx_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireRequest is one request as a loopback server read it off the wire,
// header lines untouched by any HTTP library.
type wireRequest struct {
	Line    string
	Headers []string // "Name: value", as sent
	Body    string
}

// header returns the values of name, in the order sent.
func (w wireRequest) header(name string) []string {
	var out []string
	for _, h := range w.Headers {
		if k, v, ok := strings.Cut(h, ":"); ok && strings.EqualFold(k, name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// wireServer is a loopback HTTP/1.1 server that records the raw requests
// and answers each with respond(i, request), one request per connection.
type wireServer struct {
	URL string

	mu   sync.Mutex
	seen []wireRequest
}

func newWireServer(t *testing.T, respond func(i int, req wireRequest) string) *wireServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &wireServer{URL: "http://" + ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				req, err := readWireRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				s.mu.Lock()
				i := len(s.seen)
				s.seen = append(s.seen, req)
				s.mu.Unlock()
				io.WriteString(conn, respond(i, req))
			}()
		}
	}()
	return s
}

func (s *wireServer) requests() []wireRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]wireRequest(nil), s.seen...)
}

func readWireRequest(br *bufio.Reader) (wireRequest, error) {
	var req wireRequest
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return req, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if req.Line == "" {
			req.Line = line
		} else {
			req.Headers = append(req.Headers, line)
		}
	}
	var body io.Reader = strings.NewReader("")
	if te := req.header("Transfer-Encoding"); len(te) > 0 && strings.EqualFold(te[len(te)-1], "chunked") {
		body = httputil.NewChunkedReader(br)
	} else if cl := req.header("Content-Length"); len(cl) == 1 {
		n, err := strconv.ParseInt(cl[0], 10, 64)
		if err != nil {
			return req, err
		}
		body = io.LimitReader(br, n)
	}
	b, err := io.ReadAll(body)
	req.Body = string(b)
	return req, err
}

// reply is a complete HTTP/1.1 response closing the connection.
func reply(status int, headers ...string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	for _, h := range headers {
		sb.WriteString(h + "\r\n")
	}
	sb.WriteString("Content-Length: 0\r\nConnection: close\r\n\r\n")
	return sb.String()
}

// oneShot is a reader of unknown length, so its body goes chunked.
type oneShot struct{ r io.Reader }

func (o *oneShot) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestRedirect303TurnsChunkedPostIntoBodilessGet(t *testing.T) {
	srv := newWireServer(t, func(i int, _ wireRequest) string {
		if i == 0 {
			return reply(303, "Location: /target")
		}
		return reply(200)
	})
	c := httpx.NewClient(httpx.WithFollowRedirects(true), httpx.WithTrustEnv(false))
	defer c.Close()
	r, err := c.Post(ctx, srv.URL+"/start", httpx.WithBody(&oneShot{strings.NewReader("chunked payload")}))
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	assert.False(t, r.Request.Headers.Has("Transfer-Encoding"))
	assert.False(t, r.Request.Headers.Has("Content-Length"))

	seen := srv.requests()
	require.Len(t, seen, 2)
	assert.Equal(t, []string{"chunked"}, seen[0].header("Transfer-Encoding"), "the POST went chunked")
	assert.Equal(t, "chunked payload", seen[0].Body)
	assert.Equal(t, "GET /target HTTP/1.1", seen[1].Line)
	assert.Empty(t, seen[1].header("Transfer-Encoding"), "the GET carries no chunked framing")
	assert.Empty(t, seen[1].header("Content-Length"))
	assert.Empty(t, seen[1].Body)
}

func TestDefaultMaxRedirectsIsTwenty(t *testing.T) {
	// /hop/n redirects to /hop/n-1; /hop/0 answers 200.
	hops := httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		n, err := strconv.Atoi(strings.TrimPrefix(req.URL.Path(), "/hop/"))
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return httpx.NewResponse(200), nil
		}
		return httpx.NewResponse(302, httpx.WithHeader("Location", fmt.Sprintf("/hop/%d", n-1))), nil
	})
	c := httpx.NewClient(httpx.WithTransport(hops), httpx.WithFollowRedirects(true))
	defer c.Close()
	require.Equal(t, 20, c.MaxRedirects)
	tests := []struct {
		redirects int
		wantErr   bool
	}{
		{19, false},
		{20, false},
		{21, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.redirects), func(t *testing.T) {
			r, err := c.Get(ctx, fmt.Sprintf("https://a.com/hop/%d", tt.redirects))
			if tt.wantErr {
				require.ErrorIs(t, err, httpx.ErrTooManyRedirects)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 200, r.StatusCode)
			assert.Len(t, r.History, tt.redirects)
		})
	}
}

// TestDigestGivesUpAfterSecondStaleChallenge: HTTPX 0.28's
// DigestAuth.auth_flow yields at most twice (the first request, then one
// answer to the 401) and ignores stale. The Go port answers a stale=true
// challenge once more (a nonce that expired between the two requests), and
// then stops: three requests, the last 401 returned.
func TestDigestGivesUpAfterSecondStaleChallenge(t *testing.T) {
	srv := &digestServer{
		challenge: func(n int) string {
			return fmt.Sprintf(`Digest realm="r", nonce="n%d", qop="auth", stale=true`, n)
		},
		accept: func(string, int) bool { return false },
	}
	c := httpx.NewClient(httpx.WithApp(srv), httpx.WithAuth(httpx.DigestAuth("u", "p")))
	defer c.Close()
	r, err := c.Get(ctx, "http://testserver/x")
	require.NoError(t, err)
	assert.Equal(t, 401, r.StatusCode, "the last challenge goes back to the caller")
	require.Len(t, srv.seen, 3)
	assert.Empty(t, srv.seen[0])
	assert.Contains(t, srv.seen[1], `nonce="n0"`)
	assert.Contains(t, srv.seen[2], `nonce="n1"`)
	assert.Len(t, r.History, 2)
}

// TestBodilessRequestsContentLength: HTTPX adds "Content-Length: 0" to a
// POST, PUT or PATCH without a body, and to no other method.
func TestBodilessRequestsContentLength(t *testing.T) {
	srv := newWireServer(t, func(int, wireRequest) string { return reply(200) })
	wire := httpx.NewClient(httpx.WithTrustEnv(false))
	defer wire.Close()
	mock := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer mock.Close()
	tests := []struct {
		method string
		want   []string
	}{
		{"POST", []string{"0"}},
		{"PUT", []string{"0"}},
		{"PATCH", []string{"0"}},
		{"GET", nil},
		{"HEAD", nil},
		{"DELETE", nil},
		{"OPTIONS", nil},
	}
	for i, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			req, err := httpx.NewRequest(tt.method, "http://testserver/")
			require.NoError(t, err)
			assert.Equal(t, tt.want, req.Headers.Values("Content-Length"), "NewRequest")

			_, err = wire.Request(ctx, tt.method, srv.URL)
			require.NoError(t, err)
			seen := srv.requests()
			require.Len(t, seen, i+1)
			assert.Equal(t, tt.want, seen[i].header("Content-Length"), "on the wire")

			if tt.method == "HEAD" {
				return // no body to echo into
			}
			r, err := mock.Request(ctx, tt.method, "http://testserver/")
			require.NoError(t, err)
			assert.Equal(t, tt.want, decodeEcho(t, r).Headers["Content-Length"], "through the mock transport")
		})
	}
}

// TestForgedContentLengthDoesNotAllocateIt: a response claiming a huge
// Content-Length over a short body must not make Content allocate the
// claimed size up front.
func TestForgedContentLengthDoesNotAllocateIt(t *testing.T) {
	const claimed = 256 << 20
	forged := fmt.Sprintf("Content-Length: %d", claimed)
	srv := newWireServer(t, func(int, wireRequest) string {
		return "HTTP/1.1 200 OK\r\n" + forged + "\r\nConnection: close\r\n\r\nshort"
	})
	tests := []struct {
		name    string
		open    func(t *testing.T) *httpx.Response
		wantErr error // a body cut short on the wire is HTTPX's RemoteProtocolError
	}{
		{"mock transport", func(t *testing.T) *httpx.Response {
			c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
				return httpx.NewResponse(200, httpx.WithBody(&oneShot{strings.NewReader("short")}),
					httpx.WithHeader("Content-Length", strconv.Itoa(claimed))), nil
			})))
			t.Cleanup(func() { c.Close() })
			r, err := c.Stream(ctx, "GET", "http://testserver/")
			require.NoError(t, err)
			return r
		}, nil},
		{"loopback server", func(t *testing.T) *httpx.Response {
			c := httpx.NewClient(httpx.WithTrustEnv(false))
			t.Cleanup(func() { c.Close() })
			r, err := c.Stream(ctx, "GET", srv.URL)
			require.NoError(t, err)
			return r
		}, httpx.ErrRemoteProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.open(t)
			defer r.Close()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			body, err := r.Content()
			runtime.ReadMemStats(&after)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, "short", string(body))
			}
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, allocated, uint64(claimed/16), "allocated %d bytes for a 5-byte body claiming %d", allocated, claimed)
		})
	}
}

// TestExplicitContentLengthNeverOverridesTheBody: a Content-Length header
// the caller (or a hook) set cannot make a transport frame a body of known
// length differently; it only stands in for a length nobody knows.
func TestExplicitContentLengthNeverOverridesTheBody(t *testing.T) {
	var handlerSaw struct {
		length int64
		body   string
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		handlerSaw.length, handlerSaw.body = r.ContentLength, string(b)
	})
	srv := newWireServer(t, func(int, wireRequest) string { return reply(200) })
	tests := []struct {
		name       string
		body       func() httpx.RequestOption
		header     string
		wantLength string
		wantBody   string
	}{
		{"bytes, larger header", func() httpx.RequestOption { return httpx.WithContent([]byte("hello")) }, "999", "5", "hello"},
		{"bytes, smaller header", func() httpx.RequestOption { return httpx.WithContent([]byte("hello")) }, "2", "5", "hello"},
		{"seekable stream", func() httpx.RequestOption { return httpx.WithBody(strings.NewReader("hello")) }, "999", "5", "hello"},
		{"JSON", func() httpx.RequestOption { return httpx.WithJSON(map[string]int{"a": 1}) }, "1", "7", `{"a":1}`},
		{"no body", func() httpx.RequestOption { return httpx.WithContent(nil) }, "10", "0", ""},
		{"stream of unknown length", func() httpx.RequestOption { return httpx.WithBody(&oneShot{strings.NewReader("hello")}) }, "5", "5", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := func() []httpx.RequestOption {
				return []httpx.RequestOption{tt.body(), httpx.WithHeader("Content-Length", tt.header)}
			}
			mock := httpx.NewClient(httpx.WithTransport(echoTransport()))
			defer mock.Close()
			r, err := mock.Post(ctx, "http://testserver/", opts()...)
			require.NoError(t, err)
			e := decodeEcho(t, r)
			assert.Equal(t, []string{tt.wantLength}, e.Headers["Content-Length"], "mock transport")
			assert.Equal(t, tt.wantBody, e.Body)

			inProcess := httpx.NewClient(httpx.WithApp(app))
			defer inProcess.Close()
			_, err = inProcess.Post(ctx, "http://testserver/", opts()...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantLength, strconv.FormatInt(handlerSaw.length, 10), "handler transport")
			assert.Equal(t, tt.wantBody, handlerSaw.body)

			wire := httpx.NewClient(httpx.WithTrustEnv(false))
			defer wire.Close()
			_, err = wire.Post(ctx, srv.URL, opts()...)
			require.NoError(t, err)
			seen := srv.requests()
			last := seen[len(seen)-1]
			assert.Equal(t, []string{tt.wantLength}, last.header("Content-Length"), "on the wire")
			assert.Empty(t, last.header("Transfer-Encoding"))
			assert.Equal(t, tt.wantBody, last.Body)
		})
	}
}

// TestHookSetContentLengthDoesNotReframeTheBody: a request hook runs after
// the body was encoded; a Content-Length it sets cannot change how the
// handler or the network transport frame the body.
func TestHookSetContentLengthDoesNotReframeTheBody(t *testing.T) {
	forge := httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{
		func(r *httpx.Request) error { r.Headers.Set("Content-Length", "999"); return nil },
	}})
	var sawLength int64
	var sawBody string
	inProcess := httpx.NewClient(forge, httpx.WithApp(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sawLength, sawBody = r.ContentLength, string(b)
	})))
	defer inProcess.Close()
	_, err := inProcess.Post(ctx, "http://testserver/", httpx.WithContent([]byte("hello")))
	require.NoError(t, err)
	assert.EqualValues(t, 5, sawLength, "handler transport")
	assert.Equal(t, "hello", sawBody)

	srv := newWireServer(t, func(int, wireRequest) string { return reply(200) })
	wire := httpx.NewClient(forge, httpx.WithTrustEnv(false))
	defer wire.Close()
	_, err = wire.Post(ctx, srv.URL, httpx.WithContent([]byte("hello")))
	require.NoError(t, err)
	seen := srv.requests()
	require.Len(t, seen, 1)
	assert.Equal(t, []string{"5"}, seen[0].header("Content-Length"), "on the wire")
	assert.Equal(t, "hello", seen[0].Body)
}
