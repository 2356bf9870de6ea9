package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
)

// flaky answers 503 to the first fails requests of each path, then 200,
// recording every request's method and body.
type flaky struct {
	fails  int
	mu     sync.Mutex
	calls  int
	bodies []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.bodies = append(f.bodies, r.Header.Get("Content-Type")+"|"+string(b))
	f.mu.Unlock()
	if n <= f.fails {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "busy")
		return
	}
	io.WriteString(w, "ok")
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fast is a policy whose waits are at most a millisecond.
var fast = httpx.RetryPolicy{Backoff: time.Millisecond, MaxBackoff: time.Millisecond}

func TestRetryStatusesOnEveryTransport(t *testing.T) {
	tests := []struct {
		name      string
		fails     int
		policy    httpx.RetryPolicy
		method    string
		wantCalls int
		wantCode  int
	}{
		{"503 twice, then 200", 2, fast, "GET", 3, 200},
		{"attempts spent: the last 503 is the answer", 5, fast, "GET", 3, 503},
		{"more attempts", 4, withAttempts(fast, 5), "GET", 5, 200},
		{"POST is not retried by default", 2, fast, "POST", 1, 503},
		{"POST retried when the policy names it", 2, withMethods(fast, "POST"), "POST", 3, 200},
		{"a status outside Statuses", 2, withStatuses(fast, 500), "GET", 1, 503},
		{"Retryable decides", 1, withRetryable(fast, func(r *httpx.Response, err error) bool { return r != nil && r.StatusCode == 503 }), "GET", 2, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *flaky
			overTransports(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.ServeHTTP(w, r) }), func(t *testing.T, base string, opts ...httpx.ClientOption) {
				f = &flaky{fails: tt.fails}
				var hooks, auths atomic.Int32
				opts = append(opts, httpx.WithRetry(tt.policy),
					httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{func(*httpx.Request) error { hooks.Add(1); return nil }}}),
					httpx.WithAuth(httpx.AuthFunc(func(r *httpx.Request) error { auths.Add(1); r.Headers.Set("X-Auth", "1"); return nil })))
				client := httpx.NewClient(opts...)
				defer client.Close()
				r, err := client.Request(within(t, 10*time.Second), tt.method, base+"/x", httpx.WithContent([]byte("payload")))
				require.NoError(t, err)
				assert.Equal(t, tt.wantCode, r.StatusCode)
				assert.Equal(t, tt.wantCalls, f.count())
				assert.Equal(t, int32(tt.wantCalls), hooks.Load(), "hooks run per attempt")
				assert.Equal(t, int32(tt.wantCalls), auths.Load(), "auth runs per attempt")
				for _, b := range f.bodies {
					assert.Equal(t, "|payload", b, "the body is sent whole every time")
				}
			})
		})
	}
}

func withAttempts(p httpx.RetryPolicy, n int) httpx.RetryPolicy { p.Attempts = n; return p }
func withMethods(p httpx.RetryPolicy, m ...string) httpx.RetryPolicy {
	p.Methods = m
	return p
}
func withStatuses(p httpx.RetryPolicy, s ...int) httpx.RetryPolicy { p.Statuses = s; return p }
func withRetryable(p httpx.RetryPolicy, f func(*httpx.Response, error) bool) httpx.RetryPolicy {
	p.Retryable = f
	return p
}

func TestRetryReplaysBodiesExactly(t *testing.T) {
	file := writeTemp(t, "report.txt", "file content")
	tests := []struct {
		name      string
		opt       func() httpx.RequestOption
		wantCalls int
	}{
		{"bytes", func() httpx.RequestOption { return httpx.WithContent([]byte("raw")) }, 3},
		{"JSON", func() httpx.RequestOption { return httpx.WithJSON(map[string]int{"a": 1}) }, 3},
		{"form", func() httpx.RequestOption { return httpx.WithForm(map[string]string{"k": "v"}) }, 3},
		{"multipart with a file on disk", func() httpx.RequestOption {
			return httpx.WithFiles(httpx.File{Field: "f", Filename: "report.txt", Content: openFile(t, file)})
		}, 3},
		{"an io.Seeker stream", func() httpx.RequestOption { return httpx.WithBody(bytes.NewReader([]byte("seekable"))) }, 3},
		{"a one-shot stream is sent once", func() httpx.RequestOption {
			return httpx.WithBody(io.MultiReader(strings.NewReader("once")))
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &flaky{fails: 2}
			srv := httptest.NewServer(f)
			defer srv.Close()
			client := httpx.NewClient(httpx.WithRetry(withMethods(fast, "POST")))
			defer client.Close()
			r, err := client.Post(within(t, 10*time.Second), srv.URL, tt.opt())
			require.NoError(t, err)
			assert.Equal(t, tt.wantCalls, f.count())
			if tt.wantCalls == 1 {
				assert.Equal(t, 503, r.StatusCode)
				return
			}
			assert.Equal(t, 200, r.StatusCode)
			first := f.bodies[0]
			if strings.HasPrefix(first, "multipart/") {
				// The same boundary, the same bytes.
				assert.Contains(t, first, "file content")
			}
			for _, b := range f.bodies[1:] {
				assert.Equal(t, first, b)
			}
		})
	}
}

