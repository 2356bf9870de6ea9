package transport_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

// countedServer is a plain HTTP/1.1 server counting its connections.
func countedServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *counter) {
	t.Helper()
	c := &counter{}
	s := httptest.NewUnstartedServer(h)
	s.Config.ConnState = c.hook
	s.Start()
	closeServer(t, s)
	return s, c
}

func TestMaxConnsAcrossHosts(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32 // across both servers
	handler := func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
		}
		time.Sleep(20 * time.Millisecond)
	}
	a, ca := countedServer(t, handler)
	b, cb := countedServer(t, handler)
	tr := newTransport(t, transport.Config{MaxConns: 2})

	var (
		wg      sync.WaitGroup
		maxSeen atomic.Int32
		stop    = make(chan struct{})
		sampled = make(chan struct{})
	)
	go func() { // sample the pool while the requests run
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				if n := int32(tr.Stats().Conns); n > maxSeen.Load() {
					maxSeen.Store(n)
				}
			}
		}
	}()
	for i := 0; i < 12; i++ {
		url := a.URL
		if i%2 == 1 {
			url = b.URL
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			get(t, tr, fmt.Sprintf("%s/%d", url, i), transport.Timeouts{Pool: 10 * time.Second})
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled

	assert.LessOrEqual(t, maxSeen.Load(), int32(2), "Stats.Conns over the cap")
	assert.Equal(t, int32(2), maxInFlight.Load(), "the servers never served more than two requests at once")
	eventually(t, func() bool { return ca.open.Load()+cb.open.Load() <= 2 }, "the servers see at most two connections")
	assert.LessOrEqual(t, tr.Stats().Conns, 2)
	assert.Zero(t, tr.Stats().Waiting)
}

func TestIdleConnOfOtherHostClosedForSlot(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) {}
	a, ca := countedServer(t, ok)
	b, _ := countedServer(t, ok)
	tr := newTransport(t, transport.Config{MaxConns: 1})

	get(t, tr, a.URL, transport.Timeouts{})
	eventually(t, func() bool { return tr.Stats() == transport.Stats{Conns: 1, Idle: 1} }, "A's connection idle")

	start := time.Now()
	get(t, tr, b.URL, transport.Timeouts{Pool: time.Second})
	assert.Less(t, time.Since(start), 900*time.Millisecond, "B waited instead of A's idle connection being closed")
	eventually(t, func() bool { return ca.open.Load() == 0 }, "A's connection closed")
	assert.Equal(t, 1, tr.Stats().Conns)
}

