package urlparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodeHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"example.com", "example.com"},
		{"EXAMPLE.Com", "example.com"},
		{"my_host.local", "my_host.local"},
		{"exam le.com", "exam%20le.com"},
		{"a<b>c[d]e^f", "a%3Cb%3Ec%5Bd%5De%5Ef"},
		{"a!$&'()*+,;=b", "a!$&'()*+,;=b"},
		{"a\"`{}|\\%b", "a\"`{}|\\%b"},
		{"EXAM%2aLE%7E", "exam%2Ale%7E"},
		{"%zz", "%zz"},
		{"[abc", "%5Babc"},
		{"localhost.", "localhost."},
		// IPv4: four dotted digit groups must be an address; others are names.
		{"127.0.0.1", "127.0.0.1"},
		{"0.0.0.0", "0.0.0.0"},
		{"255.255.255.255", "255.255.255.255"},
		{"1.2.3", "1.2.3"},
		{"1.2.3.4.5", "1.2.3.4.5"},
		{"1.2.3.4.", "1.2.3.4."},
		{"1.2.3.x", "1.2.3.x"},
		{"1a2b3c4", "1a2b3c4"},
		// IPv6 literals lose their brackets; the address is lower-cased.
		{"[::1]", "::1"},
		{"[2001:DB8::A]", "2001:db8::a"},
		{"[0:0:0:0:0:0:0:1]", "0:0:0:0:0:0:0:1"},
		{"[::ffff:192.0.2.1]", "::ffff:192.0.2.1"},
		{"[FE80::1%25Eth0]", "fe80::1%25Eth0"},
		{"[fe80::1%eth0]", "fe80::1%eth0"},
		{"[fe80::1%25en%31]", "fe80::1%25en%31"},
		// IDNA 2008 (non-transitional) for non-ASCII names.
		{"faß.de", "xn--fa-hia.de"},
		{"FASS.de", "fass.de"},
		{"bücher.de", "xn--bcher-kva.de"},
		{"BÜCHER.DE", "xn--bcher-kva.de"},
		{"münchen.de.", "xn--mnchen-3ya.de."},
		{"www.例え.jp", "www.xn--r8jz45g.jp"},
		{"ｅｘａｍｐｌｅ.ü", "example.xn--tda"},
		{"１.２.３.４", "1.2.3.4"},
		{"①.②.③.④", "1.2.3.4"},
		{"ａ．ｂ", "a.b"},
		{"ｘｎ--fa-hia.de", "xn--fa-hia.de"},
		{"ΣΊΣΥΦΟΣ.gr", "xn--kxa6akbbkh.gr"},
		{"ΣΊΣΥΦΟΣ", "xn--kxa6ajbbmh"},
		{"ΟΔΟΣ.gr", "xn--pxavbq.gr"},
		{"ΟΔΟΣ-a.gr", "xn---a-k9b7bbs.gr"},
		{"İ.tr", "xn--i-9bb.tr"},
		{"ẞ.de", "xn--zca.de"},
		{"é.com", "xn--9ca.com"},
		// Hosts that are already punycode are validated and kept.
		{"xn--fa-hia.de", "xn--fa-hia.de"},
		{"XN--FA-HIA.DE", "xn--fa-hia.de"},
		{"www.xn--bcher-kva.de", "www.xn--bcher-kva.de"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := encodeHost(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := encodeHost(bracketHost(got))
			require.NoError(t, err, "encoded host must be accepted again")
			assert.Equal(t, got, again, "encoding must be idempotent")
		})
	}
}

func TestEncodeHostErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"999.999.999.999", "Invalid IPv4 address: '999.999.999.999'"},
		{"256.0.0.1", "Invalid IPv4 address: '256.0.0.1'"},
		{"1.2.3.04", "Invalid IPv4 address: '1.2.3.04'"},
		{"[::1", "Invalid IPv6 address: '[::1'"}, // not bracketed at the end: kept by the name path below
		{"[::1:]", "Invalid IPv6 address: '[::1:]'"},
		{"[127.0.0.1]", "Invalid IPv6 address: '[127.0.0.1]'"},
		{"[v1.fe]", "Invalid IPv6 address: '[v1.fe]'"},
		{"[::1%25a/b]", "Invalid IPv6 address: '[::1%25a/b]'"},
		{"[::1%25a%b]", "Invalid IPv6 address: '[::1%25a%b]'"},
		{"☃.com", "Invalid IDNA hostname: '☃.com'"},
		{"😀.com", "Invalid IDNA hostname: '😀.com'"},
		{"a.♥.com", "Invalid IDNA hostname: 'a.♥.com'"},
		{"ü ber.de", "Invalid IDNA hostname: 'ü ber.de'"},
		{"-ü.de", "Invalid IDNA hostname: '-ü.de'"},
		{"ü%41.de", "Invalid IDNA hostname: 'ü%41.de'"},
		{"ü\u200d.de", "Invalid IDNA hostname: 'ü\\u200d.de'"},
		{"ü.xn--abc", "Invalid IDNA hostname: 'ü.xn--abc'"},
		{"９９９.1.1.1", "Invalid IDNA hostname: '９９９.1.1.1'"},
		{"\xff.de", "Invalid IDNA hostname: '\\xff.de'"},
		{"xn--abc.de", "Invalid IDNA hostname: 'xn--abc.de'"},
		{"xn--", "Invalid IDNA hostname: 'xn--'"},
		{"xn--n3h.com", "Invalid IDNA hostname: 'xn--n3h.com'"},
		{"a.xn--zz.de", "Invalid IDNA hostname: 'a.xn--zz.de'"},
		{"xn--Fa-hia.de", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := encodeHost(tt.in)
			switch tt.in {
			case "[::1":
				// Without a closing bracket this is a (strange) name.
				require.NoError(t, err)
				assert.Equal(t, "%5B%3A%3A1", got)
				return
			case "xn--Fa-hia.de":
				// Punycode labels are compared after lower-casing.
				require.NoError(t, err)
				assert.Equal(t, "xn--fa-hia.de", got)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestIDNA2008Rune(t *testing.T) {
	allowed := []rune{'ß', 'ς', 'é', 'я', '例', 'ء', '٣', '\u0301', '\u200c', '\u200d', '\u00b7', '\u3007', '\u30fb'}
	for _, r := range allowed {
		assert.True(t, idna2008Rune(r), "%U", r)
	}
	disallowed := []rune{'☃', '♥', '😀', '€', '\u0640', '\u3031', '\u20d0', '\U0001d165', '\u1100', '\u2168'}
	for _, r := range disallowed {
		assert.False(t, idna2008Rune(r), "%U", r)
	}
}
