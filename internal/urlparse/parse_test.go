package urlparse

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want URL
		str  string // expected String(); "" means same as in
	}{
		{in: "", want: URL{}},
		{in: "http://example.com", want: URL{Scheme: "http", Host: "example.com"}},
		{in: "http://example.com/", want: URL{Scheme: "http", Host: "example.com", Path: "/"}},
		{
			in:   "https://user:pass@www.example.com:8443/a/b?x=1&y=2#frag",
			want: URL{Scheme: "https", Userinfo: "user:pass", Host: "www.example.com", Port: 8443, HasPort: true, Path: "/a/b", Query: "x=1&y=2", HasQuery: true, Fragment: "frag", HasFragment: true},
		},
		// Case normalisation.
		{in: "HTTPS://EXAMPLE.COM/Path", want: URL{Scheme: "https", Host: "example.com", Path: "/Path"}, str: "https://example.com/Path"},
		{in: "hTtP://ExAmPlE.cOm", want: URL{Scheme: "http", Host: "example.com"}, str: "http://example.com"},
		// Default ports are dropped, whatever the case of the scheme.
		{in: "http://example.com:80/", want: URL{Scheme: "http", Host: "example.com", Path: "/"}, str: "http://example.com/"},
		{in: "https://example.com:443", want: URL{Scheme: "https", Host: "example.com"}, str: "https://example.com"},
		{in: "ws://h:80", want: URL{Scheme: "ws", Host: "h"}, str: "ws://h"},
		{in: "wss://h:443", want: URL{Scheme: "wss", Host: "h"}, str: "wss://h"},
		{in: "ftp://h:21", want: URL{Scheme: "ftp", Host: "h"}, str: "ftp://h"},
		{in: "http://h:443", want: URL{Scheme: "http", Host: "h", Port: 443, HasPort: true}},
		{in: "https://h:80", want: URL{Scheme: "https", Host: "h", Port: 80, HasPort: true}},
		{in: "foo://h:80", want: URL{Scheme: "foo", Host: "h", Port: 80, HasPort: true}},
		{in: "HTTP://h:80", want: URL{Scheme: "http", Host: "h"}, str: "http://h"},
		{in: "http://h:080", want: URL{Scheme: "http", Host: "h"}, str: "http://h"},
		{in: "http://h:0", want: URL{Scheme: "http", Host: "h", Port: 0, HasPort: true}},
		{in: "http://h:65535", want: URL{Scheme: "http", Host: "h", Port: 65535, HasPort: true}},
		{in: "http://h:/", want: URL{Scheme: "http", Host: "h", Path: "/"}, str: "http://h/"},
		{in: "//h:80/x", want: URL{Host: "h", Port: 80, HasPort: true, Path: "/x"}},
		{in: "http://:8080", want: URL{Scheme: "http", Port: 8080, HasPort: true}},
		{in: "http://:80/x", want: URL{Scheme: "http", Path: "/x"}, str: "http:/x"},
		// Empty query and fragment are kept; absent ones are not invented.
		{in: "http://h/p?", want: URL{Scheme: "http", Host: "h", Path: "/p", HasQuery: true}},
		{in: "http://h/p#", want: URL{Scheme: "http", Host: "h", Path: "/p", HasFragment: true}},
		{in: "http://h/p?#", want: URL{Scheme: "http", Host: "h", Path: "/p", HasQuery: true, HasFragment: true}},
		{in: "http://h?q", want: URL{Scheme: "http", Host: "h", Query: "q", HasQuery: true}},
		{in: "http://h#f", want: URL{Scheme: "http", Host: "h", Fragment: "f", HasFragment: true}},
		{in: "http://h/p#f?g#h", want: URL{Scheme: "http", Host: "h", Path: "/p", Fragment: "f?g#h", HasFragment: true}},
		{in: "http://h/p?a?b", want: URL{Scheme: "http", Host: "h", Path: "/p", Query: "a?b", HasQuery: true}},
		// Userinfo.
		{in: "http://user@h", want: URL{Scheme: "http", Userinfo: "user", Host: "h"}},
		{in: "http://user:@h", want: URL{Scheme: "http", Userinfo: "user:", Host: "h"}},
		{in: "http://:pw@h", want: URL{Scheme: "http", Userinfo: ":pw", Host: "h"}},
		{in: "http://@h", want: URL{Scheme: "http", Host: "h"}, str: "http://h"},
		{in: "http://a@b@c/", want: URL{Scheme: "http", Userinfo: "a%40b", Host: "c", Path: "/"}, str: "http://a%40b@c/"},
		{in: "http://us er:p@ss:w@h", want: URL{Scheme: "http", Userinfo: "us%20er:p%40ss:w", Host: "h"}, str: "http://us%20er:p%40ss:w@h"},
		{in: "http://jürgen:pässwörd@h", want: URL{Scheme: "http", Userinfo: "j%C3%BCrgen:p%C3%A4ssw%C3%B6rd", Host: "h"}, str: "http://j%C3%BCrgen:p%C3%A4ssw%C3%B6rd@h"},
		{in: "http://u%40x:p%3Aw@h", want: URL{Scheme: "http", Userinfo: "u%40x:p%3Aw", Host: "h"}},
		{in: "http://a;b=c[d]^|\\@h", want: URL{Scheme: "http", Userinfo: "a%3Bb%3Dc%5Bd%5D%5E%7C%5C", Host: "h"}, str: "http://a%3Bb%3Dc%5Bd%5D%5E%7C%5C@h"},
		{in: "http://u@/p", want: URL{Scheme: "http", Userinfo: "u", Path: "/p"}},
		// Path encoding and dot segments.
		{in: "http://h/a b", want: URL{Scheme: "http", Host: "h", Path: "/a%20b"}, str: "http://h/a%20b"},
		{in: "http://h/a%20b", want: URL{Scheme: "http", Host: "h", Path: "/a%20b"}},
		{in: "http://h/%zz%4", want: URL{Scheme: "http", Host: "h", Path: "/%zz%4"}},
		{in: "http://h/%e2%82%ac", want: URL{Scheme: "http", Host: "h", Path: "/%e2%82%ac"}},
		{in: "http://h/€", want: URL{Scheme: "http", Host: "h", Path: "/%E2%82%AC"}, str: "http://h/%E2%82%AC"},
		{in: "http://h/\"<>`{}|\\^[]", want: URL{Scheme: "http", Host: "h", Path: "/%22%3C%3E%60%7B%7D|\\^[]"}, str: "http://h/%22%3C%3E%60%7B%7D|\\^[]"},
		{in: "http://h/a/./b/../c", want: URL{Scheme: "http", Host: "h", Path: "/a/c"}, str: "http://h/a/c"},
		{in: "http://h/a/b/..", want: URL{Scheme: "http", Host: "h", Path: "/a/"}, str: "http://h/a/"},
		{in: "http://h/a/b/.", want: URL{Scheme: "http", Host: "h", Path: "/a/b/"}, str: "http://h/a/b/"},
		{in: "http://h/..", want: URL{Scheme: "http", Host: "h", Path: "/"}, str: "http://h/"},
		{in: "http://h/../../a", want: URL{Scheme: "http", Host: "h", Path: "/a"}, str: "http://h/a"},
		{in: "http://h/a/.../b/.x/..y", want: URL{Scheme: "http", Host: "h", Path: "/a/.../b/.x/..y"}},
		{in: "http://h/a/%2E%2E/b", want: URL{Scheme: "http", Host: "h", Path: "/a/%2E%2E/b"}},
		{in: "http://h//a//b", want: URL{Scheme: "http", Host: "h", Path: "//a//b"}},
		{in: "http://h/a?b/../c", want: URL{Scheme: "http", Host: "h", Path: "/a", Query: "b/../c", HasQuery: true}},
		// Query and fragment safe sets.
		{in: "http://h/?a b=\"c\"&<d>`{}|", want: URL{Scheme: "http", Host: "h", Path: "/", Query: "a%20b=%22c%22&%3Cd%3E`{}|", HasQuery: true}, str: "http://h/?a%20b=%22c%22&%3Cd%3E`{}|"},
		{in: "http://h/?q=ü&x=%C3%BC", want: URL{Scheme: "http", Host: "h", Path: "/", Query: "q=%C3%BC&x=%C3%BC", HasQuery: true}, str: "http://h/?q=%C3%BC&x=%C3%BC"},
		{in: "http://h/?a=1+2&b=/?:@", want: URL{Scheme: "http", Host: "h", Path: "/", Query: "a=1+2&b=/?:@", HasQuery: true}},
		{in: "http://h/#a b\"<>`{}#?", want: URL{Scheme: "http", Host: "h", Path: "/", Fragment: "a%20b%22%3C%3E%60{}#?", HasFragment: true}, str: "http://h/#a%20b%22%3C%3E%60{}#?"},
		// Scheme handling, including HTTPX's reading of "host:port".
		{in: "localhost:8000", want: URL{Scheme: "localhost", Path: "8000"}},
		{in: "localhost:8000/x/../y", want: URL{Scheme: "localhost", Path: "8000/y"}, str: "localhost:8000/y"},
		{in: "mailto:user@example.com", want: URL{Scheme: "mailto", Path: "user@example.com"}},
		{in: "urn:isbn:0451450523", want: URL{Scheme: "urn", Path: "isbn:0451450523"}},
		{in: "svn+ssh.x-y://h", want: URL{Scheme: "svn+ssh.x-y", Host: "h"}},
		{in: "http:", want: URL{Scheme: "http"}},
		{in: "http://", want: URL{Scheme: "http"}, str: "http:"},
		{in: "http:/x", want: URL{Scheme: "http", Path: "/x"}},
		{in: "http:x", want: URL{Scheme: "http", Path: "x"}},
		{in: "http:////a", want: URL{Scheme: "http", Path: "/.//a"}, str: "http:/.//a"},
		{in: "x:/a/..//b", want: URL{Scheme: "x", Path: "/.//b"}, str: "x:/.//b"},
		{in: "x:/.//b", want: URL{Scheme: "x", Path: "/.//b"}},
		// Relative references keep dot segments.
		{in: "/a/./b/../c", want: URL{Path: "/a/./b/../c"}},
		{in: "../a", want: URL{Path: "../a"}},
		{in: "a b/c", want: URL{Path: "a%20b/c"}, str: "a%20b/c"},
		{in: "1a:b", want: URL{Path: "1a:b"}},
		{in: "a/b:c", want: URL{Path: "a/b:c"}},
		{in: "./a:b", want: URL{Path: "./a:b"}},
		{in: "?q", want: URL{Query: "q", HasQuery: true}},
		{in: "#f", want: URL{Fragment: "f", HasFragment: true}},
		{in: "//", want: URL{}, str: ""},
		{in: "///a", want: URL{Path: "/a"}, str: "/a"},
		{in: "//h", want: URL{Host: "h"}},
		{in: "//h/a/../b", want: URL{Host: "h", Path: "/b"}, str: "//h/b"},
		// Hosts (see TestEncodeHost for more).
		{in: "http://faß.de/", want: URL{Scheme: "http", Host: "xn--fa-hia.de", Path: "/"}, str: "http://xn--fa-hia.de/"},
		{in: "http://[::1]:8080/", want: URL{Scheme: "http", Host: "::1", Port: 8080, HasPort: true, Path: "/"}},
		{in: "http://[FE80::1%25eth0]/", want: URL{Scheme: "http", Host: "fe80::1%25eth0", Path: "/"}, str: "http://[fe80::1%25eth0]/"},
		{in: "http://127.0.0.1:8000", want: URL{Scheme: "http", Host: "127.0.0.1", Port: 8000, HasPort: true}},
		{in: "http://exam le.com", want: URL{Scheme: "http", Host: "exam%20le.com"}, str: "http://exam%20le.com"},
		// Non-ASCII printable characters are not controls.
		{in: "http://h/\u00a0\u0085", want: URL{Scheme: "http", Host: "h", Path: "/%C2%A0%C2%85"}, str: "http://h/%C2%A0%C2%85"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			wantStr := tt.str
			if wantStr == "" {
				wantStr = tt.in
			}
			if tt.in == "//" {
				wantStr = ""
			}
			assert.Equal(t, wantStr, got.String())
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h:abc", "Invalid port: 'abc'"},
		{"http://h:80:90/", "Invalid port: '80:90'"},
		{"http://h:-1", "Invalid port: '-1'"},
		{"http://h:+80", "Invalid port: '+80'"},
		{"http://h: 80", "Invalid port: ' 80'"},
		{"http://h:65536", "Invalid port: '65536'"},
		{"http://h:99999999999999999999", "Invalid port: '99999999999999999999'"},
		{"http://h:8'0", "Invalid port: \"8'0\""},
		{"http://h:\\", "Invalid port: '\\\\'"},
		{"http://[::1]x/", "Invalid IPv6 address: '[::1]x'"},
		{"http://[::1/", "Invalid port: ':1'"},
		{"http://[::g]/", "Invalid IPv6 address: '[::g]'"},
		{"http://[1.2.3.4]/", "Invalid IPv6 address: '[1.2.3.4]'"},
		{"http://[]/", "Invalid IPv6 address: '[]'"},
		{"http://[fe80::1%25%]/", "Invalid IPv6 address: '[fe80::1%25%]'"},
		{"http://[fe80::1%]/", "Invalid IPv6 address: '[fe80::1%]'"},
		{"http://[fe80::1%25e th]/", "Invalid IPv6 address: '[fe80::1%25e th]'"},
		{"http://999.999.999.999/", "Invalid IPv4 address: '999.999.999.999'"},
		{"http://1.2.3.256/", "Invalid IPv4 address: '1.2.3.256'"},
		{"http://01.2.3.4/", "Invalid IPv4 address: '01.2.3.4'"},
		{"http://☃.com", "Invalid IDNA hostname: '☃.com'"},
		{"http://😀.example/", "Invalid IDNA hostname: '😀.example'"},
		{"http://xn--abc.de", "Invalid IDNA hostname: 'xn--abc.de'"},
		{"http://xn--/", "Invalid IDNA hostname: 'xn--'"},
		{"http://a_b.ü.de", "Invalid IDNA hostname: 'a_b.ü.de'"},
		{"http://h/\n", "Invalid non-printable ASCII character in URL, '\\n' at position 9."},
		{"http://h/a\tb", "Invalid non-printable ASCII character in URL, '\\t' at position 10."},
		{"\rhttp://h/", "Invalid non-printable ASCII character in URL, '\\r' at position 0."},
		{"http://h/\x00", "Invalid non-printable ASCII character in URL, '\\x00' at position 9."},
		{"http://h/\x7f", "Invalid non-printable ASCII character in URL, '\\x7f' at position 9."},
		{"http://h/\x1b[0m", "Invalid non-printable ASCII character in URL, '\\x1b' at position 9."},
		{"http://ü/ä\n", "Invalid non-printable ASCII character in URL, '\\n' at position 10."},
		{"http://h/ \x0b", "Invalid non-printable ASCII character in URL, '\\x0b' at position 10."},
		{"////a", "Relative URLs cannot have a path starting with '//'"},
		{":x", "Relative URLs cannot have a path starting with ':'"},
		{"://h/x", "Relative URLs cannot have a path starting with ':'"},
		{"http://h/" + strings.Repeat("a", 65536), "URL too long"},
		{strings.Repeat("ü", 65537), "URL too long"},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			got, err := Parse(tt.in)
			require.Error(t, err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.want, e.Reason)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, URL{}, got)
		})
	}
}

