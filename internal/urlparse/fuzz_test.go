package urlparse

import (
	"errors"
	"testing"
)

var fuzzSeeds = []string{
	"",
	"http://example.com",
	"https://user:pass@www.example.com:8443/path/to/res?query=value&a=b#frag",
	"HTTP://EXAMPLE.COM:80/",
	"http://faß.de/straße?ä=ö#ü",
	"http://[fe80::1%25eth0]:8080/x",
	"http://[::ffff:1.2.3.4]/",
	"http://999.999.999.999/",
	"localhost:8000",
	"//host/path",
	"../a/./b?c#d",
	"x:/a/..//b",
	"http:////a",
	"http://a@b@c:0/%zz%41%",
	"http://exam le.com/a b",
	"http://xn--fa-hia.de/",
	"mailto:user@example.com",
	"?q",
	"#f",
	"http://h/p?",
	"http://h:/",
	"http://:8080",
	"http://u@/p",
	"a/b:c",
	"http://h/a/b/..",
	"http://ａ．ｂ/",
	"http://ΟΔΟΣ.gr/",
	"http://İ.tr/",
	"http://①.②.③.④/",
	"http://%C3%BC.DE/",
	"HTTPS://[::1]:443/",
}

// FuzzParse checks that Parse never panics, that its errors are *Error,
// and that the canonical String form parses back to the same URL.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) returned %T, want *Error", s, err)
			}
			return
		}
		out := u.String()
		if tooLong(out) {
			return // percent-encoding can push a long URL over the limit
		}
		v, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String()=%q) failed: %v", s, out, err)
		}
		want := u
		if v != want {
			t.Fatalf("round trip changed the URL:\n in:  %q\n out: %q\n got  %#v\n want %#v", s, out, v, want)
		}
		if again := v.String(); again != out && want == u {
			t.Fatalf("String not stable: %q then %q", out, again)
		}
		_ = u.Netloc()
		_ = u.RawPath()
		_ = u.DisplayHost()
		_ = u.Username()
		_ = u.Password()
		_ = u.DecodedPath()
		_ = u.DecodedFragment()
	})
}

// FuzzResolve checks that Resolve never panics and that its results are
// in canonical form.
func FuzzResolve(f *testing.F) {
	f.Add("http://a/b/c/d;p?q", "../g")
	f.Add("http://a/b/c/d;p?q", "http:g")
	f.Add("x:/a", "..//b")
	f.Add("a", "./c:d")
	f.Fuzz(func(t *testing.T, base, ref string) {
		b, err := Parse(base)
		if err != nil {
			return
		}
		u, err := b.Resolve(ref)
		if err != nil {
			return
		}
		out := u.String()
		if tooLong(out) {
			return
		}
		v, err := Parse(out)
		if err != nil {
			t.Fatalf("Resolve(%q, %q) = %q does not parse: %v", base, ref, out, err)
		}
		want := u
		if v != want {
			t.Fatalf("Resolve(%q, %q) not canonical: %#v vs %#v", base, ref, u, v)
		}
	})
}
