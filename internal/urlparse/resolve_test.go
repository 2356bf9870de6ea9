package urlparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolveRFC3986 uses the examples of RFC 3986 section 5.4 (normal
// and abnormal) with the RFC's base URI; "http:g" follows the
// backward-compatible reading, as Python's urljoin does.
func TestResolveRFC3986(t *testing.T) {
	base, err := Parse("http://a/b/c/d;p?q")
	require.NoError(t, err)
	tests := []struct{ ref, want string }{
		// 5.4.1 normal examples
		{"g:h", "g:h"},
		{"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"},
		{"//g", "http://g"},
		{"?y", "http://a/b/c/d;p?y"},
		{"g?y", "http://a/b/c/g?y"},
		{"#s", "http://a/b/c/d;p?q#s"},
		{"g#s", "http://a/b/c/g#s"},
		{"g?y#s", "http://a/b/c/g?y#s"},
		{";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"},
		{"g;x?y#s", "http://a/b/c/g;x?y#s"},
		{"", "http://a/b/c/d;p?q"},
		{".", "http://a/b/c/"},
		{"./", "http://a/b/c/"},
		{"..", "http://a/b/"},
		{"../", "http://a/b/"},
		{"../g", "http://a/b/g"},
		{"../..", "http://a/"},
		{"../../", "http://a/"},
		{"../../g", "http://a/g"},
		// 5.4.2 abnormal examples
		{"../../../g", "http://a/g"},
		{"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"},
		{"/../g", "http://a/g"},
		{"g.", "http://a/b/c/g."},
		{".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."},
		{"..g", "http://a/b/c/..g"},
		{"./../g", "http://a/b/g"},
		{"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"},
		{"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"},
		{"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g#s/./x"},
		{"g#s/../x", "http://a/b/c/g#s/../x"},
		{"http:g", "http://a/b/c/g"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := base.Resolve(tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
			again, err := Parse(got.String())
			require.NoError(t, err)
			assert.Equal(t, again, got, "result must be in Parse's canonical form")
		})
	}
}

func TestResolveOther(t *testing.T) {
	tests := []struct {
		name, base, ref, want string
	}{
		{"absolute ref replaces base", "http://a/b", "https://example.com/x?y#z", "https://example.com/x?y#z"},
		{"absolute ref normalised", "http://a/b", "HTTPS://Example.COM:443/x/../y", "https://example.com/y"},
		{"base without path", "http://a", "g", "http://a/g"},
		{"base without path, query only", "http://a", "?x", "http://a?x"},
		{"fragment replaced", "http://a/b#f", "#g", "http://a/b#g"},
		{"fragment dropped", "http://a/b#f", "c", "http://a/c"},
		{"empty ref drops fragment", "http://a/b?q#f", "", "http://a/b?q"},
		{"base port kept", "http://a:8080/b/c", "../d", "http://a:8080/d"},
		{"network-path ref keeps base scheme", "https://a/b", "//c:444/d/./e", "https://c:444/d/e"},
		{"network-path ref default port", "https://a/b", "//c:443/d", "https://c/d"},
		{"ref is encoded", "http://a/b/", "c d?e f#g h", "http://a/b/c%20d?e%20f#g%20h"},
		{"base userinfo kept", "http://u:p@a/b/c", "d", "http://u:p@a/b/d"},
		{"other scheme ref", "http://a/b", "mailto:x@y", "mailto:x@y"},
		{"same scheme with authority", "http://a/b", "http://c", "http://c"},
		{"non-http schemes resolve too", "foo://a/b/c", "../d", "foo://a/d"},
		{"base without authority", "x:/a/b", "..//c", "x:/.//c"},
		{"relative base", "a/b", "c", "a/c"},
		{"relative base, scheme-like result", "b", "./c:d", "./c:d"},
		{"idna in ref", "http://a/", "//faß.de/x", "http://xn--fa-hia.de/x"},
		{"ipv6 base", "http://[::1]:8080/a/b", "c", "http://[::1]:8080/a/c"},
		{"dot segments beyond root", "http://a/b", "../../../x", "http://a/x"},
		{"trailing dot-dot keeps slash", "http://a/b/c/d", "e/..", "http://a/b/c/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, err := Parse(tt.base)
			require.NoError(t, err)
			got, err := base.Resolve(tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestResolveErrors(t *testing.T) {
	base, err := Parse("http://a/b")
	require.NoError(t, err)
	tests := []struct{ ref, want string }{
		{"http://h:x/", "Invalid port: 'x'"},
		{"//☃.com/", "Invalid IDNA hostname: '☃.com'"},
		{"a\tb", "Invalid non-printable ASCII character in URL, '\\t' at position 1."},
		{"////x", "Relative URLs cannot have a path starting with '//'"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			_, err := base.Resolve(tt.ref)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}
