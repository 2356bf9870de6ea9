package transport_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

// TestEngineMaxResponseHeaderBytes: Config.MaxResponseHeaderBytes bounds
// the response head over HTTP/1.1 (1xx heads included), and the default
// lets an ordinary large head through.
func TestEngineMaxResponseHeaderBytes(t *testing.T) {
	big := "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 8192) + "\r\nContent-Length: 2\r\n\r\nok"
	interim := strings.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </"+strings.Repeat("l", 300)+">\r\n\r\n", 4) +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	for _, tc := range []struct {
		name   string
		answer string
		limit  int64
		ok     bool
	}{
		{"default allows 8 KiB", big, 0, true},
		{"limit below the head", big, 1024, false},
		{"limit above the head", big, 16 << 10, true},
		{"1xx heads count toward the limit", interim, 1024, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := rawServer(t, writeAndClose(tc.answer))
			e := newEngine(t, transport.Config{MaxResponseHeaderBytes: tc.limit})
			resp, err := engineDo(t, e, "GET", u+"/", nil, 0, transport.Timeouts{Read: 2 * time.Second})
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, "ok", readAll(t, resp))
				return
			}
			requireKind(t, err, transport.KindRemoteProtocol)
		})
	}
}

// TestEngineProxyConnectRefused: a proxy answering CONNECT with 407 is a
// proxy error (HTTPX's ProxyError), its status in the message, not a
// connect error.
func TestEngineProxyConnectRefused(t *testing.T) {
	for _, status := range []string{"407 Proxy Authentication Required", "403 Forbidden"} {
		t.Run(status, func(t *testing.T) {
			pu, err := url.Parse(rawServer(t, writeAndClose("HTTP/1.1 "+status+"\r\nContent-Length: 0\r\n\r\n")))
			require.NoError(t, err)
			e := newEngine(t, transport.Config{ProxyURL: pu})
			_, err = engineDo(t, e, "GET", "https://example.test/", nil, 0, transport.Timeouts{Connect: time.Second})
			requireKind(t, err, transport.KindProxy)
			assert.ErrorContains(t, err, status[:3])
			assert.Equal(t, transport.Stats{}, e.Stats(), "the slot is given back")
		})
	}
}

// TestEngineCloseInFlight: Close fails the requests in flight with
// KindClosed, whether they wait for the head or read the body, over
// HTTP/1.1 and HTTP/2.
func TestEngineCloseInFlight(t *testing.T) {
	run(t, func(t *testing.T, m mode) {
		stop := block(t)
		s, cfg := m.server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/body" {
				w.Header().Set("Content-Length", "100")
				io.WriteString(w, "abc")
				w.(http.Flusher).Flush()
			}
			<-stop
		}))
		t.Run("waiting for the head", func(t *testing.T) {
			e := newEngine(t, cfg)
			errc := make(chan error, 1)
			go func() {
				_, err := engineDo(t, e, "GET", s.URL+"/head", nil, 0, transport.Timeouts{})
				errc <- err
			}()
			eventually(t, func() bool { return e.Stats().Conns == 1 && e.Stats().Idle == 0 }, "request in flight")
			time.Sleep(20 * time.Millisecond) // let it reach the wait for the head
			require.NoError(t, e.Close())
			select {
			case err := <-errc:
				requireKind(t, err, transport.KindClosed)
				assert.ErrorIs(t, err, transport.ErrClosed)
			case <-time.After(5 * time.Second):
				t.Fatal("the request hangs after Close")
			}
		})
		t.Run("reading the body", func(t *testing.T) {
			e := newEngine(t, cfg)
			resp, err := engineDo(t, e, "GET", s.URL+"/body", nil, 0, transport.Timeouts{})
			require.NoError(t, err)
			defer resp.Body.Close()
			buf := make([]byte, 3)
			_, err = io.ReadFull(resp.Body, buf)
			require.NoError(t, err)
			errc := make(chan error, 1)
			go func() {
				_, err := io.ReadAll(resp.Body)
				errc <- err
			}()
			time.Sleep(20 * time.Millisecond)
			require.NoError(t, e.Close())
			select {
			case err := <-errc:
				requireKind(t, err, transport.KindClosed)
			case <-time.After(5 * time.Second):
				t.Fatal("the body read hangs after Close")
			}
		})
	})
}

// TestEngineEmptyBodyClosedUnreadKeepsConnection: a response with nothing
// to read (Content-Length: 0) closed without reading gives its connection
// back to the pool.
func TestEngineEmptyBodyClosedUnreadKeepsConnection(t *testing.T) {
	for _, answer := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
	} {
		t.Run(strings.SplitN(answer, "\r\n", 3)[1], func(t *testing.T) {
			u := scriptServer(t, func(_ int, conn net.Conn, _ *http.Request) { io.WriteString(conn, answer) })
			e := newEngine(t, transport.Config{})
			for i := range 3 {
				resp, err := engineDo(t, e, "GET", u+"/", nil, 0, transport.Timeouts{Read: time.Second})
				require.NoError(t, err)
				assert.Equal(t, i > 0, resp.Reused, "request %d", i)
				require.NoError(t, resp.Body.Close())
				assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, e.Stats(), "request %d", i)
			}
		})
	}
}
