package httpx_test

import (
	"net/http"
	"net/url"
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
	assert.Equal(t, "client=1; shared=request; req=2", cookieSeen(t, c, "https://a.com/", httpx.WithCookies(map[string]string{"req": "2", "shared": "request"})))
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

// setCookieApp answers a request carrying ?c=... with those values as
// Set-Cookie headers, and any other request with the Cookie header it got.
func setCookieApp() httpx.MockTransport {
	return func(req *httpx.Request) (*httpx.Response, error) {
		if lines := req.URL.Params().Values("c"); len(lines) > 0 {
			opts := make([]httpx.RequestOption, 0, len(lines))
			for _, l := range lines {
				opts = append(opts, httpx.WithHeader("Set-Cookie", l))
			}
			return httpx.NewResponse(200, opts...), nil
		}
		return httpx.NewResponse(200, httpx.WithText(req.Headers.Get("Cookie"))), nil
	}
}

// cookieStep stores Set-Cookie lines from url (set) or checks the Cookie
// header sent to url (want).
type cookieStep struct {
	url  string
	set  []string
	want string
}

func runCookieSteps(t *testing.T, c *httpx.Client, steps []cookieStep) {
	t.Helper()
	for _, st := range steps {
		if st.set != nil {
			opts := make([]httpx.RequestOption, 0, len(st.set))
			for _, l := range st.set {
				opts = append(opts, httpx.WithParam("c", l))
			}
			_, err := c.Get(ctx, st.url, opts...)
			require.NoError(t, err)
			continue
		}
		assert.Equal(t, st.want, cookieSeen(t, c, st.url), st.url)
	}
}

// stored lists a store as (domain, path, name, value) rows.
func stored(c *httpx.Cookies) [][4]string {
	var out [][4]string
	for _, k := range c.All() {
		out = append(out, [4]string{k.Domain, k.Path, k.Name, k.Value})
	}
	return out
}

func TestCookieHeaderOrderAndListingMatchHTTPX(t *testing.T) {
	// Expected headers and listings checked against Python HTTPX (0.23.3,
	// whose cookie handling 0.28 keeps): http.cookiejar sends cookies longest
	// path first, then in its order, grouped by domain then path, first
	// stored first; a replaced cookie keeps its place.
	tests := []struct {
		name  string
		steps []cookieStep
		all   [][4]string
	}{
		{"jar order, longest path first, quotes and default path kept", []cookieStep{
			{url: "https://a.com/set", set: []string{"b=1; Path=/", "a=2; Path=/", "zz=3; Path=/x", `q="hello world"; Path=/`}},
			{url: "https://a.com/", want: `b=1; a=2; q="hello world"`},
			{url: "https://a.com/x/y", want: `zz=3; b=1; a=2; q="hello world"`},
			{url: "https://a.com/set", set: []string{"c=9; Path=/", "b=new; Path=/"}},
			{url: "https://a.com/", want: `b=new; a=2; q="hello world"; c=9`},
			{url: "https://a.com/a/b/set", set: []string{"x=1"}},
			{url: "https://a.com/a/b/c", want: `x=1; b=new; a=2; q="hello world"; c=9`},
			{url: "https://a.com/a/bc", want: `b=new; a=2; q="hello world"; c=9`},
		}, [][4]string{
			{"a.com", "/", "b", "new"}, {"a.com", "/", "a", "2"}, {"a.com", "/", "q", `"hello world"`},
			{"a.com", "/", "c", "9"}, {"a.com", "/x", "zz", "3"}, {"a.com", "/a/b", "x", "1"},
		}},
		{"host-only and domain cookie of one name are both kept", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1", "x=2; Domain=a.com"}},
			{url: "https://a.com/", want: "x=1; x=2"},
		}, [][4]string{{"a.com", "/", "x", "1"}, {".a.com", "/", "x", "2"}}},
		{"grouped by domain", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1"}},
			{url: "https://b.a.com/", set: []string{"y=2; Domain=a.com"}},
			{url: "https://a.com/", set: []string{"z=3"}},
			{url: "https://a.com/", want: "x=1; z=3; y=2"},
		}, [][4]string{{"a.com", "/", "x", "1"}, {"a.com", "/", "z", "3"}, {".a.com", "/", "y", "2"}}},
		{"grouped by path", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1; Path=/p", "y=2; Path=/q", "z=3; Path=/p"}},
			{url: "https://a.com/p", want: "x=1; z=3"},
			{url: "https://a.com/", want: ""},
		}, [][4]string{{"a.com", "/p", "x", "1"}, {"a.com", "/p", "z", "3"}, {"a.com", "/q", "y", "2"}}},
		{"deleted then set again goes last", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1", "y=2"}},
			{url: "https://a.com/", set: []string{"x=1; Max-Age=0"}},
			{url: "https://a.com/", set: []string{"x=3"}},
			{url: "https://a.com/", want: "y=2; x=3"},
		}, [][4]string{{"a.com", "/", "y", "2"}, {"a.com", "/", "x", "3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(setCookieApp()))
			defer c.Close()
			runCookieSteps(t, c, tt.steps)
			assert.Equal(t, tt.all, stored(c.Cookies))
			assert.Equal(t, len(tt.all), c.Cookies.Len())
		})
	}
}

