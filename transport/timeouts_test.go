package transport_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

const short = 150 * time.Millisecond

func TestReadTimeoutWaitingForHeaders(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		stop := block(t)
		var hits atomic.Int32
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hits.Add(1) > 1 {
				<-stop
			}
		}))
		tr := newTransport(t, cfg)
		get(t, tr, s.URL, transport.Timeouts{Read: short}) // warm a keep-alive connection

		start := time.Now()
		_, err := do(t, tr, "GET", s.URL, nil, transport.Timeouts{Read: short})
		elapsed := time.Since(start)
		te := requireKind(t, err, transport.KindReadTimeout)
		assert.True(t, te.Timeout())
		assert.GreaterOrEqual(t, elapsed, short)
		// On the reused connection net/http would retry an idempotent
		// request after a failed first read; the timeout must not be retried.
		assert.Equal(t, int32(2), hits.Load(), "the timed-out request was retried")
	})
}

func TestReadTimeoutMidBody(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		stop := block(t)
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(make([]byte, 1000))
			w.(http.Flusher).Flush()
			<-stop
		}))
		tr := newTransport(t, cfg)
		resp, err := do(t, tr, "GET", s.URL, nil, transport.Timeouts{Read: short})
		require.NoError(t, err)
		defer resp.Body.Close()
		buf := make([]byte, 1000)
		_, err = io.ReadFull(resp.Body, buf)
		require.NoError(t, err, "the bytes sent before the stall arrive")
		start := time.Now()
		_, err = resp.Body.Read(buf)
		requireKind(t, err, transport.KindReadTimeout)
		assert.GreaterOrEqual(t, time.Since(start), short-10*time.Millisecond)
	})
}

func TestTricklingBodyDoesNotTimeOut(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		const chunks, gap, rto = 12, 40 * time.Millisecond, 250 * time.Millisecond
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < chunks; i++ {
				w.Write([]byte("x"))
				w.(http.Flusher).Flush()
				time.Sleep(gap)
			}
		}))
		tr := newTransport(t, cfg)
		start := time.Now()
		_, body := get(t, tr, s.URL, transport.Timeouts{Read: rto})
		assert.Len(t, body, chunks)
		assert.Greater(t, time.Since(start), rto, "the whole transfer outlasts the read timeout")
	})
}

func TestWriteTimeout(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		stop := block(t)
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-stop // never reads the upload
		}))
		tr := newTransport(t, cfg)
		const size = 1 << 30
		req, err := http.NewRequest("POST", s.URL, &zeros{n: size})
		require.NoError(t, err)
		req.ContentLength = size
		start := time.Now()
		_, err = tr.RoundTrip(req, transport.Timeouts{Write: short, Read: 10 * time.Second})
		requireKind(t, err, transport.KindWriteTimeout)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

func TestIdleConnectionSurvivesReadTimeout(t *testing.T) {
	// A read deadline armed for a request must not follow the connection
	// into the idle pool.
	run(t, func(t *testing.T, m mode) {
		var c counter
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
			func(s *httptest.Server) { s.Config.ConnState = c.hook })
		tr := newTransport(t, cfg)
		get(t, tr, s.URL, transport.Timeouts{Read: 50 * time.Millisecond, Write: 50 * time.Millisecond})
		time.Sleep(200 * time.Millisecond)
		assert.Equal(t, 1, tr.Stats().Idle)
		get(t, tr, s.URL, transport.Timeouts{})
		assert.Equal(t, int32(1), c.total.Load(), "the idle connection was reused")
	})
}

func TestConnectTimeoutTLSHandshake(t *testing.T) {
	// A server that accepts and never answers the ClientHello.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })

	tr := newTransport(t, transport.Config{HTTP1: true, HTTP2: true, TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	start := time.Now()
	_, err = do(t, tr, "GET", "https://"+l.Addr().String()+"/", nil, transport.Timeouts{Connect: short})
	te := requireKind(t, err, transport.KindConnectTimeout)
	assert.True(t, te.Timeout())
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, 0, tr.Stats().Conns, "the failed dial gave its slot back")
}

func TestConnectTimeoutFullBacklog(t *testing.T) {
	addr := fullBacklogListener(t)
	tr := newTransport(t, transport.Config{})
	start := time.Now()
	_, err := do(t, tr, "GET", "http://"+addr+"/", nil, transport.Timeouts{Connect: short})
	requireKind(t, err, transport.KindConnectTimeout)
	assert.Less(t, time.Since(start), time.Second)
}

// fullBacklogListener listens with a backlog of 0 on 127.0.0.1, never
// accepts, and fills the accept queue, so that further SYNs are dropped
// and connecting hangs.
func fullBacklogListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	for i := 0; i < 16; i++ {
		c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond)
		if err != nil {
			return addr // the queue is full
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("could not fill the accept queue on this kernel")
	return ""
}

func TestPoolTimeout(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		stop := block(t)
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			<-stop
		}))
		cfg.HTTP2 = false // one request per connection, also over TLS
		cfg.MaxConns = 1
		tr := newTransport(t, cfg)
		resp, err := do(t, tr, "GET", s.URL, nil, transport.Timeouts{})
		require.NoError(t, err)
		defer resp.Body.Close() // holds the only connection

		start := time.Now()
		_, err = do(t, tr, "GET", s.URL, nil, transport.Timeouts{Pool: short})
		te := requireKind(t, err, transport.KindPoolTimeout)
		assert.True(t, te.Timeout())
		assert.GreaterOrEqual(t, time.Since(start), short)
		assert.Equal(t, transport.Stats{Conns: 1}, tr.Stats())
	})
}

func TestContextCancel(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		stop := block(t)
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/body" {
				w.Write([]byte("partial"))
				w.(http.Flusher).Flush()
			}
			<-stop
		}))
		tr := newTransport(t, cfg)
		to := transport.Timeouts{Read: 10 * time.Second, Write: 10 * time.Second}

		ctx, cancel := context.WithTimeout(context.Background(), short)
		defer cancel()
		_, err := doCtx(ctx, t, tr, "GET", s.URL, nil, to)
		requireKind(t, err, transport.KindCanceled)
		assert.ErrorIs(t, err, context.DeadlineExceeded)

		ctx, cancel = context.WithCancel(context.Background())
		resp, err := doCtx(ctx, t, tr, "GET", s.URL+"/body", nil, to)
		require.NoError(t, err)
		defer resp.Body.Close()
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err = io.ReadAll(resp.Body)
		requireKind(t, err, transport.KindCanceled)
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestTimeoutsDifferPerRequest(t *testing.T) {
	// The same connection serves a slow request without a read timeout
	// after a fast one with a short timeout.
	run(t, func(t *testing.T, m mode) {
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				time.Sleep(2 * short)
			}
		}))
		tr := newTransport(t, cfg)
		get(t, tr, s.URL+"/fast", transport.Timeouts{Read: short})
		get(t, tr, s.URL+"/slow", transport.Timeouts{Read: 4 * short})
		_, err := do(t, tr, "GET", s.URL+"/slow", nil, transport.Timeouts{Read: short})
		requireKind(t, err, transport.KindReadTimeout)
		require.False(t, errors.Is(err, context.Canceled), "a read timeout is no cancellation")
	})
}
