package proxy

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestFromEnviron(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want Env
	}{
		{"empty", nil, Env{}},
		{"upper case", map[string]string{
			"HTTP_PROXY": "http://h:1", "HTTPS_PROXY": "http://s:2", "ALL_PROXY": "socks5://a:3", "NO_PROXY": "localhost",
		}, Env{HTTPProxy: "http://h:1", HTTPSProxy: "http://s:2", AllProxy: "socks5://a:3", NoProxy: "localhost"}},
		{"lower case", map[string]string{
			"http_proxy": "http://h:1", "https_proxy": "http://s:2", "all_proxy": "socks5://a:3", "no_proxy": "localhost",
		}, Env{HTTPProxy: "http://h:1", HTTPSProxy: "http://s:2", AllProxy: "socks5://a:3", NoProxy: "localhost"}},
		{"lower case wins", map[string]string{
			"HTTP_PROXY": "http://upper", "http_proxy": "http://lower",
			"HTTPS_PROXY": "http://upper", "https_proxy": "http://lower",
			"ALL_PROXY": "http://upper", "all_proxy": "http://lower",
			"NO_PROXY": "upper.com", "no_proxy": "lower.com",
		}, Env{HTTPProxy: "http://lower", HTTPSProxy: "http://lower", AllProxy: "http://lower", NoProxy: "lower.com"}},
		{"empty values are ignored", map[string]string{
			"http_proxy": "", "HTTP_PROXY": "http://upper", "https_proxy": "", "no_proxy": "",
		}, Env{HTTPProxy: "http://upper"}},
		{"CGI ignores upper-case HTTP_PROXY", map[string]string{
			"REQUEST_METHOD": "GET", "HTTP_PROXY": "http://attacker", "HTTPS_PROXY": "http://s",
		}, Env{HTTPSProxy: "http://s", CGI: true}},
		{"CGI keeps lower-case http_proxy", map[string]string{
			"REQUEST_METHOD": "POST", "HTTP_PROXY": "http://attacker", "http_proxy": "http://mine",
		}, Env{HTTPProxy: "http://mine", CGI: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, FromEnviron(fakeEnv(tt.vars)))
		})
	}
}

func TestFromEnvironNilUsesProcessEnvironment(t *testing.T) {
	for _, k := range []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
		"no_proxy", "NO_PROXY", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
	t.Setenv("HTTPS_PROXY", "http://proxy:3128")
	t.Setenv("no_proxy", "example.com")
	assert.Equal(t, Env{HTTPSProxy: "http://proxy:3128", NoProxy: "example.com"}, FromEnviron(nil))
}

// routeKeys renders routes as "key=proxy" for compact comparison.
func routeKeys(rs []EnvRoute) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Pattern.String()+"="+r.ProxyURL)
	}
	return out
}

func TestRoutesProxies(t *testing.T) {
	rs, err := Env{
		HTTPProxy:  "http://h:3128",
		HTTPSProxy: "proxy.example:3128",
		AllProxy:   "socks5h://user:pw@s:1080",
	}.Routes()
	require.NoError(t, err)
	assert.Equal(t, []string{
		"http://=http://h:3128",
		"https://=http://proxy.example:3128", // "http://" prepended
		"all://=socks5h://user:pw@s:1080",
	}, routeKeys(rs))
}

