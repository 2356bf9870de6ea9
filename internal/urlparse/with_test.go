package urlparse

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestWith(t *testing.T) {
	tests := []struct {
		name string
		base string
		c    Components
		want string
	}{
		{"no change", "https://u:p@h:8443/a?q#f", Components{}, "https://u:p@h:8443/a?q#f"},
		{"scheme", "http://h/a", Components{Scheme: ptr("https")}, "https://h/a"},
		{"scheme upper-case", "http://h/a", Components{Scheme: ptr("WSS")}, "wss://h/a"},
		{"scheme change drops now-default port", "http://h:443/", Components{Scheme: ptr("https")}, "https://h/"},
		{"scheme removed", "http://h/a", Components{Scheme: ptr("")}, "//h/a"},
		{"username only clears password", "http://u:p@h/", Components{Username: ptr("me")}, "http://me@h/"},
		{"password only clears username", "http://u:p@h/", Components{Password: ptr("pw")}, "http://:pw@h/"},
		{"username and password encoded", "http://h/", Components{Username: ptr("a:b@c"), Password: ptr("d:e f")}, "http://a%3Ab%40c:d%3Ae%20f@h/"},
		{"unicode credentials", "http://h/", Components{Username: ptr("jürgen"), Password: ptr("€")}, "http://j%C3%BCrgen:%E2%82%AC@h/"},
		{"control chars in credentials are encoded", "http://h/", Components{Username: ptr("a\nb")}, "http://a%0Ab@h/"},
		{"empty username and password remove userinfo", "http://u:p@h/", Components{Username: ptr(""), Password: ptr("")}, "http://h/"},
		{"username beats userinfo", "http://h/", Components{Username: ptr("x"), Userinfo: ptr("y:z")}, "http://x@h/"},
		{"userinfo", "http://h/", Components{Userinfo: ptr("us er:pa:ss")}, "http://us%20er:pa:ss@h/"},
		{"host", "http://h:8080/a", Components{Host: ptr("Example.COM")}, "http://example.com:8080/a"},
		{"host idna", "http://h/", Components{Host: ptr("faß.de")}, "http://xn--fa-hia.de/"},
		{"host ipv6 unbracketed", "http://h:8080/", Components{Host: ptr("::1")}, "http://[::1]:8080/"},
		{"host ipv6 bracketed", "http://h/", Components{Host: ptr("[2001:DB8::1]")}, "http://[2001:db8::1]/"},
		{"host with delimiters", "http://h/", Components{Host: ptr("a/b?c#d@e")}, "http://a%2Fb%3Fc%23d%40e/"},
		{"host removed", "http://h/a", Components{Host: ptr("")}, "http:/a"},
		{"host added to relative", "/a", Components{Host: ptr("h")}, "//h/a"},
		{"port", "http://h/", Components{Port: ptr(8080)}, "http://h:8080/"},
		{"default port", "http://h:8080/", Components{Port: ptr(80)}, "http://h/"},
		{"port zero", "http://h/", Components{Port: ptr(0)}, "http://h:0/"},
		{"clear port", "http://h:8080/", Components{ClearPort: true}, "http://h/"},
		{"port beats clear", "http://h:8080/", Components{Port: ptr(9090), ClearPort: true}, "http://h:9090/"},
		{"netloc", "http://u@h:1/a", Components{Netloc: ptr("Other:2")}, "http://u@other:2/a"},
		{"netloc without port", "http://h:1/a", Components{Netloc: ptr("other")}, "http://other/a"},
		{"netloc ipv6", "http://h/", Components{Netloc: ptr("[::1]:8080")}, "http://[::1]:8080/"},
		{"netloc ipv6 no port", "http://h:1/", Components{Netloc: ptr("[::1]")}, "http://[::1]/"},
		{"netloc beats host and port", "http://h/", Components{Netloc: ptr("n:3"), Host: ptr("x"), Port: ptr(4)}, "http://n:3/"},
		{"path", "http://h/a?q", Components{Path: ptr("/b c/./d/../e")}, "http://h/b%20c/e?q"},
		{"path keeps escapes", "http://h/", Components{Path: ptr("/a%2Fb")}, "http://h/a%2Fb"},
		{"empty path", "http://h/a", Components{Path: ptr("")}, "http://h"},
		{"relative path stays relative", "a/b", Components{Path: ptr("../c/./d")}, "../c/./d"},
		{"scheme-only path", "mailto:a@b", Components{Path: ptr("c@d")}, "mailto:c@d"},
		{"raw path", "http://h/a?q#f", Components{RawPath: ptr("/b?x y")}, "http://h/b?x%20y#f"},
		{"raw path empty query", "http://h/a", Components{RawPath: ptr("/b?")}, "http://h/b?"},
		{"raw path without query removes it", "http://h/a?q", Components{RawPath: ptr("/b")}, "http://h/b"},
		{"raw path beats path and query", "http://h/", Components{RawPath: ptr("/r?1"), Path: ptr("/p"), Query: ptr("2")}, "http://h/r?1"},
		{"query", "http://h/a", Components{Query: ptr("a=1 2&b=/")}, "http://h/a?a=1%202&b=/"},
		{"empty query kept", "http://h/a", Components{Query: ptr("")}, "http://h/a?"},
		{"clear query", "http://h/a?q", Components{ClearQuery: true}, "http://h/a"},
		{"fragment", "http://h/a", Components{Fragment: ptr("x y#z")}, "http://h/a#x%20y#z"},
		{"empty fragment kept", "http://h/a", Components{Fragment: ptr("")}, "http://h/a#"},
		{"clear fragment", "http://h/a#f", Components{ClearFragment: true}, "http://h/a"},
		{"upper-case scheme drops default port", "http://h/", Components{Scheme: ptr("HTTP"), Port: ptr(80)}, "http://h/"},
		{"build from nothing", "", Components{Scheme: ptr("https"), Host: ptr("h"), Path: ptr("/p"), Query: ptr("q")}, "https://h/p?q"},
		{"ipv6 zone survives rebuild", "http://[fe80::1%25eth0]:8080/", Components{Path: ptr("/x")}, "http://[fe80::1%25eth0]:8080/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, err := Parse(tt.base)
			require.NoError(t, err)
			got, err := base.With(tt.c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
			if !(tt.c.Scheme != nil && *tt.c.Scheme == "HTTP") {
				again, err := Parse(got.String())
				require.NoError(t, err)
				assert.Equal(t, again, got, "With must give Parse's canonical form")
			}
		})
	}
}