func TestWaitingRequestGetsConnectionWhenOtherHostGoesIdle(t *testing.T) {
	release := make(chan struct{})
	a, _ := countedServer(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	b, _ := countedServer(t, func(w http.ResponseWriter, r *http.Request) {})
	tr := newTransport(t, transport.Config{MaxConns: 1})

	done := make(chan struct{})
	go func() {
		defer close(done)
		get(t, tr, a.URL, transport.Timeouts{})
	}()
	eventually(t, func() bool { return tr.Stats().Conns == 1 }, "A holds the slot")

	errc := make(chan error, 1)
	go func() {
		resp, err := do(t, tr, "GET", b.URL, nil, transport.Timeouts{Pool: 5 * time.Second})
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	eventually(t, func() bool { return tr.Stats().Waiting == 1 }, "B waits for a slot")
	close(release)
	<-done
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(2 * time.Second):
		t.Fatal("B still waiting after A's connection went idle")
	}
}

func TestSameHostWaiterReusesConnection(t *testing.T) {
	release := make(chan struct{})
	var n atomic.Int32
	a, ca := countedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-release
		}
	})
	tr := newTransport(t, transport.Config{MaxConns: 1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		get(t, tr, a.URL, transport.Timeouts{})
	}()
	eventually(t, func() bool { return n.Load() == 1 }, "first request in the handler")
	errc := make(chan error, 1)
	go func() {
		resp, err := do(t, tr, "GET", a.URL, nil, transport.Timeouts{Pool: 5 * time.Second})
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	eventually(t, func() bool { return tr.Stats().Waiting == 1 }, "second request waits")
	close(release)
	<-done
	require.NoError(t, <-errc)
	assert.Equal(t, int32(1), ca.total.Load(), "the same connection served both")
	eventually(t, func() bool { return tr.Stats() == transport.Stats{Conns: 1, Idle: 1} }, "one idle connection, no waiter")
}

func TestConnectionCloseNotPooled(t *testing.T) {
	s, c := countedServer(t, func(w http.ResponseWriter, r *http.Request) {})
	tr := newTransport(t, transport.Config{})
	req, err := http.NewRequest("GET", s.URL, nil)
	require.NoError(t, err)
	req.Header.Set("Connection", "close")
	resp, err := tr.RoundTrip(req, transport.Timeouts{})
	require.NoError(t, err)
	resp.Body.Close()
	eventually(t, func() bool { return tr.Stats() == transport.Stats{} }, "connection closed, slot free")
	get(t, tr, s.URL, transport.Timeouts{})
	assert.Equal(t, int32(2), c.total.Load())
}

func TestKeepAliveLimits(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       transport.Config
		wantConns int32
		wantIdle  int
	}{
		{"default keeps alive", transport.Config{}, 1, 1},
		{"MaxIdleConns < 0", transport.Config{MaxIdleConns: -1}, 3, 0},
		{"IdleTimeout < 0", transport.Config{IdleTimeout: -1}, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := countedServer(t, func(w http.ResponseWriter, r *http.Request) {})
			tr := newTransport(t, tc.cfg)
			for i := 0; i < 3; i++ {
				get(t, tr, s.URL, transport.Timeouts{})
			}
			assert.Equal(t, tc.wantConns, c.total.Load())
			eventually(t, func() bool { return tr.Stats().Idle == tc.wantIdle }, "idle count")
		})
	}
}

func TestIdleTimeoutClosesConnections(t *testing.T) {
	s, c := countedServer(t, func(w http.ResponseWriter, r *http.Request) {})
	tr := newTransport(t, transport.Config{IdleTimeout: 50 * time.Millisecond})
	get(t, tr, s.URL, transport.Timeouts{})
	eventually(t, func() bool { return tr.Stats() == transport.Stats{} && c.open.Load() == 0 }, "expired")
}

func TestHTTP2StreamsShareOneSlot(t *testing.T) {
	s, cfg := modes[1].server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
	}))
	cfg.MaxConns = 1
	tr := newTransport(t, cfg)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := get(t, tr, s.URL, transport.Timeouts{Pool: time.Second, Read: time.Second})
			assert.Equal(t, 2, resp.ProtoMajor)
		}()
	}
	wg.Wait()
	eventually(t, func() bool { return tr.Stats() == transport.Stats{Conns: 1, Idle: 1} }, "one idle HTTP/2 connection")
}

// TestHTTP2BodyReadToEOFFreesStream: a body read to its end ends its
// stream even if the caller never closes it, so the connection counts as
// idle and can be closed to free its slot for another host.
func TestHTTP2BodyReadToEOFFreesStream(t *testing.T) {
	s, cfg := modes[1].server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("body"))
	}))
	other, _ := countedServer(t, func(w http.ResponseWriter, r *http.Request) {})
	cfg.MaxConns = 1
	tr := newTransport(t, cfg)

	resp, err := do(t, tr, "GET", s.URL, nil, transport.Timeouts{Read: time.Second})
	require.NoError(t, err)
	require.Equal(t, 2, resp.ProtoMajor)
	b, err := io.ReadAll(resp.Body) // and no Close
	require.NoError(t, err)
	assert.Equal(t, "body", string(b))
	eventually(t, func() bool { return tr.Stats() == transport.Stats{Conns: 1, Idle: 1} }, "the HTTP/2 connection is idle")

	start := time.Now()
	get(t, tr, other.URL, transport.Timeouts{Pool: time.Second})
	assert.Less(t, time.Since(start), 900*time.Millisecond, "the other host waited for the slot")
	resp.Body.Close()
}
