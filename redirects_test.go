package httpx_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redirectApp answers /redirect/<status>?to=<url> with that redirect and any
// other path with an echo of the request.
func redirectApp(t *testing.T) httpx.MockTransport {
	echo := echoTransport()
	return func(req *httpx.Request) (*httpx.Response, error) {
		if strings.HasPrefix(req.URL.Path(), "/redirect/") {
			var status int
			fmt.Sscanf(strings.TrimPrefix(req.URL.Path(), "/redirect/"), "%d", &status)
			return httpx.NewResponse(status, httpx.WithHeader("Location", req.URL.Params().Get("to")), httpx.WithText("moved")), nil
		}
		if req.URL.Path() == "/loop" {
			return httpx.NewResponse(302, httpx.WithHeader("Location", "/loop")), nil
		}
		return echo(req)
	}
}

func TestRedirectsAreOffByDefault(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(redirectApp(t)))
	defer c.Close()
	r, err := c.Get(ctx, "https://a.com/redirect/302?to=/target")
	require.NoError(t, err)
	assert.Equal(t, 302, r.StatusCode)
	assert.True(t, r.HasRedirectLocation())
	require.NotNil(t, r.NextRequest())
	assert.Equal(t, "https://a.com/target", r.NextRequest().URL.String())
	assert.Empty(t, r.History)

	// Sending the next request by hand, as HTTPX users do with client.send.
	r2, err := c.Send(ctx, r.NextRequest())
	require.NoError(t, err)
	assert.Equal(t, "https://a.com/target", decodeEcho(t, r2).URL)
}

func TestFollowRedirectsRequestLevelWins(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(redirectApp(t)), httpx.WithFollowRedirects(true))
	defer c.Close()
	r, err := c.Get(ctx, "https://a.com/redirect/302?to=/target", httpx.WithFollowRedirects(false))
	require.NoError(t, err)
	assert.Equal(t, 302, r.StatusCode)

	r, err = c.Get(ctx, "https://a.com/redirect/302?to=/target")
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	assert.Equal(t, "https://a.com/target", r.URL().String())
	require.Len(t, r.History, 1)
	assert.Equal(t, 302, r.History[0].StatusCode)
	assert.True(t, r.History[0].IsClosed())
	body, err := r.History[0].Content()
	require.NoError(t, err, "intermediate responses are read")
	assert.Equal(t, "moved", string(body))
	assert.Nil(t, r.NextRequest())
}

func TestRedirectMethodAndBodyRules(t *testing.T) {
	tests := []struct {
		method     string
		status     int
		wantMethod string
		wantBody   string
	}{
		{"POST", 301, "GET", ""},
		{"PUT", 301, "PUT", "payload"},
		{"POST", 302, "GET", ""},
		{"DELETE", 302, "GET", ""},
		{"HEAD", 302, "HEAD", ""},
		{"POST", 303, "GET", ""},
		{"PUT", 303, "GET", ""},
		{"HEAD", 303, "HEAD", ""},
		{"POST", 307, "POST", "payload"},
		{"POST", 308, "POST", "payload"},
		{"PATCH", 308, "PATCH", "payload"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d", tt.method, tt.status), func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(redirectApp(t)), httpx.WithFollowRedirects(true))
			defer c.Close()
			opts := []httpx.RequestOption{}
			if tt.method != "HEAD" {
				opts = append(opts, httpx.WithContent([]byte("payload")), httpx.WithHeader("Content-Type", "text/plain"))
			}
			r, err := c.Request(ctx, tt.method, fmt.Sprintf("https://a.com/redirect/%d?to=/target", tt.status), opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantMethod, r.Request.Method)
			if tt.wantMethod == "HEAD" {
				return
			}
			e := decodeEcho(t, r)
			assert.Equal(t, tt.wantBody, e.Body)
			if tt.wantBody == "" {
				assert.NotContains(t, e.Headers, "Content-Length")
				assert.Equal(t, []string{"text/plain"}, e.Headers["Content-Type"], "HTTPX keeps Content-Type")
			} else {
				assert.Equal(t, []string{"7"}, e.Headers["Content-Length"])
			}
		})
	}
}

