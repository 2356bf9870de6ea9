package transport_test

import (
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"

	"github.com/gohttpx/httpx/transport"
)

// h2Server starts a TLS server offering h2 and HTTP/1.1 by ALPN, counting
// its connections; cfg trusts it, with HTTP/2 on.
func h2Server(t *testing.T, h http.Handler) (*httptest.Server, *counter, transport.Config) {
	t.Helper()
	var conns counter
	s, cfg := modes[1].server(t, h, func(s *httptest.Server) { s.Config.ConnState = conns.hook })
	return s, &conns, cfg
}

func TestEngineHTTP2(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Proto", r.Proto)
		w.Header().Set("X-Host", r.Host)
		w.Header().Set("X-UA", r.Header.Get("User-Agent"))
		w.Header().Set("X-Query", r.URL.RawQuery)
		io.WriteString(w, r.Method+" "+string(b))
	})
	tlsServer, _, h2cfg := h2Server(t, h)
	h2cServer := httptest.NewServer(h2c.NewHandler(h, &http2.Server{}))
	closeServer(t, h2cServer)
	h1TLS := httptest.NewTLSServer(h) // offers HTTP/1.1 only
	closeServer(t, h1TLS)
	h1cfg := h2cfg
	roots := x509.NewCertPool()
	roots.AddCert(h1TLS.Certificate())
	h1cfg.TLSConfig = tlsConfigWithRoots(roots)

	tests := []struct {
		name, url string
		cfg       transport.Config
		proto     string
	}{
		{"h2 by ALPN", tlsServer.URL, h2cfg, "HTTP/2"},
		{"h2 only over TLS", tlsServer.URL, transport.Config{HTTP2: true, TLSConfig: h2cfg.TLSConfig}, "HTTP/2"},
		{"h2c prior knowledge", h2cServer.URL, transport.Config{HTTP2: true}, "HTTP/2"},
		{"http:// stays HTTP/1.1 with both on", h2cServer.URL, transport.Config{HTTP1: true, HTTP2: true}, "HTTP/1.1"},
		{"server without h2", h1TLS.URL, h1cfg, "HTTP/1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, tt.cfg)
			for i := range 3 {
				resp, err := engineDo(t, e, "POST", tt.url+"/p?q=1", strings.NewReader("body"), 4, transport.Timeouts{Read: 5 * time.Second, Write: 5 * time.Second},
					"User-Agent", "ua/1", "Connection", "keep-alive")
				require.NoError(t, err)
				assert.Equal(t, tt.proto, resp.Proto)
				assert.Equal(t, i > 0, resp.Reused, "request %d", i)
				assert.Equal(t, "POST body", readAll(t, resp))
				assert.Equal(t, "ua/1", field(resp, "X-UA"))
				assert.Equal(t, "q=1", field(resp, "X-Query"))
				_, host, _ := strings.Cut(tt.url, "://")
				assert.Equal(t, host, field(resp, "X-Host"))
			}
			assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, e.Stats())
		})
	}

	t.Run("no User-Agent of its own", func(t *testing.T) {
		e := newEngine(t, h2cfg)
		resp, err := engineDo(t, e, "GET", tlsServer.URL+"/", nil, 0, transport.Timeouts{})
		require.NoError(t, err)
		readAll(t, resp)
		assert.Equal(t, "HTTP/2", resp.Proto)
		assert.Empty(t, field(resp, "X-UA"))
	})
}

// TestEngineHTTP2Multiplexes checks that concurrent requests share one
// connection, dialled once, even when they all start before it exists.
func TestEngineHTTP2Multiplexes(t *testing.T) {
	const n = 20
	var arrived sync.WaitGroup
	arrived.Add(n)
	s, conns, cfg := h2Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		arrived.Wait() // every request is in flight at once
		io.WriteString(w, "ok")
	}))
	cfg.MaxConns = 4
	e := newEngine(t, cfg)
	errs := make(chan error, n)
	for range n {
		go func() {
			resp, err := engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{Pool: 5 * time.Second})
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, int32(1), conns.total.Load(), "one connection for all")
	assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, e.Stats())
}

