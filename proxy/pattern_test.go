package proxy

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// req is a request URL split the way callers pass it to Matches and Lookup.
type req struct {
	scheme, host string
	port         int
}

func TestParsePatternErrors(t *testing.T) {
	tests := []struct {
		key    string
		reason string // exact PatternError.Reason
	}{
		{"http", `Proxy keys should use proper URL forms rather than plain scheme strings. Instead of "http", use "http://"`},
		{"all", `Proxy keys should use proper URL forms rather than plain scheme strings. Instead of "all", use "all://"`},
		{"http:", `missing "://"; use "http://"`},
		{"https:/", `missing "://"; use "https://"`},
		{"example.com", `missing "://"; keys look like "scheme://host[:port]", for example "all://example.com"`},
		{"example.com:8080", `missing "://"; keys look like "scheme://host[:port]", for example "all://example.com:8080"`},
		{"://example.com", `invalid scheme ""`},
		{"1http://x", `invalid scheme "1http"`},
		{"ht tp://x", `invalid scheme "ht tp"`},
		{"http://h:x", `invalid port "x": want a number from 1 to 65535`},
		{"http://h:0", `invalid port "0": want a number from 1 to 65535`},
		{"http://h:65536", `invalid port "65536": want a number from 1 to 65535`},
		{"http://h:-1", `invalid port "-1": want a number from 1 to 65535`},
		{"http://h:123456", `invalid port "123456": want a number from 1 to 65535`},
		{"all://*:x", `invalid port "x": want a number from 1 to 65535`},
		{"all://10.0.0.0/8:99999", `invalid port "99999": want a number from 1 to 65535`},
		{"http://user:pass@h", `user information is not allowed in a routing key`},
		{"all://ex ample.com", `invalid character ' ' in host "ex ample.com"`},
		{"all://a%62.com", `invalid character '%' in host "a%62.com"`},
		{"all://a..b", `empty label in host "a..b"`},
		{"all://.example.com", `host ".example.com" starts with '.'; use "*.example.com" to match subdomains`},
		{"all://*..example.com", `empty label in host "*..example.com"`},
		{"all://**.example.com", `'*' is only allowed at the start of the host, as in "*example.com" or "*.example.com"`},
		{"all://a*b.com", `'*' is only allowed at the start of the host, as in "*example.com" or "*.example.com"`},
		{"all://*.", `missing domain after "*."`},
		{"all://::1", `IPv6 addresses must be enclosed in brackets, as in "all://[::1]"`},
		{"all://fe80::/10", `IPv6 addresses must be enclosed in brackets, as in "all://[::1]"`},
		{"all://[::1", `missing ']' after IPv6 address`},
		{"all://[::1]x", `unexpected "x" after IPv6 address`},
		{"all://[example.com]", `invalid IPv6 address "example.com"`},
		{"all://[1.2.3.4]", `invalid IPv6 address "1.2.3.4"`},
		{"all://[fe80::1%25eth0]", `IPv6 zone in "fe80::1%25eth0" is not supported`},
		{"all://[fe80::1%eth0]", `IPv6 zone in "fe80::1%eth0" is not supported`},
		{"all://256.1.1.1", `invalid IPv4 address "256.1.1.1"`},
		{"all://01.2.3.4", `invalid IPv4 address "01.2.3.4"`},
		{"all://10.0.0.0/33", `invalid prefix length "33"`},
		{"all://[fe80::]/129", `invalid prefix length "129"`},
		{"all://xn--bücher.ch", `invalid IDNA hostname "xn--bücher.ch": idna: invalid label "bücher"`},
		{"all://\u00ad", `host "\u00ad" is empty after IDNA mapping`},
		{"all://*.\u00ad", `host "\u00ad" is empty after IDNA mapping`},
		{"all://a\u00a0b.com", `invalid IDNA hostname "a\u00a0b.com": idna: disallowed rune U+00A0`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := ParsePattern(tt.key)
			var pe *PatternError
			require.True(t, errors.As(err, &pe), "want *PatternError, got %v", err)
			assert.Equal(t, tt.key, pe.Key)
			assert.Equal(t, tt.reason, pe.Reason)
		})
	}
}

