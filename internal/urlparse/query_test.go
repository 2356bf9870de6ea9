package urlparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want []Pair
	}{
		{"", nil},
		{"&", nil},
		{"&&;", []Pair{{";", ""}}},
		{"a=1&b=2", []Pair{{"a", "1"}, {"b", "2"}}},
		{"a", []Pair{{"a", ""}}},
		{"a=", []Pair{{"a", ""}}},
		{"=b", []Pair{{"", "b"}}},
		{"a=1&&b=2&", []Pair{{"a", "1"}, {"b", "2"}}},
		{"a=1;b=2", []Pair{{"a", "1;b=2"}}},
		{"a+b=c+d", []Pair{{"a b", "c d"}}},
		{"a=%20%2B", []Pair{{"a", " +"}}},
		{"a=%zz", []Pair{{"a", "%zz"}}},
		{"k=%C3%BC", []Pair{{"k", "ü"}}},
		{"a=b=c", []Pair{{"a", "b=c"}}},
		{"a==", []Pair{{"a", "="}}},
		{"%41=%42&x", []Pair{{"A", "B"}, {"x", ""}}},
		{"a=1&b=2&a=3", []Pair{{"a", "1"}, {"b", "2"}, {"a", "3"}}},
		{"q=ü", []Pair{{"q", "ü"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, ParseQuery(tt.in))
		})
	}
}

func TestEncodeQuery(t *testing.T) {
	tests := []struct {
		name  string
		pairs []Pair
		want  string
	}{
		{"none", nil, ""},
		{"simple", []Pair{{"a", "1"}, {"b", "2"}}, "a=1&b=2"},
		{"space and slash", []Pair{{"a", "x y"}, {"c", "/~"}}, "a=x+y&c=%2F~"},
		{"empty value", []Pair{{"a", ""}}, "a="},
		{"empty key", []Pair{{"", "v"}}, "=v"},
		{"repeated", []Pair{{"a", "1"}, {"a", "2"}}, "a=1&a=2"},
		{"utf-8", []Pair{{"ü", "€"}}, "%C3%BC=%E2%82%AC"},
		{"delimiters", []Pair{{"&=+%", "a+b"}}, "%26%3D%2B%25=a%2Bb"},
		{"printable ascii", []Pair{{"k", printableASCII}}, "k=+%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, EncodeQuery(tt.pairs))
		})
	}
}

func TestQueryRoundTrip(t *testing.T) {
	tests := [][]Pair{
		{{"a", "1"}, {"b", "2"}},
		{{"a b", "c d"}, {"e+f", "g&h=i"}},
		{{"", ""}, {"x", ""}},
		{{"ü", "€ 😀"}, {"%41", "100%"}},
		{{"k", printableASCII}},
	}
	for _, pairs := range tests {
		encoded := EncodeQuery(pairs)
		assert.Equal(t, pairs, ParseQuery(encoded), encoded)
		// A form-encoded query is already normalised for a URL.
		assert.Equal(t, encoded, QuoteQuery(encoded))
	}
}
