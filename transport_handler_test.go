package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithAppCallsHandlerInProcess(t *testing.T) {
	// "Calling into Python Web Apps": Client(app=app, base_url="http://testserver").
	c := httpx.NewClient(httpx.WithApp(routes()), httpx.WithBaseURL("http://testserver"))
	defer c.Close()
	r, err := c.Get(ctx, "/")
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	text, err := r.Text()
	require.NoError(t, err)
	assert.Equal(t, "Hello World!", text)
	assert.Equal(t, "HTTP/1.1", r.HTTPVersion())
	assert.Equal(t, "12", r.Headers.Get("Content-Length"))
	assert.Equal(t, "text/plain; charset=utf-8", r.Headers.Get("Content-Type"), "sniffed like a real server")
}

func TestHandlerSeesRequestLikeFromAServer(t *testing.T) {
	type seen struct {
		method, host, uri, path, rawQuery, remote, body, ua string
		tls                                                 bool
		length                                              int64
	}
	var got seen
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.Host, r.RequestURI, r.URL.Path, r.URL.RawQuery, r.RemoteAddr, string(b), r.UserAgent(), r.TLS != nil, r.ContentLength}
		w.WriteHeader(201)
	})
	transport := &httpx.HandlerTransport{Handler: app, RemoteAddr: "1.2.3.4:123"}
	c := httpx.NewClient(httpx.WithTransport(transport), httpx.WithBaseURL("https://testserver:8443"))
	defer c.Close()
	r, err := c.Post(ctx, "/a%20b/c", httpx.WithParam("q", "x y"), httpx.WithContent([]byte("payload")))
	require.NoError(t, err)
	assert.Equal(t, 201, r.StatusCode)
	assert.Equal(t, seen{
		method: "POST", host: "testserver:8443", uri: "/a%20b/c?q=x+y", path: "/a b/c", rawQuery: "q=x+y",
		remote: "1.2.3.4:123", body: "payload", ua: "gohttpx/" + httpx.Version, tls: true, length: 7,
	}, got)
}

func TestHandlerDefaultRemoteAddr(t *testing.T) {
	var remote string
	c := httpx.NewClient(httpx.WithApp(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { remote = r.RemoteAddr })))
	defer c.Close()
	_, err := c.Get(ctx, "http://testserver/")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:123", remote)
}

// TestHandlerRemoteAddrGetsDefaultPort: HTTPX's remote_addr is an address
// without a port; handlers see IP:port (port 123, HTTPX's client port), so
// net.SplitHostPort works on r.RemoteAddr.
func TestHandlerRemoteAddrGetsDefaultPort(t *testing.T) {
	cases := []struct{ remote, want string }{
		{"", "127.0.0.1:123"},
		{"1.2.3.4", "1.2.3.4:123"},
		{"1.2.3.4:5678", "1.2.3.4:5678"},
		{"::1", "[::1]:123"},
		{"[::1]", "[::1]:123"},
		{"[::1]:8080", "[::1]:8080"},
		{"client.test", "client.test:123"},
	}
	for _, tc := range cases {
		t.Run(tc.remote, func(t *testing.T) {
			var remote, host string
			var splitErr error
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				remote = r.RemoteAddr
				host, _, splitErr = net.SplitHostPort(r.RemoteAddr)
			})
			c := httpx.NewClient(httpx.WithTransport(&httpx.HandlerTransport{Handler: app, RemoteAddr: tc.remote}))
			defer c.Close()
			_, err := c.Get(ctx, "http://testserver/")
			require.NoError(t, err)
			assert.Equal(t, tc.want, remote)
			require.NoError(t, splitErr)
			assert.NotEmpty(t, host)
		})
	}
}

func TestHandlerScriptName(t *testing.T) {
	var path string
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { path = r.URL.Path })
	c := httpx.NewClient(httpx.WithTransport(&httpx.HandlerTransport{Handler: app, ScriptName: "/app"}), httpx.WithBaseURL("http://testserver"))
	defer c.Close()
	r, err := c.Get(ctx, "/app/users/1")
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	assert.Equal(t, "/users/1", path)

	path = "untouched"
	r, err = c.Get(ctx, "/elsewhere")
	require.NoError(t, err)
	assert.Equal(t, 404, r.StatusCode)
	assert.Equal(t, "untouched", path)
}

