package httpx_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/internal/faultserver"
	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
)

// TestTargetExtensionRequestLine: the "target" extension is sent verbatim
// as the request-target of the request line (HTTPX's
// extensions["target"]), which is how OPTIONS * is built.
func TestTargetExtensionRequestLine(t *testing.T) {
	cases := []struct {
		name   string
		method string
		url    string // path and query after the server's address
		target any
		want   string
	}{
		{name: "OPTIONS *", method: "OPTIONS", url: "/", target: "*", want: "*"},
		{name: "bytes", method: "OPTIONS", url: "/ignored?q=1", target: []byte("*"), want: "*"},
		{name: "replaces path and query", method: "GET", url: "/a?b=c", target: "/x/y?z=1", want: "/x/y?z=1"},
		{name: "unescaped characters", method: "GET", url: "/", target: "/a|b^c{d}", want: "/a|b^c{d}"},
		{name: "percent escapes kept", method: "GET", url: "/", target: "/%7Euser/%2F", want: "/%7Euser/%2F"},
		{name: "double slash", method: "GET", url: "/", target: "//double/slash?x=1", want: "//double/slash?x=1"},
		{name: "absolute form", method: "GET", url: "/", target: "http://example.test/abs", want: "http://example.test/abs"},
		{name: "empty query", method: "GET", url: "/", target: "/p?", want: "/p?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			faultNoLeaks(t)
			lines := make(chan string, 1)
			s := faultserver.New(t, func(c *faultserver.Conn) {
				if r := c.ReadFullRequest(); r != nil {
					lines <- r.Method + " " + r.Target + " " + r.Proto
					c.Respond(http.StatusOK, "ok")
				}
			})
			client := faultClient(t, httpx.Timeout{})
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			resp, err := client.Request(rctx, tc.method, s.URL(tc.url), httpx.WithExtensions(map[string]any{"target": tc.target}))
			require.NoError(t, err)
			assert.Equal(t, 200, resp.StatusCode)
			select {
			case line := <-lines:
				assert.Equal(t, tc.method+" "+tc.want+" HTTP/1.1", line)
			case <-rctx.Done():
				t.Fatal("the server saw no request")
			}
		})
	}
}

// TestTargetExtensionOverProtocols: the target reaches the handler as
// r.RequestURI over HTTP/1.1, HTTP/2 over TLS and h2c alike.
func TestTargetExtensionOverProtocols(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.RequestURI)
		mu.Unlock()
	})
	overProtocols(t, h, func(t *testing.T, c *httpx.Client, base string) {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		mu.Lock()
		seen = nil
		mu.Unlock()
		_, err := c.Get(rctx, base+"/", httpx.WithExtensions(map[string]any{"target": "/raw|path/%7E?q=1"}))
		require.NoError(t, err)
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []string{"GET /raw|path/%7E?q=1"}, seen)
	})
}

// TestOptionsStarOverHTTP2: OPTIONS * is an HTTP/2 request with :path "*".
// net/http's own server answers OPTIONS * without calling the handler, so
// the handler is served with http2.Server.ServeConn, which does not.
func TestOptionsStarOverHTTP2(t *testing.T) {
	ca := testenv.NewCA(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{ca.Issue(t, testenv.CertOptions{}).TLS},
		NextProtos:   []string{"h2"},
	})
	require.NoError(t, err)
	seen := make(chan string, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		// ServeConn checks the TLS version, known once the handshake is done.
		if conn.(*tls.Conn).Handshake() != nil {
			return
		}
		(&http2.Server{}).ServeConn(conn, &http2.ServeConnOpts{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen <- r.Proto + " " + r.Method + " " + r.RequestURI
		})})
	}()
	defer wg.Wait()
	defer ln.Close()

	c := httpx.NewClient(httpx.WithHTTP2(true), httpx.WithTLSConfig(&tls.Config{RootCAs: ca.Pool}))
	defer c.Close()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.Options(rctx, "https://"+ln.Addr().String()+"/", httpx.WithExtensions(map[string]any{"target": "*"}))
	require.NoError(t, err)
	assert.Equal(t, "HTTP/2", resp.HTTPVersion())
	assert.Equal(t, "HTTP/2.0 OPTIONS *", <-seen)
}

