package transport_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"

	"github.com/gohttpx/httpx/transport"
)

func TestBasicExchange(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Method", r.Method)
			w.Header().Set("Content-Encoding", "gzip") // not really: the body must arrive untouched
			fmt.Fprintf(w, "%s %s", r.Header.Get("X-Req"), body)
		}))
		tr := newTransport(t, cfg)
		req, err := http.NewRequest("PUT", s.URL+"/path?q=1", strings.NewReader("payload"))
		require.NoError(t, err)
		req.Header.Set("X-Req", "hello")
		resp, err := tr.RoundTrip(req, transport.Timeouts{Connect: time.Second, Read: time.Second, Write: time.Second, Pool: time.Second})
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, "hello payload", string(body))
		assert.Equal(t, "PUT", resp.Header.Get("X-Method"))
		assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		assert.Same(t, req, resp.Request)
		want := 1
		if m.h2 {
			want = 2
		}
		assert.Equal(t, want, resp.ProtoMajor)
	})
}

func TestProtocols(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Proto) })
	tlsServer, h2cfg := modes[1].server(t, h)
	h2cServer := httptest.NewServer(h2c.NewHandler(h, &http2.Server{}))
	closeServer(t, h2cServer)

	for _, tc := range []struct {
		name  string
		url   string
		cfg   transport.Config
		proto string
	}{
		{"h2 over TLS", tlsServer.URL, transport.Config{HTTP1: true, HTTP2: true, TLSConfig: h2cfg.TLSConfig}, "HTTP/2.0"},
		{"h2 only over TLS", tlsServer.URL, transport.Config{HTTP2: true, TLSConfig: h2cfg.TLSConfig}, "HTTP/2.0"},
		{"HTTP/1.1 only over TLS", tlsServer.URL, transport.Config{HTTP1: true, TLSConfig: h2cfg.TLSConfig}, "HTTP/1.1"},
		{"zero config is HTTP/1.1", tlsServer.URL, transport.Config{TLSConfig: h2cfg.TLSConfig}, "HTTP/1.1"},
		{"h2c prior knowledge", h2cServer.URL, transport.Config{HTTP2: true}, "HTTP/2.0"},
		{"plain HTTP/1.1 when HTTP1 is on", h2cServer.URL, transport.Config{HTTP1: true, HTTP2: true}, "HTTP/1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(t, tc.cfg)
			resp, body := get(t, tr, tc.url, transport.Timeouts{Read: time.Second})
			assert.Equal(t, tc.proto, string(body))
			wantMajor := 1
			if tc.proto == "HTTP/2.0" {
				wantMajor = 2
			}
			assert.Equal(t, wantMajor, resp.ProtoMajor, "the protocol the Engine reports")
		})
	}
}

func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Host)
	}))
	s.Listener.Close()
	s.Listener = l
	s.Start()
	closeServer(t, s)

	tr := newTransport(t, transport.Config{UDS: path})
	_, body := get(t, tr, "http://example.test:8080/", transport.Timeouts{Connect: time.Second})
	assert.Equal(t, "example.test:8080", string(body))
}

