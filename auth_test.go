package httpx_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBasicAuthHeader(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/", httpx.WithAuth(httpx.BasicAuth("user", "pässword")), httpx.WithHeader("Authorization", "overwritten"))
	require.NoError(t, err)
	assert.Equal(t, []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("user:pässword"))}, decodeEcho(t, r).Headers["Authorization"])
}

func TestURLUserinfoIsBasicAuth(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	r, err := c.Get(ctx, "https://us%40er:p%3Ass@example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("us@er:p:ss"))}, decodeEcho(t, r).Headers["Authorization"])
	assert.Equal(t, "example.org", r.Request.Headers.Get("Host"), "no userinfo in Host")

	// Explicit auth wins over the URL's credentials.
	r, err = c.Get(ctx, "https://u:p@example.org/", httpx.WithAuth(httpx.BasicAuth("x", "y")))
	require.NoError(t, err)
	assert.Equal(t, []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("x:y"))}, decodeEcho(t, r).Headers["Authorization"])
}

func TestAuthFunc(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithAuth(httpx.AuthFunc(func(req *httpx.Request) error {
		req.Headers.Set("X-Authentication", "token")
		return nil
	})))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{"token"}, decodeEcho(t, r).Headers["X-Authentication"])

	failing := errors.New("no token")
	_, err = c.Get(ctx, "https://example.org/", httpx.WithAuth(httpx.AuthFunc(func(*httpx.Request) error { return failing })))
	require.ErrorIs(t, err, failing)
	assert.ErrorIs(t, err, httpx.ErrRequest)
}

// retryOn401 is the docs' second MyCustomAuth: resend with a token after a 401.
type retryOn401 struct{ token string }

func (a retryOn401) Flow(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
	resp, err := send(req)
	if err != nil || resp.StatusCode != 401 {
		return resp, err
	}
	req.Headers.Set("X-Authentication", a.token)
	return send(req)
}

// needsToken answers 401 until X-Authentication carries the token.
func needsToken(token string) httpx.MockTransport {
	return func(req *httpx.Request) (*httpx.Response, error) {
		if req.Headers.Get("X-Authentication") != token {
			return httpx.NewResponse(401, httpx.WithText("who are you?")), nil
		}
		body, _ := req.Content()
		return httpx.NewResponse(200, httpx.WithText("welcome "+string(body))), nil
	}
}

func TestMultiStepAuthFlow(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(needsToken("secret")), httpx.WithAuth(retryOn401{"secret"}))
	defer c.Close()
	r, err := c.Post(ctx, "https://example.org/", httpx.WithContent([]byte("alice")))
	require.NoError(t, err)
	text, _ := r.Text()
	assert.Equal(t, "welcome alice", text)
	require.Len(t, r.History, 1)
	assert.Equal(t, 401, r.History[0].StatusCode)
	assert.True(t, r.History[0].IsClosed())
	first, err := r.History[0].Content()
	require.NoError(t, err, "intermediate responses are read before closing")
	assert.Equal(t, "who are you?", string(first))
}

// signing needs the request body to sign it (requires_request_body).
type signing struct{ seen *string }

func (signing) RequiresRequestBody() bool { return true }
func (s signing) Flow(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
	resp, err := send(req)
	if err != nil || resp.StatusCode != 401 {
		return resp, err
	}
	body, err := req.Content()
	if err != nil {
		return nil, err
	}
	*s.seen = string(body)
	req.Headers.Set("X-Authentication", "sig:"+string(body))
	return send(req)
}

func TestRequiresRequestBodyBuffersStreams(t *testing.T) {
	pr, pw := io.Pipe()
	go func() { pw.Write([]byte("streamed")); pw.Close() }()
	var seen string
	c := httpx.NewClient(httpx.WithTransport(needsToken("sig:streamed")), httpx.WithAuth(signing{&seen}))
	defer c.Close()
	r, err := c.Post(ctx, "https://example.org/", httpx.WithBody(pr))
	require.NoError(t, err, "the stream was buffered, so it could be resent")
	assert.Equal(t, 200, r.StatusCode)
	assert.Equal(t, "streamed", seen)
}

func TestStreamingBodyWithoutRequiresRequestBodyCannotBeResent(t *testing.T) {
	pr, pw := io.Pipe()
	go func() { pw.Write([]byte("streamed")); pw.Close() }()
	// A network-like transport streams the body out (a MockTransport would
	// buffer it, as HTTPX's does, making it replayable).
	network := httpx.TransportFunc(func(_ context.Context, req *httpx.Request) (*httpx.Response, error) {
		body, err := req.Body()
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, body)
		return needsToken("secret")(req)
	})
	c := httpx.NewClient(httpx.WithTransport(network), httpx.WithAuth(retryOn401{"secret"}))
	defer c.Close()
	_, err := c.Post(ctx, "https://example.org/", httpx.WithBody(pr))
	require.ErrorIs(t, err, httpx.ErrStreamConsumed)
}

// refreshing is the docs' token-refresh flow (requires_response_body).
type refreshing struct{ access, refreshURL string }

func (*refreshing) RequiresResponseBody() bool { return true }
func (a *refreshing) Flow(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
	req.Headers.Set("X-Authentication", a.access)
	resp, err := send(req)
	if err != nil || resp.StatusCode != 401 {
		return resp, err
	}
	refresh, err := httpx.NewRequest("POST", a.refreshURL)
	if err != nil {
		return nil, err
	}
	refreshResp, err := send(refresh)
	if err != nil {
		return nil, err
	}
	body, err := refreshResp.Content() // readable: RequiresResponseBody
	if err != nil {
		return nil, err
	}
	a.access = strings.TrimSpace(string(body))
	req.Headers.Set("X-Authentication", a.access)
	return send(req)
}

func TestRequiresResponseBodyTokenRefresh(t *testing.T) {
	transport := httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		if req.URL.Path() == "/token" {
			return httpx.NewResponse(200, httpx.WithText("fresh\n")), nil
		}
		return needsToken("fresh")(req)
	})
	auth := &refreshing{access: "stale", refreshURL: "https://example.org/token"}
	c := httpx.NewClient(httpx.WithTransport(transport), httpx.WithAuth(auth))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/data")
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	require.Len(t, r.History, 2)
	assert.Equal(t, 401, r.History[0].StatusCode)
	assert.Equal(t, "https://example.org/token", r.History[1].URL().String())
	assert.Equal(t, "fresh", auth.access)
	// Every intermediate is closed; each carries the history before it.
	for i, h := range r.History {
		assert.True(t, h.IsClosed())
		assert.Len(t, h.History, i)
	}
}

func TestAuthFlowErrorClosesLastResponse(t *testing.T) {
	var last *httpx.Response
	boom := errors.New("flow failed")
	flow := authFlowFunc(func(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
		r, err := send(req)
		last = r
		if err != nil {
			return nil, err
		}
		return nil, boom
	})
	c := httpx.NewClient(httpx.WithApp(routes()), httpx.WithAuth(flow))
	defer c.Close()
	_, err := c.Get(ctx, "http://testserver/")
	require.ErrorIs(t, err, boom)
	require.NotNil(t, last)
	assert.True(t, last.IsClosed())
}

type authFlowFunc func(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error)

func (f authFlowFunc) Flow(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
	return f(ctx, req, send)
}