func TestParseLengthLimitCountsCodePoints(t *testing.T) {
	// 65536 code points is the limit, whatever their UTF-8 length.
	s := strings.Repeat("ü", 65536)
	u, err := Parse(s)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("%C3%BC", 65536), u.Path)
	_, err = Parse(s + "a")
	assert.EqualError(t, err, "URL too long")
}

func TestAccessors(t *testing.T) {
	tests := []struct {
		in                                      string
		netloc, rawPath, displayHost, user, pwd string
		path, fragment                          string
		absolute                                bool
	}{
		{"http://example.com", "example.com", "/", "example.com", "", "", "/", "", true},
		{"https://u%40x:p%3Aw%20d@h:8443/a%20b?q=1#f%20g", "h:8443", "/a%20b?q=1", "h", "u@x", "p:w d", "/a b", "f g", true},
		{"http://h/p?", "h", "/p?", "h", "", "", "/p", "", true},
		{"http://h?", "h", "/?", "h", "", "", "/", "", true},
		{"http://u:a:b@h", "h", "/", "h", "u", "a:b", "/", "", true},
		{"http://[::1]:8080/x", "[::1]:8080", "/x", "::1", "", "", "/x", "", true},
		{"http://[fe80::1%25eth0]/", "[fe80::1%25eth0]", "/", "fe80::1%25eth0", "", "", "/", "", true},
		{"http://xn--fa-hia.de/", "xn--fa-hia.de", "/", "faß.de", "", "", "/", "", true},
		{"http://faß.de/", "xn--fa-hia.de", "/", "faß.de", "", "", "/", "", true},
		{"http://www.xn--fa-hia.de/", "www.xn--fa-hia.de", "/", "www.xn--fa-hia.de", "", "", "/", "", true},
		{"http://xn--n3h.com/", "xn--n3h.com", "/", "xn--n3h.com", "", "", "/", "", true},
		{"/a/b?c", "", "/a/b?c", "", "", "", "/a/b", "", false},
		{"//h/x", "h", "/x", "h", "", "", "/x", "", false},
		{"http:/x", "", "/x", "", "", "", "/x", "", false},
		{"http://h/%zz%e2%82%ac#%41", "h", "/%zz%e2%82%ac", "h", "", "", "/%zz€", "A", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := Parse(tt.in)
			if tt.in == "http://xn--n3h.com/" {
				// '☃' is not valid IDNA 2008, so its punycode form is refused too.
				require.EqualError(t, err, "Invalid IDNA hostname: 'xn--n3h.com'")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.netloc, u.Netloc(), "Netloc")
			assert.Equal(t, tt.rawPath, u.RawPath(), "RawPath")
			assert.Equal(t, tt.displayHost, u.DisplayHost(), "DisplayHost")
			assert.Equal(t, tt.user, u.Username(), "Username")
			assert.Equal(t, tt.pwd, u.Password(), "Password")
			assert.Equal(t, tt.path, u.DecodedPath(), "DecodedPath")
			assert.Equal(t, tt.fragment, u.DecodedFragment(), "DecodedFragment")
			assert.Equal(t, tt.absolute, u.IsAbsolute(), "IsAbsolute")
		})
	}
}