func TestRequestCookiesMergeAsHTTPXDoes(t *testing.T) {
	// Expected headers checked against Python HTTPX: request cookies are set
	// on a copy of the client's jar, replacing same-named cookies sent to
	// every host in place and joining their group at its end.
	c := httpx.NewClient(httpx.WithTransport(setCookieApp()))
	defer c.Close()
	require.NoError(t, c.Cookies.Set("z", "1"))
	require.NoError(t, c.Cookies.Set("a", "2"))
	req := httpx.WithCookies(map[string]string{"a": "req", "m": "3"})
	assert.Equal(t, "z=1; a=2", cookieSeen(t, c, "https://a.com/"))
	assert.Equal(t, "z=1; a=req; m=3", cookieSeen(t, c, "https://a.com/", req))
	assert.Equal(t, "z=1; a=2", cookieSeen(t, c, "https://a.com/"), "request cookies do not persist")
	runCookieSteps(t, c, []cookieStep{{url: "https://b.com/set", set: []string{"b=1; Path=/", "zz=3; Path=/x"}}})
	assert.Equal(t, "zz=3; z=1; a=req; m=3; b=1", cookieSeen(t, c, "https://b.com/x/", req))

	jarOnly := httpx.NewClient(httpx.WithTransport(setCookieApp()))
	defer jarOnly.Close()
	runCookieSteps(t, jarOnly, []cookieStep{{url: "https://b.com/set", set: []string{"b=1; Path=/", "zz=3; Path=/x"}}})
	assert.Equal(t, "zz=3; b=1; a=req; b=r", cookieSeen(t, jarOnly, "https://b.com/x/", httpx.WithCookies(map[string]string{"a": "req", "b": "r"})),
		"a host's cookie is not replaced by a request cookie of its name")
}

func TestResponseCookiesListEveryCookie(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(setCookieApp()))
	defer c.Close()
	r, err := c.Get(ctx, "https://a.com/a/b/set", httpx.WithParam("c", "x=1"), httpx.WithParam("c", `q="hello world"`), httpx.WithParam("c", "s=1; Domain=a.com; Path=/; Secure"))
	require.NoError(t, err)
	assert.Equal(t, [][4]string{{"a.com", "/a/b", "x", "1"}, {"a.com", "/a/b", "q", `"hello world"`}, {".a.com", "/", "s", "1"}}, stored(r.Cookies()))
	assert.Equal(t, 3, r.Cookies().Len())
	v, err := r.Cookies().Get("q")
	require.NoError(t, err)
	assert.Equal(t, `"hello world"`, v)
}