func TestRetryErrors(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + l.Addr().String() + "/"
	l.Close()

	// A server that closes the first connection before answering.
	var conns atomic.Int32
	dropFirst := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conns.Add(1) == 1 {
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		io.WriteString(w, "ok")
	}))
	defer dropFirst.Close()

	client := httpx.NewClient(httpx.WithRetry(fast))
	defer client.Close()

	_, err = client.Get(within(t, 10*time.Second), refused)
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrConnect, "the kind is kept")
	var re *httpx.RetryError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 3, re.Attempts)
	assert.Contains(t, err.Error(), "3 attempts")

	r, err := client.Get(within(t, 10*time.Second), dropFirst.URL)
	require.NoError(t, err, "a server that went away before answering is retried")
	assert.Equal(t, "ok", mustText(t, r))
	assert.Equal(t, int32(2), conns.Load())

	// Without a policy nothing is retried, and the error is not wrapped.
	plain := httpx.NewClient()
	defer plain.Close()
	_, err = plain.Get(within(t, 10*time.Second), refused)
	assert.ErrorIs(t, err, httpx.ErrConnect)
	assert.False(t, errors.As(err, &re))
}

func TestRetryWaits(t *testing.T) {
	defer httpx.SetRetryJitter(func(d time.Duration) time.Duration { return d })()

	t.Run("Retry-After is honoured, capped by MaxBackoff", func(t *testing.T) {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(429)
				return
			}
			io.WriteString(w, "ok")
		}))
		defer srv.Close()
		client := httpx.NewClient(httpx.WithRetry(httpx.RetryPolicy{Backoff: time.Millisecond, MaxBackoff: 150 * time.Millisecond}))
		defer client.Close()
		start := time.Now()
		r, err := client.Get(within(t, 10*time.Second), srv.URL)
		require.NoError(t, err)
		assert.Equal(t, 200, r.StatusCode)
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, 150*time.Millisecond, "waited Retry-After up to the cap, not the 1 ms back-off")
		assert.Less(t, elapsed, time.Second, "the cap applies to Retry-After")
	})

	t.Run("back-off doubles", func(t *testing.T) {
		f := &flaky{fails: 2}
		srv := httptest.NewServer(f)
		defer srv.Close()
		client := httpx.NewClient(httpx.WithRetry(httpx.RetryPolicy{Backoff: 40 * time.Millisecond}))
		defer client.Close()
		start := time.Now()
		_, err := client.Get(within(t, 10*time.Second), srv.URL)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), 120*time.Millisecond, "40 ms, then 80 ms")
	})

	t.Run("never sleeps past the deadline", func(t *testing.T) {
		f := &flaky{fails: 5}
		srv := httptest.NewServer(f)
		defer srv.Close()
		client := httpx.NewClient(httpx.WithRetry(httpx.RetryPolicy{Backoff: 10 * time.Second}))
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		r, err := client.Get(ctx, srv.URL)
		require.NoError(t, err, "the last outcome, a response")
		assert.Equal(t, 503, r.StatusCode)
		assert.Less(t, time.Since(start), time.Second, "gave up at once")
		assert.Equal(t, 1, f.count())
	})

	t.Run("a cancelled wait returns promptly", func(t *testing.T) {
		f := &flaky{fails: 5}
		srv := httptest.NewServer(f)
		defer srv.Close()
		client := httpx.NewClient(httpx.WithRetry(httpx.RetryPolicy{Backoff: 5 * time.Second}))
		defer client.Close()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := client.Get(ctx, srv.URL)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"Wed, 02 Dec 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Wed, 02 Dec 2026 11:00:00 GMT", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := httpx.RetryAfter(tt.in, now)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestRetryPolicyLevels(t *testing.T) {
	f := &flaky{fails: 10}
	srv := httptest.NewServer(f)
	defer srv.Close()
	client := httpx.NewClient(httpx.WithRetry(withAttempts(fast, 5)))
	defer client.Close()
	_, err := client.Get(within(t, 10*time.Second), srv.URL, httpx.WithRetry(withAttempts(fast, 2)))
	require.NoError(t, err)
	assert.Equal(t, 2, f.count(), "the request's policy replaces the client's")

	// Through StdClient, as a third-party SDK would send.
	f2 := &flaky{fails: 2}
	srv2 := httptest.NewServer(f2)
	defer srv2.Close()
	resp, err := client.StdClient().Get(srv2.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "ok", string(b))
	assert.Equal(t, 3, f2.count())
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func mustText(t *testing.T, r *httpx.Response) string {
	t.Helper()
	s, err := r.Text()
	require.NoError(t, err)
	return s
}
