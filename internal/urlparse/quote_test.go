package urlparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// printableASCII is every printable ASCII character, space to '~'.
const printableASCII = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

func TestQuoteSafeSets(t *testing.T) {
	tests := []struct {
		name  string
		quote func(string) string
		want  string
	}{
		{"path", QuotePath, "%20!%22%23$%&'()*+,-./0123456789:;%3C=%3E%3F@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_%60abcdefghijklmnopqrstuvwxyz%7B|%7D~"},
		{"query", QuoteQuery, "%20!%22%23$%&'()*+,-./0123456789:;%3C=%3E?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"},
		{"fragment", QuoteFragment, "%20!%22#$%&'()*+,-./0123456789:;%3C=%3E?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_%60abcdefghijklmnopqrstuvwxyz{|}~"},
		{"userinfo part", QuoteUserinfoPart, "%20!%22%23$%&'()*+,-.%2F0123456789%3A%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~"},
		{"userinfo", quoteUserinfo, "%20!%22%23$%&'()*+,-.%2F0123456789:%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.quote(printableASCII))
			assert.Equal(t, tt.want, tt.quote(tt.want), "quoting must be idempotent")
			assert.Equal(t, printableASCII, Unquote(tt.want))
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
		quote          func(string) string
	}{
		{"empty", "", "", QuotePath},
		{"unchanged", "/a/b-c_d.e~f", "/a/b-c_d.e~f", QuotePath},
		{"escapes kept", "/a%20b%2Fc%2f", "/a%20b%2Fc%2f", QuotePath},
		{"lone percent kept", "/100%", "/100%", QuotePath},
		{"bad escape kept", "/%zz%4g%", "/%zz%4g%", QuotePath},
		{"escape then space", "%41 %42", "%41%20%42", QuotePath},
		{"utf-8", "/ü€😀", "/%C3%BC%E2%82%AC%F0%9F%98%80", QuotePath},
		{"controls", "\x00\t\n\x7f", "%00%09%0A%7F", QuotePath},
		{"invalid utf-8 bytes", "\xff\xfe", "%FF%FE", QuotePath},
		{"query keeps structure", "a=1&b=x/y?z", "a=1&b=x/y?z", QuoteQuery},
		{"query encodes hash", "a=#1", "a=%231", QuoteQuery},
		{"fragment keeps hash", "a#b", "a#b", QuoteFragment},
		{"user with colon", "us:er", "us%3Aer", QuoteUserinfoPart},
		{"user with at", "me@example.com", "me%40example.com", QuoteUserinfoPart},
		{"password unicode", "pässwörd", "p%C3%A4ssw%C3%B6rd", QuoteUserinfoPart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.quote(tt.in))
		})
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"a%20b", "a b"},
		{"%41%42%43", "ABC"},
		{"%c3%bc%C3%BC", "üü"},
		{"a+b", "a+b"},
		{"%", "%"},
		{"%4", "%4"},
		{"%zz%4g", "%zz%4g"},
		{"%%41", "%A"},
		{"%2541", "%41"},
		{"%ff", "\xff"},
		{"100%", "100%"},
		{"%E2%82", "\xe2\x82"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Unquote(tt.in), tt.in)
	}
}

func TestQuoteDoesNotAllocateWhenClean(t *testing.T) {
	s := "/api/v1/items/42"
	allocs := testing.AllocsPerRun(100, func() { _ = QuotePath(s) })
	assert.Zero(t, allocs)
	allocs = testing.AllocsPerRun(100, func() { _ = Unquote(s) })
	assert.Zero(t, allocs)
}