// TestTargetExtensionHandlerTransport: an in-process handler sees the target
// as net/http's server would hand it over.
func TestTargetExtensionHandlerTransport(t *testing.T) {
	cases := []struct {
		target             string
		wantPath, wantRawQ string
	}{
		{target: "*", wantPath: "*"},
		{target: "/x/y?z=1", wantPath: "/x/y", wantRawQ: "z=1"},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			var uri, path, rawQuery string
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				uri, path, rawQuery = r.RequestURI, r.URL.Path, r.URL.RawQuery
			})
			c := httpx.NewClient(httpx.WithApp(app))
			defer c.Close()
			_, err := c.Options(ctx, "http://testserver/other?q=2", httpx.WithExtensions(map[string]any{"target": tc.target}))
			require.NoError(t, err)
			assert.Equal(t, tc.target, uri)
			assert.Equal(t, tc.wantPath, path)
			assert.Equal(t, tc.wantRawQ, rawQuery)
		})
	}
}

// TestTargetExtensionMock: a mock transport sees the extension on the
// request, set by option or on a built request.
func TestTargetExtensionMock(t *testing.T) {
	var got any
	mock := httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		got = req.Extensions["target"]
		return httpx.NewResponse(204), nil
	})
	c := httpx.NewClient(httpx.WithTransport(mock))
	defer c.Close()
	req, err := c.BuildRequest("OPTIONS", "http://example.test/")
	require.NoError(t, err)
	req.Extensions = map[string]any{"target": "*"}
	_, err = c.Send(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, "*", got)
}

// TestTargetExtensionInvalid: a target that would break the request line
// is refused with a typed error before anything is sent, on every transport.
func TestTargetExtensionInvalid(t *testing.T) {
	cases := []struct {
		name   string
		target any
		want   error
	}{
		{name: "CR LF", target: "/a\r\nX-Injected: 1", want: httpx.ErrLocalProtocol},
		{name: "LF bytes", target: []byte("/a\nb"), want: httpx.ErrLocalProtocol},
		{name: "space", target: "/a b", want: httpx.ErrLocalProtocol},
		{name: "NUL", target: "/a\x00", want: httpx.ErrLocalProtocol},
		{name: "tab", target: "/a\tb", want: httpx.ErrLocalProtocol},
		{name: "DEL", target: "/a\x7f", want: httpx.ErrLocalProtocol},
		{name: "empty", target: "", want: httpx.ErrLocalProtocol},
		{name: "non-ASCII", target: "/caf\u00e9", want: httpx.ErrLocalProtocol},
		{name: "wrong type", target: 42, want: httpx.ErrUsage},
	}
	s := faultserver.New(t, faultserver.Script(faultserver.Serve("sent")))
	sent := false
	transports := map[string]func() httpx.Transport{
		"HTTP":    func() httpx.Transport { return &httpx.HTTPTransport{} },
		"handler": func() httpx.Transport { return &httpx.HandlerTransport{Handler: http.NotFoundHandler()} },
		"mock": func() httpx.Transport {
			return httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
				sent = true
				return httpx.NewResponse(200), nil
			})
		},
	}
	for tname, newTransport := range transports {
		for _, tc := range cases {
			t.Run(tname+"/"+tc.name, func(t *testing.T) {
				tr := newTransport()
				c := httpx.NewClient(httpx.WithTransport(tr))
				defer c.Close()
				rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				ext := httpx.WithExtensions(map[string]any{"target": tc.target})
				_, err := c.Get(rctx, s.URL("/"), ext)
				require.Error(t, err)
				assert.ErrorIs(t, err, tc.want)
				assert.Contains(t, err.Error(), "target")

				// A transport called directly refuses it as well.
				req, err := httpx.NewRequest("GET", s.URL("/"))
				require.NoError(t, err)
				req.Extensions = map[string]any{"target": tc.target}
				_, err = tr.HandleRequest(rctx, req)
				assert.ErrorIs(t, err, tc.want)
			})
		}
	}
	assert.Equal(t, 0, s.Accepts(), "nothing reached the server")
	assert.False(t, sent, "nothing reached the mock")
}