func TestPatternErrorMessage(t *testing.T) {
	_, err := ParsePattern("http")
	require.Error(t, err)
	assert.EqualError(t, err, `proxy: invalid routing key "http": Proxy keys should use proper URL forms `+
		`rather than plain scheme strings. Instead of "http", use "http://"`)
}

func TestPatternMatches(t *testing.T) {
	tests := []struct {
		key  string
		yes  []req
		no   []req
		note string
	}{
		{key: "", note: "the empty key matches everything",
			yes: []req{{"http", "example.com", 80}, {"file", "", 0}, {"custom", "x", 9}}},
		{key: "all://", note: "wildcard routing",
			yes: []req{{"http", "example.com", 80}, {"https", "a.b", 443}, {"ws", "h", 80}, {"file", "", 0}}},
		{key: "ALL://", yes: []req{{"https", "x", 443}}},
		{key: "all://*", yes: []req{{"https", "x", 443}, {"http", "::1", 80}}},
		{key: "http://", note: "scheme routing",
			yes: []req{{"http", "example.com", 80}, {"http", "example.com", 8080}},
			no:  []req{{"https", "example.com", 443}, {"ws", "example.com", 80}}},
		{key: "https://",
			yes: []req{{"https", "example.com", 443}},
			no:  []req{{"http", "example.com", 80}, {"wss", "example.com", 443}}},
		{key: "file://", note: "custom schemes need a mount of their own",
			yes: []req{{"file", "", 0}, {"file", "host", 0}},
			no:  []req{{"http", "", 80}}},
		{key: "HTTP://EXAMPLE.COM", yes: []req{{"http", "example.com", 80}}},
		{key: "all://example.com", note: "domain routing: exact host, any scheme",
			yes: []req{{"http", "example.com", 80}, {"https", "example.com", 443}, {"https", "example.com", 8443}},
			no:  []req{{"http", "www.example.com", 80}, {"http", "example.org", 80}, {"http", "wwwexample.com", 80}}},
		{key: "http://example.com",
			yes: []req{{"http", "example.com", 80}},
			no:  []req{{"https", "example.com", 443}, {"ws", "example.com", 80}}},
		{key: "all://*example.com", note: "the domain and its subdomains",
			yes: []req{{"http", "example.com", 80}, {"https", "www.example.com", 443}, {"http", "a.b.example.com", 80}},
			no:  []req{{"http", "wwwexample.com", 80}, {"http", "example.com.evil", 80}, {"http", "example.org", 80}}},
		{key: "all://*.example.com", note: "strict subdomains",
			yes: []req{{"http", "www.example.com", 80}, {"http", "a.b.example.com", 80}},
			no:  []req{{"http", "example.com", 80}, {"http", "wwwexample.com", 80}, {"http", ".example.com", 80}}},
		{key: "https://example.com:1234", note: "port routing",
			yes: []req{{"https", "example.com", 1234}},
			no:  []req{{"https", "example.com", 443}, {"http", "example.com", 1234}, {"https", "www.example.com", 1234}}},
		{key: "all://*:1234",
			yes: []req{{"http", "example.com", 1234}, {"https", "other.org", 1234}, {"ws", "::1", 1234}},
			no:  []req{{"http", "example.com", 80}, {"https", "example.com", 443}}},
		{key: "https://h:443", note: "effective ports: explicit default port restricts to it (HTTPX: any port)",
			yes: []req{{"https", "h", 443}, {"https", "h", 0}},
			no:  []req{{"https", "h", 8443}}},
		{key: "http://h:80",
			yes: []req{{"http", "h", 80}, {"http", "h", 0}},
			no:  []req{{"http", "h", 8080}}},
		{key: "all://*:443", note: "effective ports: default https port matches (HTTPX: no match)",
			yes: []req{{"https", "x", 443}, {"https", "x", 0}, {"wss", "x", 0}, {"http", "x", 443}},
			no:  []req{{"http", "x", 80}, {"file", "x", 0}}},
		{key: "http://example.com/path?q=1#f", note: "path, query and fragment are ignored",
			yes: []req{{"http", "example.com", 80}}},
		{key: "http://example.com:", note: "an empty port means any port",
			yes: []req{{"http", "example.com", 8080}}},
		{key: "all://localhost",
			yes: []req{{"http", "localhost", 80}, {"http", "LOCALHOST", 80}},
			no:  []req{{"http", "a.localhost", 80}}},
		{key: "all://127.0.0.1",
			yes: []req{{"http", "127.0.0.1", 80}, {"https", "127.0.0.1", 8443}, {"http", "::ffff:127.0.0.1", 80}},
			no:  []req{{"http", "127.0.0.2", 80}, {"http", "localhost", 80}}},
		{key: "all://[::1]", note: "IPv6 hosts are bracketed in keys and compared as addresses",
			yes: []req{{"http", "::1", 80}, {"http", "[::1]", 80}, {"http", "0:0:0:0:0:0:0:1", 80}},
			no:  []req{{"http", "::2", 80}, {"http", "127.0.0.1", 80}}},
		{key: "all://[::1]:8080",
			yes: []req{{"http", "::1", 8080}},
			no:  []req{{"http", "::1", 80}}},
		{key: "all://[::ffff:10.1.2.3]", yes: []req{{"http", "10.1.2.3", 80}}},
		{key: "all://10.0.0.0/8", note: "IPv4 prefix",
			yes: []req{{"http", "10.0.0.0", 80}, {"http", "10.255.1.2", 443}, {"http", "::ffff:10.9.9.9", 80}},
			no:  []req{{"http", "11.0.0.1", 80}, {"http", "example.com", 80}, {"http", "10.example", 80}}},
		{key: "all://10.1.2.3/8", note: "host bits are masked",
			yes: []req{{"http", "10.200.0.1", 80}}},
		{key: "all://10.0.0.0/8:8080",
			yes: []req{{"http", "10.1.1.1", 8080}},
			no:  []req{{"http", "10.1.1.1", 80}}},
		{key: "all://10.0.0.0/8/some/path", yes: []req{{"http", "10.1.1.1", 80}}},
		{key: "all://10.0.0.1/index.html", note: "a non-numeric path after an IP is just a path",
			yes: []req{{"http", "10.0.0.1", 80}},
			no:  []req{{"http", "10.0.0.2", 80}}},
		{key: "all://0.0.0.0/0",
			yes: []req{{"http", "1.2.3.4", 80}},
			no:  []req{{"http", "::1", 80}}},
		{key: "all://[fe80::]/10", note: "IPv6 prefix",
			yes: []req{{"http", "fe80::1", 80}, {"http", "febf::1", 80}, {"http", "fe80::1%eth0", 80}, {"http", "[fe80::2]", 80}},
			no:  []req{{"http", "fec0::1", 80}, {"http", "10.0.0.1", 80}}},
		{key: "all://[fe80::]/10:443", yes: []req{{"https", "fe80::1", 0}}, no: []req{{"http", "fe80::1", 0}}},
		{key: "all://bücher.ch", note: "IDNA hosts compare in punycode",
			yes: []req{{"http", "xn--bcher-kva.ch", 80}},
			no:  []req{{"http", "www.xn--bcher-kva.ch", 80}}},
		{key: "all://BÜCHER.ch", yes: []req{{"http", "xn--bcher-kva.ch", 80}}},
		{key: "all://xn--bcher-kva.ch", yes: []req{{"http", "xn--bcher-kva.ch", 80}}},
		{key: "all://*.bücher.ch",
			yes: []req{{"http", "www.xn--bcher-kva.ch", 80}},
			no:  []req{{"http", "xn--bcher-kva.ch", 80}}},
		{key: "all://*bücher.ch",
			yes: []req{{"http", "www.xn--bcher-kva.ch", 80}, {"http", "xn--bcher-kva.ch", 80}}},
		{key: "all://a_b.example", yes: []req{{"http", "a_b.example", 80}}},
		{key: "all://example.com.", note: "absolute names are compared as written",
			yes: []req{{"http", "example.com.", 80}},
			no:  []req{{"http", "example.com", 80}}},
		{key: "all://1.2.3", note: "not a dotted quad, so a name",
			yes: []req{{"http", "1.2.3", 80}}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			p, err := ParsePattern(tt.key)
			require.NoError(t, err)
			assert.Equal(t, tt.key, p.String())
			for _, r := range tt.yes {
				assert.True(t, p.Matches(r.scheme, r.host, r.port), "%s should match %+v (%s)", tt.key, r, tt.note)
			}
			for _, r := range tt.no {
				assert.False(t, p.Matches(r.scheme, r.host, r.port), "%s should not match %+v (%s)", tt.key, r, tt.note)
			}
		})
	}
}

