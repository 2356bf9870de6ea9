package httpx_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeadersMultiMap(t *testing.T) {
	var h httpx.Headers // zero value usable
	h.Add("Set-Cookie", "a=1")
	h.Add("X-Token", "t")
	h.Add("set-cookie", "b=2")
	assert.Equal(t, "a=1, b=2", h.Get("SET-COOKIE"), "joined like HTTPX")
	assert.Equal(t, []string{"a=1", "b=2"}, h.Values("Set-Cookie"))
	assert.True(t, h.Has("x-token"))
	assert.Equal(t, 3, h.Len())
	assert.Equal(t, []string{"set-cookie", "x-token"}, h.Keys())

	h.Set("SET-COOKIE", "c=3")
	var order []string
	for k, v := range h.All() {
		order = append(order, k+"="+v)
	}
	assert.Equal(t, []string{"SET-COOKIE=c=3", "X-Token=t"}, order, "Set keeps the first position, takes the new spelling and drops the rest")

	h.Del("x-TOKEN")
	assert.False(t, h.Has("X-Token"))
	assert.Equal(t, "", h.Get("missing"))
	assert.Nil(t, h.Values("missing"))

	h.SetDefault("Set-Cookie", "ignored")
	h.SetDefault("Accept", "*/*")
	assert.Equal(t, "c=3", h.Get("Set-Cookie"))
	assert.Equal(t, "*/*", h.Get("Accept"))
}

func TestHeadersSetStoresTheNewSpelling(t *testing.T) {
	tests := []struct {
		name      string
		before    []string
		setName   string
		wantOrder []string
	}{
		{"lower to title", []string{"a", "1"}, "A", []string{"A=2"}},
		{"title to lower", []string{"Content-Type", "x", "B", "y"}, "content-type", []string{"content-type=2", "B=y"}},
		{"same spelling", []string{"X-A", "1"}, "X-A", []string{"X-A=2"}},
		{"absent", []string{"B", "y"}, "a", []string{"B=y", "a=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := httpx.NewHeaders(tt.before...)
			h.Set(tt.setName, "2")
			var order []string
			for k, v := range h.All() {
				order = append(order, k+"="+v)
			}
			assert.Equal(t, tt.wantOrder, order)
			assert.Equal(t, "2", h.Get(tt.setName))
		})
	}
}

func TestHeadersUpdateCloneEqual(t *testing.T) {
	h := httpx.NewHeaders("A", "1", "B", "2", "A", "3")
	h.Update(httpx.NewHeaders("a", "x", "C", "4", "a", "y"))
	var got []string
	for k, v := range h.All() {
		got = append(got, k, v)
	}
	assert.Equal(t, []string{"B", "2", "a", "x", "C", "4", "a", "y"}, got)

	c := h.Clone()
	c.Set("B", "changed")
	assert.Equal(t, "2", h.Get("B"), "clones are independent")

	assert.True(t, httpx.NewHeaders("a", "1", "B", "2").Equal(httpx.NewHeaders("b", "2", "A", "1")))
	assert.False(t, httpx.NewHeaders("a", "1").Equal(httpx.NewHeaders("a", "2")))
	assert.Equal(t, http.Header{"X-A": {"1", "2"}}, httpx.NewHeaders("x-a", "1", "X-A", "2").HTTPHeader())
	assert.Equal(t, `Headers{"Authorization": "[secure]", "Proxy-Authorization": "[secure]", "X": "v"}`,
		httpx.NewHeaders("Authorization", "Basic abc", "Proxy-Authorization", "Basic def", "X", "v").String())
}

func TestQueryParams(t *testing.T) {
	p := httpx.ParseQueryParams("a=1&b=2&a=3&c&d=x+y%21")
	assert.Equal(t, []string{"a", "b", "c", "d"}, p.Keys())
	assert.Equal(t, []string{"1", "3"}, p.Values("a"))
	assert.Equal(t, "1", p.Get("a"))
	assert.Equal(t, "", p.Get("c"))
	assert.True(t, p.Has("c"))
	assert.Equal(t, "x y!", p.Get("d"))
	assert.Equal(t, "a=1&a=3&b=2&c=&d=x+y%21", p.Encode(), "grouped by key, form-encoded")
	assert.Equal(t, 4, p.Len())

	p.Set("a", "9")
	p.Add("b", "8")
	p.Del("c")
	assert.Equal(t, "a=9&b=2&b=8&d=x+y%21", p.String())

	var q httpx.QueryParams
	q.Add("z", "1")
	q.Merge(httpx.ParamsFromMap(map[string]string{"z": "2", "y": "3"}))
	assert.Equal(t, "z=2&y=3", q.Encode())
	assert.True(t, httpx.ParseQueryParams("a=1&b=2").Equal(httpx.ParseQueryParams("b=2&a=1")))
	assert.False(t, httpx.ParseQueryParams("a=1").Equal(httpx.ParseQueryParams("a=2")))
	c := q.Clone()
	c.Set("z", "changed")
	assert.Equal(t, "2", q.Get("z"))
}