func TestWithErrors(t *testing.T) {
	tests := []struct {
		name string
		base string
		c    Components
		want string
	}{
		{"host on relative path", "a/b", Components{Host: ptr("h")}, "For absolute URLs, path must be empty or begin with '/'"},
		{"relative path on absolute", "http://h/", Components{Path: ptr("a")}, "For absolute URLs, path must be empty or begin with '/'"},
		{"relative double slash", "", Components{Path: ptr("//a")}, "Relative URLs cannot have a path starting with '//'"},
		{"relative colon", "", Components{Path: ptr(":a")}, "Relative URLs cannot have a path starting with ':'"},
		{"relative scheme-like", "", Components{Path: ptr("a:b")}, "Relative URLs cannot have a first path segment that looks like a scheme"},
		{"scheme-only with double slash", "x:/a", Components{Path: ptr("//a")}, ""},
		{"bad scheme", "http://h/", Components{Scheme: ptr("1http")}, "Invalid URL component 'scheme'"},
		{"bad scheme chars", "http://h/", Components{Scheme: ptr("ht tp")}, "Invalid URL component 'scheme'"},
		{"path with query", "http://h/", Components{Path: ptr("/a?b")}, "Invalid URL component 'path'"},
		{"path with fragment", "http://h/", Components{Path: ptr("/a#b")}, "Invalid URL component 'path'"},
		{"query with fragment", "http://h/", Components{Query: ptr("a#b")}, "Invalid URL component 'query'"},
		{"raw path with fragment", "http://h/", Components{RawPath: ptr("/a?b#c")}, "Invalid URL component 'query'"},
		{"userinfo with at", "http://h/", Components{Userinfo: ptr("a@b")}, "Invalid URL component 'userinfo'"},
		{"control in path", "http://h/", Components{Path: ptr("/a\nb")}, "Invalid non-printable ASCII character in URL path component, '\\n' at position 2."},
		{"control in host", "http://h/", Components{Host: ptr("a\tb")}, "Invalid non-printable ASCII character in URL host component, '\\t' at position 1."},
		{"control in fragment", "http://h/", Components{Fragment: ptr("\x7f")}, "Invalid non-printable ASCII character in URL fragment component, '\\x7f' at position 0."},
		{"control in scheme", "http://h/", Components{Scheme: ptr("h\rttp")}, "Invalid non-printable ASCII character in URL scheme component, '\\r' at position 1."},
		{"control in userinfo", "http://h/", Components{Userinfo: ptr("\x00")}, "Invalid non-printable ASCII character in URL userinfo component, '\\x00' at position 0."},
		{"control in query", "http://h/", Components{Query: ptr("ü\n")}, "Invalid non-printable ASCII character in URL query component, '\\n' at position 1."},
		{"control in netloc port", "http://h/", Components{Netloc: ptr("h:8\n")}, "Invalid non-printable ASCII character in URL port component, '\\n' at position 1."},
		{"negative port", "http://h/", Components{Port: ptr(-1)}, "Invalid port: '-1'"},
		{"port too big", "http://h/", Components{Port: ptr(65536)}, "Invalid port: '65536'"},
		{"netloc bad port", "http://h/", Components{Netloc: ptr("h:x")}, "Invalid port: 'x'"},
		{"netloc junk after ipv6", "http://h/", Components{Netloc: ptr("[::1]x")}, "Invalid IPv6 address: '[::1]x'"},
		{"netloc unbracketed ipv6", "http://h/", Components{Netloc: ptr("::1")}, "Invalid port: ':1'"},
		{"bad ipv6 host", "http://h/", Components{Host: ptr("::g")}, "Invalid IPv6 address: '[::g]'"},
		{"bad ipv4 host", "http://h/", Components{Host: ptr("1.2.3.999")}, "Invalid IPv4 address: '1.2.3.999'"},
		{"bad idna host", "http://h/", Components{Host: ptr("☃.com")}, "Invalid IDNA hostname: '☃.com'"},
		{"path too long", "http://h/", Components{Path: ptr("/" + strings.Repeat("a", 65536))}, "URL component 'path' too long"},
		{"query too long", "http://h/", Components{Query: ptr(strings.Repeat("a", 65537))}, "URL component 'query' too long"},
		{"username too long", "http://h/", Components{Username: ptr(strings.Repeat(" ", 30000))}, "URL component 'userinfo' too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, err := Parse(tt.base)
			require.NoError(t, err)
			got, err := base.With(tt.c)
			if tt.want == "" {
				// A scheme-only URL may get a "//" path; String guards it.
				require.NoError(t, err)
				assert.Equal(t, "x:/.//a", got.String())
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			var e *Error
			assert.ErrorAs(t, err, &e)
		})
	}
}