func TestZeroPatternMatchesEverything(t *testing.T) {
	var p Pattern
	assert.True(t, p.Matches("https", "example.com", 443))
	assert.Equal(t, "", p.String())
	empty, err := ParsePattern("")
	require.NoError(t, err)
	assert.Equal(t, p, empty)
}

func TestPatternComparable(t *testing.T) {
	for _, key := range []string{"all://", "https://*.example.com:8443", "all://[fe80::]/10", "all://bücher.ch"} {
		a, err := ParsePattern(key)
		require.NoError(t, err)
		b, err := ParsePattern(key)
		require.NoError(t, err)
		assert.True(t, a == b, key)
	}
	a, _ := ParsePattern("http://h:80")
	b, _ := ParsePattern("HTTP://h:80")
	assert.False(t, a == b, "different keys are different patterns")
}

func TestDefaultPort(t *testing.T) {
	for scheme, want := range map[string]int{"http": 80, "ws": 80, "https": 443, "wss": 443, "HTTPS": 443, "file": 0, "": 0, "socks5": 0} {
		assert.Equal(t, want, DefaultPort(scheme), scheme)
	}
}

// TestPatternMismatch checks that Mismatch names the part of the URL that
// keeps a pattern from matching, and agrees with Matches.
func TestPatternMismatch(t *testing.T) {
	tests := []struct {
		key  string
		req  req
		want string
	}{
		{"https://api.example.com", req{"https", "api.example.com", 443}, ""},
		{"https://api.example.com", req{"http", "api.example.com", 80}, "scheme"},
		{"https://api.example.com", req{"https", "other.example.com", 443}, "host"},
		{"https://api.example.com:8443", req{"https", "api.example.com", 443}, "port"},
		{"https://api.example.com:8443", req{"http", "other.example.com", 80}, "scheme"},
		{"all://api.example.com:8443", req{"http", "other.example.com", 80}, "host"},
		{"all://*example.com", req{"http", "www.example.com", 80}, ""},
		{"all://*example.com", req{"http", "wwwexample.com", 80}, "host"},
		{"all://*:1234", req{"http", "x", 80}, "port"},
		{"all://[::1]", req{"http", "[::1]", 0}, ""},
		{"all://10.0.0.0/8", req{"http", "11.0.0.1", 0}, "host"},
		{"", req{"ftp", "x", 21}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+tt.req.scheme+"://"+tt.req.host, func(t *testing.T) {
			p, err := ParsePattern(tt.key)
			require.NoError(t, err)
			got := p.Mismatch(tt.req.scheme, tt.req.host, tt.req.port)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got == "", p.Matches(tt.req.scheme, tt.req.host, tt.req.port))
		})
	}
}