func TestURLModel(t *testing.T) {
	u, err := httpx.ParseURL("https://User:P%40ss@Example.COM:443/a%20b/../c?x=1&y=a+b#Frag")
	require.NoError(t, err)
	assert.Equal(t, "https", u.Scheme())
	assert.Equal(t, "example.com", u.Host())
	assert.Equal(t, 0, u.Port(), "default port dropped")
	assert.Equal(t, 443, u.EffectivePort())
	assert.Equal(t, "/c", u.Path())
	assert.Equal(t, "/c?x=1&y=a+b", u.RawPath())
	assert.Equal(t, "x=1&y=a+b", u.Query())
	assert.Equal(t, "Frag", u.Fragment())
	assert.Equal(t, "User", u.Username())
	assert.Equal(t, "P@ss", u.Password())
	assert.Equal(t, "a b", u.Params().Get("y"))
	assert.Equal(t, "https://User:[secure]@example.com/c?x=1&y=a+b#Frag", u.Redacted())
	assert.True(t, u.IsAbsolute())

	idna, err := httpx.ParseURL("http://faß.de/")
	require.NoError(t, err)
	assert.Equal(t, "xn--fa-hia.de", idna.RawHost())
	assert.Equal(t, "faß.de", idna.Host(), "xn-- hosts display as Unicode")

	v6, err := httpx.ParseURL("http://[::1]:8080/")
	require.NoError(t, err)
	assert.Equal(t, "::1", v6.Host())
	assert.Equal(t, "[::1]:8080", v6.Netloc())

	a, _ := httpx.ParseURL("http://a:80/")
	b, _ := httpx.ParseURL("http://a/")
	assert.True(t, a.Equal(b))
}

func TestURLJoinAndCopy(t *testing.T) {
	base, err := httpx.ParseURL("http://a/b/c/d;p?q")
	require.NoError(t, err)
	for ref, want := range map[string]string{"g": "http://a/b/c/g", "../g": "http://a/b/g", "?y": "http://a/b/c/d;p?y", "//g": "http://g", "#s": "http://a/b/c/d;p?q#s"} {
		j, err := base.Join(ref)
		require.NoError(t, err)
		assert.Equal(t, want, j.String(), ref)
	}
	u, _ := httpx.ParseURL("http://example.com/p?a=1#f")
	c, err := u.CopyWith(httpx.URLComponents{Scheme: "https", Port: 8443, Path: "/new path", ClearFragment: true})
	require.NoError(t, err)
	assert.Equal(t, "https://example.com:8443/new%20path?a=1", c.String())
	assert.Equal(t, "http://example.com/p?a=1#f", u.String(), "the original is unchanged")
	assert.Equal(t, "http://example.com/p?a=2#f", u.CopySetParam("a", "2").String())
	assert.Equal(t, "http://example.com/p?a=1&a=2#f", u.CopyAddParam("a", "2").String())
	assert.Equal(t, "http://example.com/p#f", u.CopyRemoveParam("a").String())
	assert.Equal(t, "http://example.com/p?a=1&b=x+y#f", u.CopyMergeParams(httpx.ParamsFromMap(map[string]string{"b": "x y"})).String())
}

func TestInvalidURLs(t *testing.T) {
	for _, raw := range []string{"http://exa mple.com:abc/", "http://[::1", "https://999.999.999.999/", "http://☃.com/", "http://a/\nb"} {
		_, err := httpx.ParseURL(raw)
		require.Error(t, err, raw)
		assert.ErrorIs(t, err, httpx.ErrInvalidURL, raw)
		assert.NotErrorIs(t, err, httpx.ErrHTTP, "InvalidURL is outside HTTPError, as in HTTPX")
	}
}

func TestTimeoutAndLimitsValues(t *testing.T) {
	assert.Equal(t, httpx.Timeout{Connect: 5e9, Read: 5e9, Write: 5e9, Pool: 5e9}, httpx.DefaultTimeout)
	assert.Equal(t, "Timeout(timeout=5s)", httpx.DefaultTimeout.String())
	assert.Equal(t, "Timeout(connect=1s, read=2s, write=3s, pool=4s)", httpx.Timeout{Connect: 1e9, Read: 2e9, Write: 3e9, Pool: 4e9}.String())
	assert.Equal(t, "Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5s)", httpx.DefaultLimits.String())
}

// Go strings are bytes, so a non-ASCII header value goes out as the bytes it
// holds, as HTTPX sends a bytes value (HTTPX refuses a non-ASCII str).
func TestNonASCIIHeaderValuesGoOutAsTheirBytes(t *testing.T) {
	values := []string{"café ☕", "caf\xe9", "\x80\xff"}
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Header.Get("X-Title")))
	})
	overProtocols(t, echo, func(t *testing.T, c *httpx.Client, _ string) {
		for _, v := range values {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			r, err := c.Get(ctx, "/echo", httpx.WithHeader("X-Title", v))
			cancel()
			require.NoError(t, err, "%q", v)
			got, err := r.Content()
			require.NoError(t, err)
			assert.Equal(t, []byte(v), got, "%q", v)
		}
	})
}

func TestHeadersRedacted(t *testing.T) {
	var h httpx.Headers
	h.Add("Authorization", "Bearer t")
	h.Add("X-Api-Key", "k")
	h.Add("cookie", "a=1")
	h.Add("Accept", "*/*")
	h.Add("Set-Cookie", "s=2")

	tests := []struct {
		name  string
		extra []string
		want  []string
	}{
		{"defaults", nil, []string{"[secure]", "k", "[secure]", "*/*", "[secure]"}},
		{"extra names, any case", []string{"x-api-key"}, []string{"[secure]", "[secure]", "[secure]", "*/*", "[secure]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.Redacted(tt.extra...)
			var names, got []string
			for k, v := range r.All() {
				names, got = append(names, k), append(got, v)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, []string{"Authorization", "X-Api-Key", "cookie", "Accept", "Set-Cookie"}, names)
			assert.Equal(t, "Bearer t", h.Get("Authorization"), "the original is untouched")
		})
	}
}
