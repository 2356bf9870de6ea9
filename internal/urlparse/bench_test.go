package urlparse

import "testing"

var benchSink URL

// BenchmarkParse measures a typical, already-normalised ASCII URL, the
// case every request pays for.
func BenchmarkParse(b *testing.B) {
	const s = "https://user:pass@www.example.com:8443/api/v1/items/42?sort=desc&limit=10#top"
	b.ReportAllocs()
	for b.Loop() {
		u, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = u
	}
}

// BenchmarkParseNeedsEncoding measures a URL whose host, path and query
// all need normalising.
func BenchmarkParseNeedsEncoding(b *testing.B) {
	const s = "HTTPS://WWW.Example.COM/a b/./c/../d?q=x y&z=ü#frag ment"
	b.ReportAllocs()
	for b.Loop() {
		u, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = u
	}
}

// BenchmarkString measures re-serialisation.
func BenchmarkString(b *testing.B) {
	u, err := Parse("https://user:pass@www.example.com:8443/api/v1/items/42?sort=desc&limit=10#top")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var s string
	for b.Loop() {
		s = u.String()
	}
	_ = s
}
