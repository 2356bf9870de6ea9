package httpx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panickyReader delivers a few bytes, then panics.
type panickyReader struct{ n int }

func (p *panickyReader) Read(b []byte) (int, error) {
	if p.n > 0 {
		panic("body reader exploded")
	}
	p.n++
	return copy(b, "abc"), nil
}

// panicCase is one user callback that panics, and the options that install it.
type panicCase struct {
	name   string
	where  string // what the PanicError names
	client []httpx.ClientOption
	req    []httpx.RequestOption
}

func panicCases() []panicCase {
	boom := func() { panic("boom") }
	return []panicCase{
		{name: "request hook", where: "request hook", client: []httpx.ClientOption{httpx.WithEventHooks(httpx.EventHooks{
			Request: []func(*httpx.Request) error{func(*httpx.Request) error { boom(); return nil }}})}},
		{name: "response hook", where: "response hook", client: []httpx.ClientOption{httpx.WithEventHooks(httpx.EventHooks{
			Response: []func(*httpx.Response) error{func(*httpx.Response) error { boom(); return nil }}})}},
		{name: "auth flow", where: "auth flow", req: []httpx.RequestOption{httpx.WithAuth(authFlowFunc(
			func(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
				if _, err := send(req); err != nil {
					return nil, err
				}
				boom()
				return nil, nil
			}))}},
		{name: "AuthFunc", where: "auth flow", req: []httpx.RequestOption{httpx.WithAuth(httpx.AuthFunc(func(*httpx.Request) error { boom(); return nil }))}},
		{name: "streamed request body", where: "request body", req: []httpx.RequestOption{httpx.WithBody(&panickyReader{})}},
		{name: "upload progress callback", where: "upload progress callback", req: []httpx.RequestOption{
			httpx.WithBody(io.LimitReader(zeros{}, 1<<20)),
			httpx.WithUploadProgress(func(sent, total int64) {
				if sent > 1000 {
					boom()
				}
			})}},
		{name: "multipart file content", where: "request body", req: []httpx.RequestOption{
			httpx.WithFiles(httpx.File{Field: "f", Filename: "f.txt", Content: &panickyReader{}})}},
	}
}

// TestUserPanicsBecomeErrors runs every panicking callback over HTTP/1.1 and
// HTTP/2 on a one-connection pool: the request fails with a *PanicError
// (ErrRequest), and the next request gets the connection (no ErrPoolTimeout).
func TestUserPanicsBecomeErrors(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	})
	for _, proto := range serveProtocols(t, h) {
		t.Run(proto.name, func(t *testing.T) {
			for _, pc := range panicCases() {
				t.Run(pc.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					defer cancel()
					opts := append([]httpx.ClientOption{
						httpx.WithBaseURL(proto.url),
						httpx.WithLimits(httpx.Limits{MaxConnections: 1, MaxKeepaliveConnections: 1, KeepaliveExpiry: time.Minute}),
						httpx.WithTimeout(httpx.Timeouts(5 * time.Second).WithPool(time.Second)),
					}, proto.opts...)
					c := httpx.NewClient(append(opts, pc.client...)...)
					defer c.Close()
					_, err := c.Post(ctx, "/post", pc.req...)
					require.Error(t, err)
					assert.ErrorIs(t, err, httpx.ErrRequest)
					var pe *httpx.PanicError
					require.ErrorAs(t, err, &pe, "%v", err)
					assert.Contains(t, pe.Where, pc.where)
					assert.NotEmpty(t, pe.Stack)
					assert.Contains(t, err.Error(), "panic")

					// The connection, if one was taken, went back or was discarded.
					c.EventHooks = httpx.EventHooks{}
					r, err := c.Get(ctx, "/get")
					require.NoError(t, err, "the pool slot was released")
					assert.Equal(t, 200, r.StatusCode)
					assert.Equal(t, proto.version, r.HTTPVersion())
				})
			}
		})
	}
}

func TestUserPanicsBecomeErrorsInMemory(t *testing.T) {
	cases := []struct {
		name  string
		where string
		c     *httpx.Client
		do    func(c *httpx.Client) error
	}{
		{
			name: "TransportFunc", where: "transport",
			c: httpx.NewClient(httpx.WithTransport(httpx.TransportFunc(func(context.Context, *httpx.Request) (*httpx.Response, error) {
				panic("transport exploded")
			}))),
		},
		{
			name: "MockTransport", where: "transport",
			c: httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
				panic(errors.New("mock exploded"))
			}))),
		},
		{
			name: "mock response body", where: "response body",
			c: httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
				return httpx.NewResponse(200, httpx.WithBody(&panickyReader{})), nil
			}))),
		},
		{
			name: "default encoding func", where: "encoding",
			c: httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithDefaultEncodingFunc(func([]byte) string { panic("no idea") })),
			do: func(c *httpx.Client) error {
				r, err := c.Get(ctx, "http://h/")
				if err != nil {
					return err
				}
				r.Headers.Set("Content-Type", "text/plain")
				_, err = r.Text()
				return err
			},
		},
		{
			name: "handler reading a panicking body", where: "request body",
			c: httpx.NewClient(httpx.WithApp(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
			}))),
			do: func(c *httpx.Client) error {
				_, err := c.Post(ctx, "http://testserver/", httpx.WithBody(&panickyReader{}))
				return err
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.c.Close()
			do := tc.do
			if do == nil {
				do = func(c *httpx.Client) error {
					_, err := c.Get(ctx, "http://h/")
					return err
				}
			}
			err := do(tc.c)
			require.Error(t, err)
			var pe *httpx.PanicError
			require.ErrorAs(t, err, &pe, "%v", err)
			assert.Contains(t, pe.Where, tc.where)
			assert.True(t, strings.Contains(err.Error(), "panic"), err.Error())
			assert.ErrorIs(t, err, httpx.ErrRequest)
		})
	}
}