func TestCookieValuesThatWouldSplitAreRefused(t *testing.T) {
	bad := []struct{ name, value string }{
		{"session", "abc; admin=1"},
		{"session", "abc,admin=1"},
		{"session", "abc\r\nX-Injected: 1"},
		{"session", "abc\nx"},
		{"session", "abc\x00"},
		{"a=b", "1"},
		{"a;b", "1"},
	}
	for _, tt := range bad {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			sent := false
			transport := httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
				sent = true
				return httpx.NewResponse(200), nil
			}))
			cookies := map[string]string{tt.name: tt.value}

			client := httpx.NewClient(transport, httpx.WithCookies(cookies))
			defer client.Close()
			assert.ErrorIs(t, client.Err(), httpx.ErrUsage)
			_, err := client.Get(ctx, "https://a.com/")
			assert.ErrorIs(t, err, httpx.ErrUsage)

			plain := httpx.NewClient(transport)
			defer plain.Close()
			_, err = plain.Get(ctx, "https://a.com/", httpx.WithCookies(cookies))
			require.ErrorIs(t, err, httpx.ErrUsage)
			assert.Contains(t, err.Error(), "cookie")
			_, err = httpx.NewRequest("GET", "https://a.com/", httpx.WithCookies(cookies))
			assert.ErrorIs(t, err, httpx.ErrUsage)

			assert.ErrorIs(t, plain.Cookies.Set(tt.name, tt.value), httpx.ErrUsage)
			assert.ErrorIs(t, plain.Cookies.SetFor(tt.name, tt.value, "a.com", "/"), httpx.ErrUsage)
			assert.Equal(t, 0, plain.Cookies.Len())
			assert.False(t, sent, "nothing reaches the transport")
		})
	}
}

func TestCookieJarRulesStricterThanHTTPX(t *testing.T) {
	// Deliberate differences: HTTPX's http.cookiejar accepts Domain=co.uk and
	// sends a host-only cookie to subdomains; the Go port uses the public
	// suffix list and RFC 6265 host-only matching.
	tests := []struct {
		name  string
		steps []cookieStep
	}{
		{"public suffix domain refused", []cookieStep{
			{url: "https://a.co.uk/", set: []string{"x=1; Domain=co.uk"}},
			{url: "https://b.co.uk/", want: ""},
			{url: "https://a.co.uk/", want: ""},
		}},
		{"public suffix domain equal to the host is host-only", []cookieStep{
			{url: "https://github.io/", set: []string{"x=1; Domain=github.io"}},
			{url: "https://github.io/", want: "x=1"},
			{url: "https://a.github.io/", want: ""},
		}},
		{"host-only not sent to subdomains", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1"}},
			{url: "https://www.a.com/", want: ""},
			{url: "https://a.com/", want: "x=1"},
		}},
		{"domain of another site refused", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1; Domain=b.com"}},
			{url: "https://b.com/", want: ""},
		}},
		{"Max-Age=0 deletes", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1", "y=2"}},
			{url: "https://a.com/", set: []string{"x=; Max-Age=0"}},
			{url: "https://a.com/", want: "y=2"},
		}},
		{"expired deletes", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1"}},
			{url: "https://a.com/", set: []string{"x=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
			{url: "https://a.com/", want: ""},
		}},
		{"secure only over https", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1; Secure", "y=2"}},
			{url: "http://a.com/", want: "y=2"},
		}},
		{"huge Max-Age keeps the cookie", []cookieStep{
			{url: "https://a.com/", set: []string{"x=1; Max-Age=9223372037"}},
			{url: "https://a.com/", want: "x=1"},
		}},
		{"IP host gets host-only cookies", []cookieStep{
			{url: "http://127.0.0.1/", set: []string{"x=1; Domain=127.0.0.1", "y=2; Domain=0.0.1"}},
			{url: "http://127.0.0.1/", want: "x=1"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(setCookieApp()))
			defer c.Close()
			runCookieSteps(t, c, tt.steps)
		})
	}
}

func TestCookiesJarView(t *testing.T) {
	jar := httpx.NewCookies()
	require.NoError(t, jar.Set("every", "1"))
	u, err := url.Parse("https://a.com/x")
	require.NoError(t, err)
	jar.Jar().SetCookies(u, []*http.Cookie{{Name: "k", Value: "v"}, {Name: "bad", Value: "a;b"}})
	var got []string
	for _, k := range jar.Jar().Cookies(u) {
		got = append(got, k.Name+"="+k.Value)
	}
	assert.Equal(t, []string{"every=1", "k=v"}, got)
	assert.ErrorIs(t, jar.SetFor("k", "v", "a;b.com", "/"), httpx.ErrUsage)
	clone := jar.Clone()
	jar.Clear()
	assert.Equal(t, 2, clone.Len())
}