func TestEngineHTTP2Timeouts(t *testing.T) {
	stall := blocker(t)
	s, _, cfg := h2Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/head":
			<-stall.ch
		case "/body":
			io.WriteString(w, "abc")
			w.(http.Flusher).Flush()
			<-stall.ch
		case "/upload":
			<-stall.ch // never reads the body
		default:
			io.WriteString(w, "ok")
		}
	}))
	defer stall.release()
	e := newEngine(t, cfg)
	short := transport.Timeouts{Read: 100 * time.Millisecond, Write: 100 * time.Millisecond}

	start := time.Now()
	_, err := engineDo(t, e, "GET", s.URL+"/head", nil, 0, short)
	assertKind(t, err, transport.KindReadTimeout)
	assert.Less(t, time.Since(start), 2*time.Second)

	resp, err := engineDo(t, e, "GET", s.URL+"/body", nil, 0, short)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	assertKind(t, err, transport.KindReadTimeout)
	resp.Body.Close()

	_, err = engineDo(t, e, "POST", s.URL+"/upload", io.LimitReader(zeroReader{}, 64<<20), 64<<20, short)
	assertKind(t, err, transport.KindWriteTimeout)

	// The timeouts failed their streams, not the connection.
	resp, err = engineDo(t, e, "GET", s.URL+"/", nil, 0, short)
	require.NoError(t, err)
	assert.True(t, resp.Reused)
	assert.Equal(t, "ok", readAll(t, resp))
	assert.Equal(t, 1, e.Stats().Conns)
}

// TestEngineHTTP2SharesThePool checks that MaxConns counts HTTP/1.1 and
// HTTP/2 connections alike, that a request waits for a slot the other
// protocol holds, and that idle HTTP/2 connections expire.
func TestEngineHTTP2SharesThePool(t *testing.T) {
	hold := blocker(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "x")
		w.(http.Flusher).Flush()
		if r.URL.Path == "/hold" {
			<-hold.ch
		}
	})
	h1 := httptest.NewServer(h)
	closeServer(t, h1)
	h2s, _, cfg := h2Server(t, h)
	defer hold.release()
	cfg.MaxConns = 1
	cfg.IdleTimeout = 200 * time.Millisecond
	e := newEngine(t, cfg)

	held, err := engineDo(t, e, "GET", h2s.URL+"/hold", nil, 0, transport.Timeouts{})
	require.NoError(t, err)
	assert.Equal(t, "HTTP/2", held.Proto)
	_, err = engineDo(t, e, "GET", h1.URL+"/", nil, 0, transport.Timeouts{Pool: 100 * time.Millisecond})
	assertKind(t, err, transport.KindPoolTimeout)

	got := make(chan error, 1)
	go func() {
		resp, err := engineDo(t, e, "GET", h1.URL+"/", nil, 0, transport.Timeouts{Pool: 5 * time.Second})
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		got <- err
	}()
	eventually(t, func() bool { return e.Stats().Waiting == 1 }, "the HTTP/1.1 request waits")
	hold.release()
	_, _ = io.ReadAll(held.Body)
	held.Body.Close()
	require.NoError(t, <-got, "the HTTP/2 connection gave its slot up")
	assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, e.Stats())

	resp, err := engineDo(t, e, "GET", h2s.URL+"/", nil, 0, transport.Timeouts{Pool: time.Second})
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, e.Stats(), "the idle HTTP/1.1 connection made room")
	eventually(t, func() bool { return e.Stats() == transport.Stats{} }, "the idle HTTP/2 connection expired")
}

// TestEngineHTTP2ConnectionGone checks that a pooled HTTP/2 connection the
// server closed is not used again: the next request dials.
func TestEngineHTTP2ConnectionGone(t *testing.T) {
	s, conns, cfg := h2Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	e := newEngine(t, cfg)
	resp, err := engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
	require.NoError(t, err)
	readAll(t, resp)
	s.CloseClientConnections()
	eventually(t, func() bool { return conns.open.Load() == 0 }, "server side closed")
	time.Sleep(50 * time.Millisecond) // x/net's reader sees the close
	resp, err = engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
	require.NoError(t, err)
	assert.Equal(t, "ok", readAll(t, resp))
	assert.Equal(t, int32(2), conns.total.Load())
	assert.Equal(t, 1, e.Stats().Conns)
}