func TestHandlerPanicIsAnError(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	_, err := c.Get(ctx, "http://testserver/")
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrTransport)
	var pe *httpx.HandlerPanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.Contains(t, string(pe.Stack), "TestHandlerPanicIsAnError")
}

func TestHandlerPanicWithErrorValueUnwraps(t *testing.T) {
	sentinel := errors.New("handler failed")
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(sentinel) })
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	_, err := c.Get(ctx, "http://testserver/")
	assert.ErrorIs(t, err, sentinel)
}

func TestHandlerPanicAsServerError(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantBody   string
	}{
		{"before anything", func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Lost", "1"); panic("boom") }, 500, ""},
		{"after the status", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(202)
			w.Write([]byte("partial"))
			panic("boom")
		}, 202, "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(&httpx.HandlerTransport{Handler: tt.handler, RecoverPanics: true}))
			defer c.Close()
			r, err := c.Get(ctx, "http://testserver/")
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, r.StatusCode)
			assert.False(t, r.Headers.Has("X-Lost"))
			body, _ := r.Content()
			assert.Equal(t, tt.wantBody, string(body))
		})
	}
}

func TestHandlerPanicMidStreamFailsTheRead(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first"))
		w.(http.Flusher).Flush()
		panic("mid-body")
	})
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	_, err := c.Get(ctx, "http://testserver/")
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrRead)
	var pe *httpx.HandlerPanicError
	assert.ErrorAs(t, err, &pe)
}

func TestHandlerStreamsInsteadOfBuffering(t *testing.T) {
	// The handler writes a chunk, flushes, and waits for the client to
	// acknowledge it before writing the next: only true streaming can finish.
	ack := make(chan struct{})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			fmt.Fprintf(w, "chunk-%d\n", i)
			w.(http.Flusher).Flush()
			select {
			case <-ack:
			case <-r.Context().Done():
				return
			case <-time.After(5 * time.Second):
				return
			}
		}
	})
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	r, err := c.Stream(ctx, "GET", "http://testserver/stream")
	require.NoError(t, err)
	defer r.Close()
	assert.Empty(t, r.Headers.Get("Content-Length"), "a streamed response has no length")
	var lines []string
	for line, err := range r.IterLines() {
		require.NoError(t, err)
		lines = append(lines, line)
		ack <- struct{}{}
	}
	assert.Equal(t, []string{"chunk-0", "chunk-1", "chunk-2"}, lines)
}

func TestHandlerLargeBodyIsBoundedAndComplete(t *testing.T) {
	const size = 5 << 20
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 32<<10))
		for written := 0; written < size; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	r, err := c.Stream(ctx, "GET", "http://testserver/")
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, r)
	require.NoError(t, err)
	assert.EqualValues(t, size, n)
	assert.EqualValues(t, size, r.NumBytesDownloaded())
}

func TestClosingResponseCancelsHandler(t *testing.T) {
	done := make(chan error, 1)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("start"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			done <- r.Context().Err()
		case <-time.After(5 * time.Second):
			done <- errors.New("handler was not cancelled")
		}
	})
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	r, err := c.Stream(ctx, "GET", "http://testserver/")
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.ErrorIs(t, <-done, context.Canceled)
}

func TestCancelledContextWhileWaitingForHandler(t *testing.T) {
	release := make(chan struct{})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := c.Get(cctx, "http://testserver/")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, httpx.ErrRequest)
}

func TestHandlerHeadAndNoBodyStatuses(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/204" {
			w.WriteHeader(204)
		}
		w.Write([]byte("body"))
	})
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	r, err := c.Head(ctx, "http://testserver/")
	require.NoError(t, err)
	body, _ := r.Content()
	assert.Empty(t, body)
	r, err = c.Get(ctx, "http://testserver/204")
	require.NoError(t, err)
	assert.Equal(t, 204, r.StatusCode)
	body, _ = r.Content()
	assert.Empty(t, body)
}

func TestHandlerStreamingRequestBody(t *testing.T) {
	var got string
	var te []string
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, te = string(b), r.TransferEncoding
	})
	c := httpx.NewClient(httpx.WithApp(app))
	defer c.Close()
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("streamed "))
		pw.Write([]byte("body"))
		pw.Close()
	}()
	r, err := c.Post(ctx, "http://testserver/", httpx.WithBody(pr))
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	assert.Equal(t, "streamed body", got)
	assert.Equal(t, []string{"chunked"}, te)
	assert.Equal(t, "chunked", r.Request.Headers.Get("Transfer-Encoding"))
}