func TestRedirectWithStreamingBody(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(redirectApp(t)), httpx.WithFollowRedirects(true))
	defer c.Close()

	// A seekable body is replayed.
	r, err := c.Post(ctx, "https://a.com/redirect/307?to=/target", httpx.WithBody(strings.NewReader("seekable")))
	require.NoError(t, err)
	assert.Equal(t, "seekable", decodeEcho(t, r).Body)

	// A one-shot stream cannot be: a clear error, not a silent empty body.
	pr, pw := io.Pipe()
	go func() { pw.Write([]byte("once")); pw.Close() }()
	plain := httpx.NewClient(httpx.WithFollowRedirects(true), httpx.WithTransport(httpx.TransportFunc(func(_ context.Context, req *httpx.Request) (*httpx.Response, error) {
		body, err := req.Body()
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, body)
		if req.URL.Path() == "/target" {
			return httpx.NewResponse(200), nil
		}
		return httpx.NewResponse(307, httpx.WithHeader("Location", "/target")), nil
	})))
	defer plain.Close()
	_, err = plain.Post(ctx, "https://a.com/start", httpx.WithBody(pr))
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrStreamConsumed)
}

func TestTooManyRedirects(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(redirectApp(t)), httpx.WithFollowRedirects(true))
	defer c.Close()
	_, err := c.Get(ctx, "https://a.com/loop")
	require.ErrorIs(t, err, httpx.ErrTooManyRedirects)
	assert.ErrorIs(t, err, httpx.ErrRequest)

	var sent int
	counting := httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		sent++
		return redirectApp(t)(req)
	})
	for _, max := range []int{0, 1, 3} {
		sent = 0
		c := httpx.NewClient(httpx.WithTransport(counting), httpx.WithFollowRedirects(true), httpx.WithMaxRedirects(max))
		_, err := c.Get(ctx, "https://a.com/loop")
		c.Close()
		require.ErrorIs(t, err, httpx.ErrTooManyRedirects)
		assert.Equal(t, max+1, sent, "max %d allows %d hops", max, max)
	}
}

func TestRedirectDropsCredentialsAcrossOrigins(t *testing.T) {
	tests := []struct {
		name, from, to string
		keepAuth       bool
	}{
		{"same origin", "https://a.com/redirect/302", "/target", true},
		{"other host", "https://a.com/redirect/302", "https://b.com/target", false},
		{"other port", "https://a.com/redirect/302", "https://a.com:8443/target", false},
		{"https downgrade", "https://a.com/redirect/302", "http://a.com/target", false},
		{"https upgrade keeps auth", "http://a.com/redirect/302", "https://a.com/target", true},
		{"upgrade to another port drops", "http://a.com/redirect/302", "https://a.com:8443/target", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(redirectApp(t)), httpx.WithFollowRedirects(true))
			defer c.Close()
			r, err := c.Get(ctx, tt.from+"?to="+tt.to,
				httpx.WithAuth(httpx.BasicAuth("user", "pass")),
				httpx.WithHeader("Proxy-Authorization", "Basic c2VjcmV0"),
				httpx.WithHeader("X-Custom", "kept"))
			require.NoError(t, err)
			e := decodeEcho(t, r)
			if tt.keepAuth {
				assert.Contains(t, e.Headers, "Authorization")
			} else {
				assert.NotContains(t, e.Headers, "Authorization")
				assert.NotContains(t, e.Headers, "Proxy-Authorization")
			}
			assert.Equal(t, []string{"kept"}, e.Headers["X-Custom"])
			assert.Equal(t, []string{r.URL().Netloc()}, e.Headers["Host"])
		})
	}
}