func TestLocalAddr(t *testing.T) {
	remote := func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		fmt.Fprint(w, host)
	}
	s4 := httptest.NewServer(http.HandlerFunc(remote))
	closeServer(t, s4)
	port := s4.Listener.Addr().(*net.TCPAddr).Port

	t.Run("explicit IPv4", func(t *testing.T) {
		tr := newTransport(t, transport.Config{LocalAddr: "127.0.0.1"})
		_, body := get(t, tr, s4.URL, transport.Timeouts{})
		assert.Equal(t, "127.0.0.1", string(body))
	})
	t.Run("0.0.0.0 forces IPv4 for localhost", func(t *testing.T) {
		tr := newTransport(t, transport.Config{LocalAddr: "0.0.0.0"})
		_, body := get(t, tr, fmt.Sprintf("http://localhost:%d/", port), transport.Timeouts{Connect: time.Second})
		assert.Equal(t, "127.0.0.1", string(body))
	})
	t.Run(":: forces IPv6", func(t *testing.T) {
		l, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skip("no IPv6 loopback")
		}
		s6 := httptest.NewUnstartedServer(http.HandlerFunc(remote))
		s6.Listener.Close()
		s6.Listener = l
		s6.Start()
		closeServer(t, s6)
		tr := newTransport(t, transport.Config{LocalAddr: "::"})
		_, body := get(t, tr, s6.URL, transport.Timeouts{Connect: time.Second})
		assert.Equal(t, "::1", string(body))
		_, err = do(t, tr, "GET", s4.URL, nil, transport.Timeouts{Connect: time.Second})
		requireKind(t, err, transport.KindConnect)
	})
	t.Run("bad address", func(t *testing.T) {
		_, err := transport.NewEngine(transport.Config{LocalAddr: "nope"})
		assert.Error(t, err)
	})
}

func TestRetries(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close() // refused until the server below starts

	t.Run("no retries fails at once", func(t *testing.T) {
		tr := newTransport(t, transport.Config{})
		_, err := do(t, tr, "GET", "http://"+addr, nil, transport.Timeouts{})
		requireKind(t, err, transport.KindConnect)
	})

	t.Run("context ends the backoff", func(t *testing.T) {
		tr := newTransport(t, transport.Config{Retries: 5})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := doCtx(ctx, t, tr, "GET", "http://"+addr, nil, transport.Timeouts{})
		requireKind(t, err, transport.KindCanceled)
		assert.Less(t, time.Since(start), 400*time.Millisecond)
		eventually(t, func() bool { return tr.Stats() == transport.Stats{} }, "slot released")
	})

	t.Run("backoff 0 then 0.5s", func(t *testing.T) {
		go func() {
			time.Sleep(250 * time.Millisecond)
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return
			}
			s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			s.Listener.Close()
			s.Listener = l
			s.Start()
			t.Cleanup(s.Close)
		}()
		tr := newTransport(t, transport.Config{Retries: 3})
		start := time.Now()
		resp, err := do(t, tr, "GET", "http://"+addr, nil, transport.Timeouts{Connect: time.Second})
		elapsed := time.Since(start)
		require.NoError(t, err)
		resp.Body.Close()
		// Attempts at 0 s and 0 s fail; the third, after 0.5 s, succeeds.
		assert.GreaterOrEqual(t, elapsed, 450*time.Millisecond)
		assert.Less(t, elapsed, 1200*time.Millisecond, "the next delay, 1 s, was not needed")
	})
}