func TestRoutesNoProxyForms(t *testing.T) {
	tests := []struct {
		item string
		key  string // the routing key the item becomes
		yes  []req  // requests that go direct
		no   []req  // requests that still use the proxy
	}{
		{"http://127.0.0.1", "http://127.0.0.1",
			[]req{{"http", "127.0.0.1", 80}, {"http", "127.0.0.1", 8080}},
			[]req{{"https", "127.0.0.1", 443}}},
		{"http://a.com:81", "http://a.com:81",
			[]req{{"http", "a.com", 81}},
			[]req{{"http", "a.com", 80}, {"http", "www.a.com", 81}}},
		{"127.0.0.1", "all://127.0.0.1",
			[]req{{"http", "127.0.0.1", 80}, {"https", "127.0.0.1", 8443}},
			[]req{{"http", "127.0.0.2", 80}, {"http", "localhost", 80}, {"http", "x.127.0.0.1", 80}}},
		{"192.168.0.0/16", "all://192.168.0.0/16",
			[]req{{"http", "192.168.0.0", 80}, {"http", "192.168.1.20", 80}, {"https", "192.168.255.255", 443}},
			[]req{{"http", "192.169.0.1", 80}, {"http", "10.0.0.1", 80}}},
		{"10.1.0.0/8", "all://10.1.0.0/8", // host bits are ignored when matching
			[]req{{"http", "10.200.3.4", 80}}, nil},
		{"::1", "all://[::1]",
			[]req{{"http", "::1", 80}, {"http", "0:0:0:0:0:0:0:1", 8080}},
			[]req{{"http", "::2", 80}, {"http", "127.0.0.1", 80}}},
		{"[::1]", "all://[::1]",
			[]req{{"http", "::1", 80}}, nil},
		{"fe80::/10", "all://[fe80::]/10",
			[]req{{"http", "fe80::1", 80}, {"http", "febf:ffff::1", 80}},
			[]req{{"http", "fec0::1", 80}, {"http", "::1", 80}}},
		{"[fe80::]/10", "all://[fe80::]/10",
			[]req{{"http", "fe80::1", 80}}, nil},
		{"fe11::/16", "all://[fe11::]/16",
			[]req{{"http", "fe11:1::", 80}}, []req{{"http", "fe12::", 80}}},
		{"localhost", "all://localhost",
			[]req{{"http", "localhost", 80}, {"http", "localhost", 8000}},
			[]req{{"http", "a.localhost", 80}, {"http", "127.0.0.1", 80}}},
		{"LocalHost", "all://LocalHost",
			[]req{{"http", "localhost", 80}}, nil},
		{"example.com", "all://*example.com",
			[]req{{"http", "example.com", 80}, {"https", "www.example.com", 443}, {"http", "a.b.example.com", 8080}},
			[]req{{"http", "wwwexample.com", 80}, {"http", "example.org", 80}}},
		{"Example.COM", "all://*Example.COM",
			[]req{{"http", "www.example.com", 80}}, nil},
		{".example.com", "all://*.example.com",
			[]req{{"http", "www.example.com", 80}},
			[]req{{"http", "example.com", 80}, {"http", "wwwexample.com", 80}}},
		{"*.example.com", "all://*.example.com", // curl style; HTTPX never matches it
			[]req{{"http", "www.example.com", 80}},
			[]req{{"http", "example.com", 80}}},
		{"*example.com", "all://*example.com",
			[]req{{"http", "example.com", 80}, {"http", "www.example.com", 80}}, nil},
		{"bücher.ch", "all://*bücher.ch",
			[]req{{"http", "xn--bcher-kva.ch", 80}, {"http", "www.xn--bcher-kva.ch", 80}}, nil},
		{"example.com:8080", "all://*example.com:8080",
			[]req{{"http", "example.com", 8080}, {"https", "www.example.com", 8080}},
			[]req{{"http", "example.com", 80}}},
		{"127.0.0.1:8080", "all://127.0.0.1:8080",
			[]req{{"http", "127.0.0.1", 8080}},
			[]req{{"http", "127.0.0.1", 80}, {"http", "x.127.0.0.1", 8080}}},
		{"localhost:3000", "all://localhost:3000",
			[]req{{"http", "localhost", 3000}},
			[]req{{"http", "localhost", 80}, {"http", "a.localhost", 3000}}},
		{"[::1]:8080", "all://[::1]:8080",
			[]req{{"http", "::1", 8080}},
			[]req{{"http", "::1", 80}}},
		{"10.0.0.0/8:8080", "all://10.0.0.0/8:8080",
			[]req{{"http", "10.1.1.1", 8080}},
			[]req{{"http", "10.1.1.1", 80}}},
		{"[fe80::]/10:443", "all://[fe80::]/10:443",
			[]req{{"https", "fe80::1", 443}},
			[]req{{"http", "fe80::1", 80}}},
		{":8080", "all://*:8080",
			[]req{{"http", "anything", 8080}},
			[]req{{"http", "anything", 80}}},
		{".example.com:443", "all://*.example.com:443",
			[]req{{"https", "www.example.com", 443}},
			[]req{{"https", "example.com", 443}, {"http", "www.example.com", 80}}},
	}
	for _, tt := range tests {
		t.Run(tt.item, func(t *testing.T) {
			rs, err := Env{AllProxy: "http://proxy:3128", NoProxy: tt.item}.Routes()
			require.NoError(t, err)
			require.Len(t, rs, 2)
			assert.Equal(t, tt.key, rs[1].Pattern.String())
			assert.Empty(t, rs[1].ProxyURL)

			var tb Table[string]
			for _, r := range rs {
				tb.AddPattern(r.Pattern, r.ProxyURL)
			}
			for _, r := range tt.yes {
				v, _ := tb.Lookup(r.scheme, r.host, r.port)
				assert.Empty(t, v, "%q should bypass the proxy for %+v", tt.item, r)
			}
			for _, r := range tt.no {
				v, _ := tb.Lookup(r.scheme, r.host, r.port)
				assert.Equal(t, "http://proxy:3128", v, "%q should not bypass the proxy for %+v", tt.item, r)
			}
		})
	}
}

func TestRoutesNoProxyList(t *testing.T) {
	rs, err := Env{
		HTTPProxy: "http://p:1",
		NoProxy:   " localhost , ,127.0.0.1,, .internal ,example.com,localhost",
	}.Routes()
	require.NoError(t, err)
	assert.Equal(t, []string{
		"http://=http://p:1",
		"all://localhost=", // the duplicate collapses into one entry
		"all://127.0.0.1=",
		"all://*.internal=",
		"all://*example.com=",
	}, routeKeys(rs))
}

