package httpx_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventHooksDocExample(t *testing.T) {
	var log []string
	logRequest := func(req *httpx.Request) error {
		log = append(log, fmt.Sprintf("Request event hook: %s %s - Waiting for response", req.Method, req.URL))
		return nil
	}
	logResponse := func(resp *httpx.Response) error {
		log = append(log, fmt.Sprintf("Response event hook: %s %s - Status %d", resp.Request.Method, resp.Request.URL, resp.StatusCode))
		return nil
	}
	c := httpx.NewClient(httpx.WithTransport(echoTransport()),
		httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{logRequest}, Response: []func(*httpx.Response) error{logResponse}}))
	defer c.Close()
	_, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"Request event hook: GET https://example.org/ - Waiting for response",
		"Response event hook: GET https://example.org/ - Status 200",
	}, log)
}

func TestRaiseOn4xx5xxHook(t *testing.T) {
	raise := func(resp *httpx.Response) error { return resp.RaiseForStatus() }
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(404, httpx.WithText("missing")), nil
	})), httpx.WithEventHooks(httpx.EventHooks{Response: []func(*httpx.Response) error{raise}}))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/x")
	assert.Nil(t, r)
	require.ErrorIs(t, err, httpx.ErrHTTPStatus)
	var se *httpx.HTTPStatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 404, se.Response.StatusCode)
	assert.True(t, se.Response.IsClosed(), "the response is closed when a hook fails")
	assert.Equal(t, "Client error '404 Not Found' for url 'https://example.org/x'\n"+
		"For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/404", err.Error())
}

func TestRequestHookModifiesPreparedRequest(t *testing.T) {
	addTimestamp := func(req *httpx.Request) error {
		req.Headers.Set("x-request-timestamp", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339))
		return nil
	}
	var authSeenByHook string
	peek := func(req *httpx.Request) error { authSeenByHook = req.Headers.Get("Authorization"); return nil }
	c := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithAuth(httpx.BasicAuth("u", "p")),
		httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{addTimestamp, peek}}))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-01-02T03:04:05Z"}, decodeEcho(t, r).Headers["X-Request-Timestamp"])
	assert.NotEmpty(t, authSeenByHook, "request hooks run after auth")
}

func TestResponseHookRunsBeforeBodyIsReadAndMayReadIt(t *testing.T) {
	var closedInHook bool
	var bodyInHook string
	c := httpx.NewClient(httpx.WithApp(routes()), httpx.WithEventHooks(httpx.EventHooks{Response: []func(*httpx.Response) error{
		func(resp *httpx.Response) error {
			closedInHook = resp.IsClosed()
			b, err := resp.Content()
			bodyInHook = string(b)
			return err
		},
	}}))
	defer c.Close()
	r, err := c.Get(ctx, "http://testserver/")
	require.NoError(t, err)
	assert.False(t, closedInHook)
	assert.Equal(t, "Hello World!", bodyInHook)
	text, _ := r.Text()
	assert.Equal(t, "Hello World!", text)
}

func TestHookErrorAbortsTheRequest(t *testing.T) {
	stop := errors.New("stop")
	var sent bool
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		sent = true
		return httpx.NewResponse(200), nil
	})), httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{func(*httpx.Request) error { return stop }}}))
	defer c.Close()
	_, err := c.Get(ctx, "https://example.org/")
	require.ErrorIs(t, err, stop)
	assert.ErrorIs(t, err, httpx.ErrRequest, "a foreign error joins the tree")
	assert.False(t, sent)
}

func TestEventHooksEditableAfterConstruction(t *testing.T) {
	var calls []string
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	c.EventHooks.Request = []func(*httpx.Request) error{func(*httpx.Request) error { calls = append(calls, "request"); return nil }}
	c.EventHooks.Response = []func(*httpx.Response) error{
		func(*httpx.Response) error { calls = append(calls, "response1"); return nil },
		func(*httpx.Response) error { calls = append(calls, "response2"); return nil },
	}
	_, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{"request", "response1", "response2"}, calls)
}

func TestHooksFireOnEveryRedirectHop(t *testing.T) {
	var urls []string
	c := httpx.NewClient(httpx.WithTransport(redirectApp(t)), httpx.WithFollowRedirects(true),
		httpx.WithEventHooks(httpx.EventHooks{
			Request:  []func(*httpx.Request) error{func(r *httpx.Request) error { urls = append(urls, "> "+r.URL.Path()); return nil }},
			Response: []func(*httpx.Response) error{func(r *httpx.Response) error { urls = append(urls, fmt.Sprintf("< %d", r.StatusCode)); return nil }},
		}))
	defer c.Close()
	_, err := c.Get(ctx, "https://a.com/redirect/301?to=/redirect/302%3Fto%3D/end")
	require.NoError(t, err)
	assert.Equal(t, []string{"> /redirect/301", "< 301", "> /redirect/302", "< 302", "> /end", "< 200"}, urls)
}