func TestRedirectRecomputesCookiesPerHop(t *testing.T) {
	var cookiesSeen []string
	c := httpx.NewClient(httpx.WithFollowRedirects(true), httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		cookiesSeen = append(cookiesSeen, req.URL.Host()+" "+req.Headers.Get("Cookie"))
		switch req.URL.Path() {
		case "/start":
			return httpx.NewResponse(302, httpx.WithHeader("Location", "https://b.com/next"), httpx.WithHeader("Set-Cookie", "from-a=1; Path=/")), nil
		case "/next":
			return httpx.NewResponse(302, httpx.WithHeader("Location", "https://a.com/end"), httpx.WithHeader("Set-Cookie", "from-b=2; Path=/")), nil
		}
		return httpx.NewResponse(200), nil
	})))
	defer c.Close()
	_, err := c.Get(ctx, "https://a.com/start", httpx.WithCookies(map[string]string{"per-request": "x"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"a.com per-request=x", "b.com ", "a.com from-a=1"}, cookiesSeen)
}

func TestRedirectLocationResolution(t *testing.T) {
	tests := []struct{ from, location, want string }{
		{"https://a.com/x/y", "z", "https://a.com/x/z"},
		{"https://a.com/x/y", "../z?q=1", "https://a.com/z?q=1"},
		{"https://a.com/x/y", "//b.com/p", "https://b.com/p"},
		{"https://a.com/x/y#frag", "/p", "https://a.com/p#frag"},
		{"https://a.com/x/y#frag", "/p#other", "https://a.com/p#other"},
		{"https://a.com:8443/x", "https://:8443/p", "https://a.com:8443/p"},
	}
	for _, tt := range tests {
		t.Run(tt.location, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
				return httpx.NewResponse(302, httpx.WithHeader("Location", tt.location)), nil
			})))
			defer c.Close()
			r, err := c.Get(ctx, tt.from)
			require.NoError(t, err)
			require.NotNil(t, r.NextRequest())
			assert.Equal(t, tt.want, r.NextRequest().URL.String())
		})
	}
}

func TestInvalidLocationIsRemoteProtocolError(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(302, httpx.WithHeader("Location", "https://exa mple.com:xx/")), nil
	})), httpx.WithFollowRedirects(true))
	defer c.Close()
	_, err := c.Get(ctx, "https://a.com/")
	require.ErrorIs(t, err, httpx.ErrRemoteProtocol)
	assert.Contains(t, err.Error(), "Invalid URL in location header")
}

func TestRedirectToUnsupportedScheme(t *testing.T) {
	c := httpx.NewClient(httpx.WithFollowRedirects(true), httpx.WithMounts(map[string]httpx.Transport{
		"https://": httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
			return httpx.NewResponse(302, httpx.WithHeader("Location", "gopher://old.example/")), nil
		}),
	}), httpx.WithTransport(httpx.FromRoundTripper(http.DefaultTransport)))
	defer c.Close()
	_, err := c.Get(ctx, "https://a.com/")
	require.ErrorIs(t, err, httpx.ErrUnsupportedProtocol)
}

func TestNonRedirectStatusesAreReturned(t *testing.T) {
	for _, status := range []int{300, 304, 305, 306} {
		c := httpx.NewClient(httpx.WithFollowRedirects(true), httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
			return httpx.NewResponse(status, httpx.WithHeader("Location", "/elsewhere")), nil
		})))
		r, err := c.Get(ctx, "https://a.com/")
		c.Close()
		require.NoError(t, err)
		assert.Equal(t, status, r.StatusCode)
		assert.False(t, r.HasRedirectLocation())
	}
	c := httpx.NewClient(httpx.WithFollowRedirects(true), httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(302), nil
	})))
	defer c.Close()
	r, err := c.Get(ctx, "https://a.com/")
	require.NoError(t, err)
	assert.Equal(t, 302, r.StatusCode, "no Location: nothing to follow")
}