func TestRoutesNoProxyKeyReplacesProxy(t *testing.T) {
	// HTTPX builds a dict, so NO_PROXY "http://" overrides HTTP_PROXY's entry.
	rs, err := Env{HTTPProxy: "http://p:1", HTTPSProxy: "http://p:2", NoProxy: "http://"}.Routes()
	require.NoError(t, err)
	assert.Equal(t, []string{"http://=", "https://=http://p:2"}, routeKeys(rs))
}

func TestRoutesStarDisablesEverything(t *testing.T) {
	for _, np := range []string{"*", " * ", "example.com,*", "*,bad host", "a.com, *, b.com"} {
		rs, err := Env{HTTPProxy: "http://p:1", HTTPSProxy: "ftp://bad", AllProxy: "http://p:3", NoProxy: np}.Routes()
		assert.NoError(t, err, np)
		assert.Empty(t, rs, np)
	}
	// "*" only counts as a whole item.
	rs, err := Env{HTTPProxy: "http://p:1", NoProxy: "*.example.com"}.Routes()
	require.NoError(t, err)
	assert.Len(t, rs, 2)
}

func TestRoutesEmpty(t *testing.T) {
	rs, err := Env{}.Routes()
	assert.NoError(t, err)
	assert.Empty(t, rs)
}

func TestRoutesLoopbackIsProxied(t *testing.T) {
	// Unlike Go's http.ProxyFromEnvironment, HTTPX proxies loopback hosts
	// unless NO_PROXY names them.
	rs, err := Env{HTTPProxy: "http://p:1"}.Routes()
	require.NoError(t, err)
	var tb Table[string]
	for _, r := range rs {
		tb.AddPattern(r.Pattern, r.ProxyURL)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		v, ok := tb.Lookup("http", h, 80)
		assert.True(t, ok, h)
		assert.Equal(t, "http://p:1", v, h)
	}
}

func TestRoutesErrors(t *testing.T) {
	rs, err := Env{
		HTTPProxy:  "ftp://p:1",
		HTTPSProxy: "http://user:secret@p:2",
		AllProxy:   "http://",
		NoProxy:    "good.com,bad host,[::1,fe80::1%eth0",
	}.Routes()
	require.Error(t, err)
	// Usable entries survive.
	assert.Equal(t, []string{"https://=http://user:secret@p:2", "all://*good.com="}, routeKeys(rs))
	assert.Equal(t, `HTTP_PROXY: proxy: Unknown scheme for proxy URL "ftp://p:1": "ftp" (want http, https, socks5 or socks5h)
ALL_PROXY: proxy: proxy URL "http://" has no host
NO_PROXY entry "bad host": proxy: invalid routing key "all://*bad host": invalid character ' ' in host "bad host"
NO_PROXY entry "[::1": proxy: invalid routing key "all://[::1": missing ']' after IPv6 address
NO_PROXY entry "fe80::1%eth0": proxy: invalid routing key "all://[fe80::1%eth0]": IPv6 zone in "fe80::1%eth0" is not supported`,
		err.Error())
	var pe *PatternError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "all://*bad host", pe.Key)
}

func TestValidateURL(t *testing.T) {
	tests := []struct {
		raw  string
		err  string
		host string
	}{
		{raw: "http://proxy:3128", host: "proxy:3128"},
		{raw: "https://proxy", host: "proxy"},
		{raw: "socks5://127.0.0.1:1080", host: "127.0.0.1:1080"},
		{raw: "socks5h://[::1]:1080", host: "[::1]:1080"},
		{raw: "HTTP://proxy", host: "proxy"},
		{raw: "http://user:pass@proxy:8080", host: "proxy:8080"},
		{raw: "ftp://proxy", err: `proxy: Unknown scheme for proxy URL "ftp://proxy": "ftp" (want http, https, socks5 or socks5h)`},
		{raw: "socks4://proxy", err: `proxy: Unknown scheme for proxy URL "socks4://proxy": "socks4" (want http, https, socks5 or socks5h)`},
		{raw: "proxy:3128", err: `proxy: proxy URL "proxy:3128" has no scheme; use a URL such as "http://host:3128"`},
		{raw: "user:pw@proxy:3128", err: `proxy: proxy URL "xxxxx@proxy:3128" has no scheme; use a URL such as "http://host:3128"`},
		{raw: "", err: `proxy: proxy URL "" has no scheme; use a URL such as "http://host:3128"`},
		{raw: "http://", err: `proxy: proxy URL "http://" has no host`},
		{raw: "http://:8080", err: `proxy: proxy URL "http://:8080" has no host`},
		{raw: "http://proxy:port", err: `proxy: invalid proxy URL "http://proxy:port": invalid port ":port" after host`},
		{raw: "http://user:secret@pro xy", err: `proxy: invalid proxy URL "http://xxxxx@pro xy": invalid character " " in host name`},
		{raw: "gopher://user:secret@p", err: `proxy: Unknown scheme for proxy URL "gopher://xxxxx@p": "gopher" (want http, https, socks5 or socks5h)`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := ValidateURL(tt.raw)
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				assert.Nil(t, u)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.host, u.Host)
		})
	}
}
