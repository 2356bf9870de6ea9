package httpx_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
)

type ctxKey struct{}

// redirecting answers /start with a redirect to /end, and /end with "done".
func redirecting(log *[]string) httpx.MockTransport {
	return func(req *httpx.Request) (*httpx.Response, error) {
		*log = append(*log, "transport "+req.URL.Path()+" "+req.Headers.Get("X-Mw"))
		if req.URL.Path() == "/start" {
			return httpx.NewResponse(302, httpx.WithHeader("Location", "/end")), nil
		}
		return httpx.NewResponse(200, httpx.WithText("done")), nil
	}
}

func TestMiddlewareWrapsLogicalAndPhysicalRequests(t *testing.T) {
	var log []string
	mw := httpx.Middleware{
		Send: func(ctx context.Context, req *httpx.Request, next httpx.SendFunc) (*httpx.Response, error) {
			log = append(log, "send "+req.URL.Path())
			resp, err := next(context.WithValue(ctx, ctxKey{}, "logical"), req)
			log = append(log, "sent")
			return resp, err
		},
		Transport: func(ctx context.Context, req *httpx.Request, next httpx.Transport) (*httpx.Response, error) {
			log = append(log, "physical "+req.URL.Path()+" in "+ctx.Value(ctxKey{}).(string))
			req.Headers.Set("X-Mw", "yes")
			return next.HandleRequest(ctx, req)
		},
	}
	c := httpx.NewClient(httpx.WithTransport(redirecting(&log)), httpx.WithFollowRedirects(true), httpx.WithMiddleware(mw))
	resp, err := c.Get(context.Background(), "http://example.test/start")
	require.NoError(t, err)
	assertText(t, "done", resp)
	assert.Equal(t, []string{
		"send /start",
		"physical /start in logical", "transport /start yes",
		"physical /end in logical", "transport /end yes",
		"sent",
	}, log)
}

func TestMiddlewareOrderFirstIsOutermost(t *testing.T) {
	var log []string
	named := func(name string) httpx.Middleware {
		return httpx.Middleware{
			Send: func(ctx context.Context, req *httpx.Request, next httpx.SendFunc) (*httpx.Response, error) {
				log = append(log, name+" send")
				return next(ctx, req)
			},
			Transport: func(ctx context.Context, req *httpx.Request, next httpx.Transport) (*httpx.Response, error) {
				log = append(log, name+" transport")
				return next.HandleRequest(ctx, req)
			},
		}
	}
	c := httpx.NewClient(httpx.WithTransport(redirecting(&log)),
		httpx.WithMiddleware(named("a")), httpx.WithMiddleware(httpx.Middleware{}), httpx.WithMiddleware(named("b")))
	_, err := c.Get(context.Background(), "http://example.test/end")
	require.NoError(t, err)
	assert.Equal(t, []string{"a send", "b send", "a transport", "b transport", "transport /end "}, log)
}

func TestMiddlewareTransportGetsTheMountedTransport(t *testing.T) {
	var log []string
	mounted := httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithText("mounted")), nil
	})
	var nexts []httpx.Transport
	c := httpx.NewClient(
		httpx.WithTransport(redirecting(&log)),
		httpx.WithMounts(map[string]httpx.Transport{"all://mounted.test": mounted}),
		httpx.WithMiddleware(httpx.Middleware{Transport: func(ctx context.Context, req *httpx.Request, next httpx.Transport) (*httpx.Response, error) {
			nexts = append(nexts, next)
			return next.HandleRequest(ctx, req)
		}}))
	resp, err := c.Get(context.Background(), "http://mounted.test/")
	require.NoError(t, err)
	assertText(t, "mounted", resp)
	resp, err = c.Get(context.Background(), "http://other.test/end")
	require.NoError(t, err)
	assertText(t, "done", resp)
	require.Len(t, nexts, 2)
	assert.IsType(t, mounted, nexts[0])
	assert.Equal(t, []string{"transport /end "}, log)
}

func TestResponseOnClose(t *testing.T) {
	var closes int
	c := httpx.NewClient(
		httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
			return httpx.NewResponse(200, httpx.WithText("body")), nil
		})),
		httpx.WithMiddleware(httpx.Middleware{Transport: func(ctx context.Context, req *httpx.Request, next httpx.Transport) (*httpx.Response, error) {
			resp, err := next.HandleRequest(ctx, req)
			if err == nil {
				resp.OnClose(func() { closes++ })
				resp.OnClose(nil) // ignored
			}
			return resp, err
		}}))

	_, err := c.Get(context.Background(), "http://example.test/")
	require.NoError(t, err)
	assert.Equal(t, 1, closes, "a read response is closed before Get returns")

	resp, err := c.Stream(context.Background(), "GET", "http://example.test/")
	require.NoError(t, err)
	assert.Equal(t, 1, closes, "a streamed response is open")
	_, err = io.ReadAll(resp)
	require.NoError(t, err)
	assert.Equal(t, 2, closes, "reading to the end closes it")
	resp.Close()
	assert.Equal(t, 2, closes, "once")

	ran := false
	resp.OnClose(func() { ran = true })
	assert.True(t, ran, "registered after the close: runs at once")
}

func TestMiddlewareFailures(t *testing.T) {
	ok := httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200), nil
	}))
	tests := []struct {
		name  string
		mw    httpx.Middleware
		check func(t *testing.T, err error)
	}{
		{"send panics", httpx.Middleware{Send: func(context.Context, *httpx.Request, httpx.SendFunc) (*httpx.Response, error) {
			panic("boom")
		}}, func(t *testing.T, err error) {
			var pe *httpx.PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "send middleware", pe.Where)
			assert.ErrorIs(t, err, httpx.ErrRequest)
		}},
		{"transport panics", httpx.Middleware{Transport: func(context.Context, *httpx.Request, httpx.Transport) (*httpx.Response, error) {
			panic("boom")
		}}, func(t *testing.T, err error) {
			var pe *httpx.PanicError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, httpx.ErrRequest)
		}},
		{"send returns nothing", httpx.Middleware{Send: func(context.Context, *httpx.Request, httpx.SendFunc) (*httpx.Response, error) {
			return nil, nil
		}}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, httpx.ErrRequest)
		}},
		{"send error passes through", httpx.Middleware{Send: func(context.Context, *httpx.Request, httpx.SendFunc) (*httpx.Response, error) {
			return nil, io.ErrUnexpectedEOF
		}}, func(t *testing.T, err error) {
			assert.True(t, errors.Is(err, io.ErrUnexpectedEOF))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(ok, httpx.WithMiddleware(tt.mw))
			resp, err := c.Get(context.Background(), "http://example.test/")
			assert.Nil(t, resp)
			require.Error(t, err)
			tt.check(t, err)
		})
	}
}

func assertText(t *testing.T, want string, resp *httpx.Response) {
	t.Helper()
	got, err := resp.Text()
	require.NoError(t, err)
	assert.Equal(t, want, got)
}
