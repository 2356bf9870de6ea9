package httpx_test

import (
	"context"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// named answers with its own name, to see where a request was routed.
func named(name string) httpx.Transport {
	return httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithText(name)), nil
	})
}

func routedTo(t *testing.T, c *httpx.Client, url string) string {
	t.Helper()
	r, err := c.Get(ctx, url)
	require.NoError(t, err)
	text, err := r.Text()
	require.NoError(t, err)
	return text
}

func TestMountRoutingDocExamples(t *testing.T) {
	type probe struct{ url, want string }
	tests := []struct {
		name   string
		mounts map[string]httpx.Transport
		probes []probe
	}{
		{"wildcard", map[string]httpx.Transport{"all://": named("proxy")}, []probe{
			{"http://example.com", "proxy"}, {"https://other.org/x", "proxy"}, {"ws://h/", "proxy"},
		}},
		{"scheme", map[string]httpx.Transport{"http://": named("http-proxy"), "https://": named("https-proxy")}, []probe{
			{"http://example.com", "http-proxy"}, {"https://example.com", "https-proxy"},
		}},
		{"domain", map[string]httpx.Transport{"all://example.com": named("proxy")}, []probe{
			{"http://example.com", "proxy"}, {"https://example.com:8443/", "proxy"}, {"https://www.example.com", "default"}, {"https://other.com", "default"},
		}},
		{"domain http only", map[string]httpx.Transport{"http://example.com": named("proxy")}, []probe{
			{"http://example.com", "proxy"}, {"https://example.com", "default"},
		}},
		{"domain and subdomains", map[string]httpx.Transport{"all://*example.com": named("proxy")}, []probe{
			{"http://example.com", "proxy"}, {"http://www.example.com", "proxy"}, {"http://a.b.example.com", "proxy"}, {"http://wwwexample.com", "default"},
		}},
		{"strict subdomains", map[string]httpx.Transport{"all://*.example.com": named("proxy")}, []probe{
			{"http://example.com", "default"}, {"http://www.example.com", "proxy"},
		}},
		{"port on host", map[string]httpx.Transport{"https://example.com:1234": named("proxy")}, []probe{
			{"https://example.com:1234/", "proxy"}, {"https://example.com/", "default"}, {"http://example.com:1234/", "default"},
		}},
		{"any host on port", map[string]httpx.Transport{"all://*:1234": named("proxy")}, []probe{
			{"http://a.com:1234", "proxy"}, {"https://b.org:1234", "proxy"}, {"http://a.com:1235", "default"},
		}},
		{"no proxy", map[string]httpx.Transport{"all://": named("proxy"), "all://example.com": nil}, []probe{
			{"http://example.com", "default"}, {"http://other.com", "proxy"},
		}},
		{"complex configuration", map[string]httpx.Transport{
			"all://":                           named("8030"),
			"https://domain.io":                nil,
			"all://*example.com":               named("8031"),
			"http://internal.example.com:5550": named("8032"),
		}, []probe{
			{"http://anything.net", "8030"},
			{"https://domain.io", "default"},
			{"http://domain.io", "8030"},
			{"https://example.com", "8031"},
			{"http://sub.example.com", "8031"},
			{"http://internal.example.com:5550", "8032"},
			{"https://internal.example.com:5550", "8031"},
		}},
		{"mocking one domain", map[string]httpx.Transport{"all://example.org": named("mock")}, []probe{
			{"https://example.org/", "mock"}, {"https://example.com/", "default"},
		}},
		{"custom scheme", map[string]httpx.Transport{"file://": named("files")}, []probe{
			{"file:///Users/sylvia_green/websites/new_client/index.html", "files"}, {"http://example.com", "default"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithTransport(named("default")), httpx.WithMounts(tt.mounts))
			defer c.Close()
			require.NoError(t, c.Err())
			for _, p := range tt.probes {
				assert.Equal(t, p.want, routedTo(t, c, p.url), p.url)
			}
		})
	}
}

// httpsRedirect is the docs' HTTPSRedirect transport.
type httpsRedirect struct{}

func (httpsRedirect) HandleRequest(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
	u, err := req.URL.CopyWith(httpx.URLComponents{Scheme: "https"})
	if err != nil {
		return nil, err
	}
	return httpx.NewResponse(303, httpx.WithHeader("Location", u.String())), nil
}

func TestMountsHTTPSRedirectExample(t *testing.T) {
	transport := httpx.NewMounts(map[string]httpx.Transport{
		"http://":  httpsRedirect{},
		"https://": named("secure"),
	})
	require.NoError(t, transport.Err())
	c := httpx.NewClient(httpx.WithTransport(transport), httpx.WithFollowRedirects(true))
	defer c.Close()
	r, err := c.Get(ctx, "http://example.com/page?x=1")
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/page?x=1", r.URL().String())
	require.Len(t, r.History, 1)
	assert.Equal(t, 303, r.History[0].StatusCode)

	// Without following, the redirect is returned with the next request.
	c2 := httpx.NewClient(httpx.WithMounts(map[string]httpx.Transport{"http://": httpsRedirect{}}))
	defer c2.Close()
	r, err = c2.Get(ctx, "http://example.com/")
	require.NoError(t, err)
	assert.Equal(t, 303, r.StatusCode)
	require.NotNil(t, r.NextRequest())
	assert.Equal(t, "https://example.com/", r.NextRequest().URL.String())
}

func TestStandaloneMountsWithoutMatch(t *testing.T) {
	m := httpx.NewMounts(map[string]httpx.Transport{"https://": named("secure"), "all://blocked.com": nil})
	c := httpx.NewClient(httpx.WithTransport(m))
	defer c.Close()
	for _, url := range []string{"http://example.com/", "https://blocked.com/"} {
		_, err := c.Get(ctx, url)
		assert.ErrorIs(t, err, httpx.ErrUnsupportedProtocol, url)
	}
}

func TestInvalidMountKeys(t *testing.T) {
	for _, key := range []string{"http", "example.com", "all://exa mple.com:port"} {
		m := httpx.NewMounts(map[string]httpx.Transport{key: named("x")})
		assert.ErrorIs(t, m.Err(), httpx.ErrUsage, key)
	}
}
