package httpx_test

import (
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cookieApp sets cookies on /set and reports the Cookie header it receives.
func cookieApp() httpx.MockTransport {
	return func(req *httpx.Request) (*httpx.Response, error) {
		if req.URL.Path() == "/set" {
			return httpx.NewResponse(200,
				httpx.WithHeader("Set-Cookie", "session=abc; Path=/"),
				httpx.WithHeader("Set-Cookie", "scoped=1; Path=/only"),
				httpx.WithHeader("Set-Cookie", "secure=1; Path=/; Secure"),
			), nil
		}
		return httpx.NewResponse(200, httpx.WithText(req.Headers.Get("Cookie"))), nil
	}
}

func cookieSeen(t *testing.T, c *httpx.Client, url string, opts ...httpx.RequestOption) string {
	t.Helper()
	r, err := c.Get(ctx, url, opts...)
	require.NoError(t, err)
	text, err := r.Text()
	require.NoError(t, err)
	return text
}

func TestCookiePersistenceAcrossRequests(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(cookieApp()))
	defer c.Close()
	assert.Equal(t, "", cookieSeen(t, c, "https://a.com/"))
	_, err := c.Get(ctx, "https://a.com/set")
	require.NoError(t, err)
	assert.Equal(t, "session=abc; secure=1", cookieSeen(t, c, "https://a.com/"))
	assert.Equal(t, "scoped=1; session=abc; secure=1", cookieSeen(t, c, "https://a.com/only/x"), "path-scoped cookies first, as the jar orders them")
	assert.Equal(t, "session=abc", cookieSeen(t, c, "http://a.com/"), "Secure cookies only over https")
	assert.Equal(t, "", cookieSeen(t, c, "https://b.com/"), "host-scoped")

	v, err := c.Cookies.Get("session")
	require.NoError(t, err)
	assert.Equal(t, "abc", v)
}

func TestClientCookiesGoToEveryHost(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(cookieApp()), httpx.WithCookies(map[string]string{"client": "1"}))
	defer c.Close()
	assert.Equal(t, "client=1", cookieSeen(t, c, "https://a.com/"))
	assert.Equal(t, "client=1", cookieSeen(t, c, "http://b.org/"))
}

func TestRequestCookiesMergeButDoNotPersist(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(cookieApp()), httpx.WithCookies(map[string]string{"client": "1", "shared": "client"}))
	defer c.Close()
	assert.Equal(t, "client=1; req=2; shared=request", cookieSeen(t, c, "https://a.com/", httpx.WithCookies(map[string]string{"req": "2", "shared": "request"})))
	assert.Equal(t, "client=1; shared=client", cookieSeen(t, c, "https://a.com/"))
	assert.Equal(t, "explicit", cookieSeen(t, c, "https://a.com/", httpx.WithHeader("Cookie", "explicit")), "a Cookie header set by the user wins")
}

func TestCookiesStore(t *testing.T) {
	jar := httpx.NewCookies()
	jar.Set("a", "1")
	jar.SetFor("b", "2", "example.com", "")
	jar.SetFor("b", "3", "other.com", "/x")
	assert.Equal(t, 3, jar.Len())
	v, err := jar.Get("a")
	require.NoError(t, err)
	assert.Equal(t, "1", v)
	_, err = jar.Get("b")
	assert.ErrorIs(t, err, httpx.ErrCookieConflict)
	v, err = jar.Get("missing")
	require.NoError(t, err)
	assert.Equal(t, "", v)

	jar.Delete("b")
	assert.Equal(t, 1, jar.Len())
	jar.Clear()
	assert.Equal(t, 0, jar.Len())
	assert.NotNil(t, jar.Jar())
}

func TestCookiesFieldEditableBetweenRequests(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(cookieApp()))
	defer c.Close()
	c.Cookies.SetFor("only", "here", "a.com", "/")
	assert.Equal(t, "only=here", cookieSeen(t, c, "https://a.com/"))
	assert.Equal(t, "only=here", cookieSeen(t, c, "https://www.a.com/"), "a domain cookie covers subdomains")
	assert.Equal(t, "", cookieSeen(t, c, "https://b.com/"))
	c.Cookies.Delete("only")
	assert.Equal(t, "", cookieSeen(t, c, "https://a.com/"))
}