// TestRetrySchedule checks which connect failures are retried, how often,
// and the exact back-off between attempts (httpcore's 0, 0.5, 1, 2 ... s),
// through a hook that records each delay instead of waiting it.
func TestRetrySchedule(t *testing.T) {
	s, _ := countedServer(t, func(w http.ResponseWriter, r *http.Request) {})
	target := s.Listener.Addr().String()
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		return l.Addr().String()
	}()
	const s05, s1, s2 = 500 * time.Millisecond, time.Second, 2 * time.Second

	for _, tc := range []struct {
		name     string
		retries  int
		failures int    // attempts that fail before the target is dialled
		fail     string // "refused" or "timeout"
		attempts int
		delays   []time.Duration
		kind     transport.Kind // 0: success
	}{
		{name: "no retries", retries: 0, failures: 1, fail: "refused", attempts: 1, kind: transport.KindConnect},
		{name: "refused then success", retries: 3, failures: 3, fail: "refused", attempts: 4, delays: []time.Duration{0, s05, s1}},
		{name: "refused until retries run out", retries: 4, failures: 9, fail: "refused", attempts: 5,
			delays: []time.Duration{0, s05, s1, s2}, kind: transport.KindConnect},
		{name: "connect timeouts are retried", retries: 2, failures: 2, fail: "timeout", attempts: 3, delays: []time.Duration{0, s05}},
		{name: "connect timeouts until retries run out", retries: 1, failures: 9, fail: "timeout", attempts: 2,
			delays: []time.Duration{0}, kind: transport.KindConnectTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var attempts atomic.Int32
			var d net.Dialer
			tr := newTransport(t, transport.Config{
				Retries: tc.retries,
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					if int(attempts.Add(1)) > tc.failures {
						return d.DialContext(ctx, network, target)
					}
					if tc.fail == "timeout" {
						<-ctx.Done() // the connect timeout ends the attempt
						return nil, ctx.Err()
					}
					return d.DialContext(ctx, network, refused)
				},
			})
			var (
				mu     sync.Mutex
				delays []time.Duration
			)
			transport.SetBackoffHook(tr.Engine, func(d time.Duration) time.Duration {
				mu.Lock()
				defer mu.Unlock()
				delays = append(delays, d)
				return 0
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			resp, err := doCtx(ctx, t, tr, "GET", s.URL, nil, transport.Timeouts{Connect: 50 * time.Millisecond})
			if tc.kind == 0 {
				require.NoError(t, err)
				resp.Body.Close()
			} else {
				requireKind(t, err, tc.kind)
			}
			assert.Equal(t, tc.attempts, int(attempts.Load()), "connection attempts")
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tc.delays, delays, "back-off before each retry")
		})
	}
}

// TestStaleKeepAliveRetried: the server reads the second request on a
// kept-alive connection and hangs up without answering, as a server whose
// keep-alive expired does. The Engine resends a replayable request on a new
// connection; a non-replayable one fails.
func TestStaleKeepAliveRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var requests atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for i := 0; ; i++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					requests.Add(1)
					if i == 1 {
						return // close instead of answering the second request
					}
					fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	url := "http://" + l.Addr().String()

	for _, tc := range []struct {
		name      string
		method    string
		getBody   bool
		wantRetry bool
	}{
		{"GET", "GET", false, true},
		{"PUT with GetBody and Idempotency-Key", "PUT", true, true},
		{"POST", "POST", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(t, transport.Config{})
			get(t, tr, url, transport.Timeouts{})
			requests.Store(0)
			req, err := http.NewRequest(tc.method, url, strings.NewReader("body"))
			require.NoError(t, err)
			if !tc.getBody {
				req, _ = http.NewRequest(tc.method, url, nil)
			}
			if tc.method == "PUT" {
				req.Header.Set("Idempotency-Key", "1")
			}
			resp, err := tr.RoundTrip(req, transport.Timeouts{Read: time.Second})
			if !tc.wantRetry {
				requireKind(t, err, transport.KindRemoteProtocol)
				return
			}
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, int32(2), requests.Load(), "sent on the stale connection, then on a new one")
		})
	}
}

func TestClose(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		stop := block(t)
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hang" {
				<-stop
			}
		}))
		tr := newTransport(t, cfg)
		get(t, tr, s.URL, transport.Timeouts{})
		errc := make(chan error, 1)
		go func() {
			_, err := do(t, tr, "GET", s.URL+"/hang", nil, transport.Timeouts{})
			errc <- err
		}()
		eventually(t, func() bool { return tr.Stats().Conns >= 1 && tr.Stats().Idle == 0 }, "request in flight")
		require.NoError(t, tr.Close())
		requireKind(t, <-errc, transport.KindClosed)
		assert.Equal(t, transport.Stats{}, tr.Stats())
		_, err := do(t, tr, "GET", s.URL, nil, transport.Timeouts{})
		requireKind(t, err, transport.KindClosed)
		assert.ErrorIs(t, err, transport.ErrClosed)
		require.NoError(t, tr.Close(), "Close is idempotent")
	})
}