func TestDisplayHostOfHandBuiltURL(t *testing.T) {
	// Invalid punycode can only appear in a hand-built URL; it is shown as is.
	assert.Equal(t, "xn--abc", URL{Host: "xn--abc"}.DisplayHost())
}

func TestStringGuardsHandBuiltPaths(t *testing.T) {
	tests := []struct {
		u    URL
		want string
	}{
		{URL{Scheme: "x", Path: "//a"}, "x:/.//a"},
		{URL{Path: "//a"}, "/.//a"},
		{URL{Path: "a:b"}, "./a:b"},
		{URL{Path: ":b"}, "./:b"},
		{URL{Path: "1a:b"}, "1a:b"},
		{URL{Scheme: "x", Path: "a:b"}, "x:a:b"},
		{URL{Host: "h", Path: "//a"}, "//h//a"},
		{URL{Scheme: "http", Host: "::1", HasPort: true, Port: 0}, "http://[::1]:0"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.u.String())
	}
}

func TestDefaultPort(t *testing.T) {
	tests := map[string]int{"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "HTTP": 0, "gopher": 0, "": 0}
	for scheme, want := range tests {
		assert.Equal(t, want, DefaultPort(scheme), scheme)
	}
}

func TestRemoveDotSegments(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/", "/"},
		{"/a/b/c/./../../g", "/a/g"},
		{"mid/content=5/../6", "mid/6"},
		{"/a/b/..", "/a/"},
		{"/a/b/.", "/a/b/"},
		{"/..", "/"},
		{"/.", "/"},
		{".", ""},
		{"..", ""},
		{"../a", "a"},
		{"./a", "a"},
		{"a/..", "/"},
		{"/a/..//b", "//b"},
		{"/a/.b/..c/...", "/a/.b/..c/..."},
		{"/./././", "/"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, removeDotSegments(tt.in), tt.in)
	}
}

func TestErrorType(t *testing.T) {
	var err error = &Error{Reason: "URL too long"}
	assert.Equal(t, "URL too long", err.Error())
}

func TestPyRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "'abc'"},
		{"a'b", `"a'b"`},
		{`a'b"c`, `'a\'b"c'`},
		{`a\b`, `'a\\b'`},
		{"\t\n\r\x00\x7f", `'\t\n\r\x00\x7f'`},
		{"☃", "'☃'"},
		{"\u00a0\u00ad", `'\xa0\xad'`},
		{"\u200b", `'\u200b'`},
		{"\U000e0001", `'\U000e0001'`},
		{"\xff", `'\xff'`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, pyRepr(tt.in), tt.in)
	}
}

func TestParseAllocations(t *testing.T) {
	for _, s := range []string{
		"https://www.example.com/static/app.min.js?v=1.2.3",
		"https://user:pass@api.example.com:8443/v1/items/42?sort=desc&limit=10#top",
		"http://127.0.0.1:8000/",
		"http://[::1]:8080/x",
		"/relative/path.txt?x=y",
	} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := Parse(s); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, s)
	}
}
