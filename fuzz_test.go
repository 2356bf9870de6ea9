package httpx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gohttpx/httpx"
)

// FuzzLinkHeader: any Link header parses without panicking, and every link
// has a "url" key.
func FuzzLinkHeader(f *testing.F) {
	for _, seed := range []string{
		`<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=5>; rel="last"`,
		`<a>; rel=next; title="x;y", <b>`,
		`<>; =; ;rel, <`, `"'<>`, `,,,<,<;;`, `<a>; a=b=c; rel=x`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		r := httpx.NewResponse(200, httpx.WithHeader("Link", value))
		for key, link := range r.Links() {
			if _, ok := link["url"]; !ok {
				t.Fatalf("link %q without url: %v", key, link)
			}
		}
	})
}

// FuzzHeaderValidation: a header either reaches the request intact, or the
// request fails with ErrLocalProtocol; nothing with CR, LF or NUL gets
// through.
func FuzzHeaderValidation(f *testing.F) {
	for _, seed := range [][2]string{{"X-Ok", "value"}, {"X-Bad", "a\r\nInjected: 1"}, {"Bad Name", "v"}, {"", ""}, {"X", "\x00"}, {"X", "tab\tok"}, {"X", "ünïcode"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		req, err := httpx.NewRequest("GET", "http://example.com/", httpx.WithHeader(name, value))
		if err != nil {
			if !errors.Is(err, httpx.ErrLocalProtocol) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if strings.ContainsAny(name, "\r\n\x00:") || strings.ContainsAny(value, "\r\n\x00") || name == "" {
			t.Fatalf("accepted header %q: %q", name, value)
		}
		if got := req.Headers.Values(name); len(got) != 1 || got[0] != value {
			t.Fatalf("header %q changed: %q", name, got)
		}
	})
}

// FuzzURL: parsing, joining and rebuilding never panic; errors are
// ErrInvalidURL; a parsed URL's string parses back to an equal URL.
func FuzzURL(f *testing.F) {
	for _, seed := range [][2]string{
		{"https://user:pass@example.com:8443/a/b?x=1#f", "../c?y=2"},
		{"http://[::1]:80/", "//other/x"},
		{"HTTP://faß.de/ü", "?q=a b"},
		{"", ""}, {"mailto:x@y", "z"}, {"http://a/b/c/d;p?q", "g;x=1/../y"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, raw, ref string) {
		u, err := httpx.ParseURL(raw)
		if err != nil {
			if !errors.Is(err, httpx.ErrInvalidURL) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		again, err := httpx.ParseURL(u.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", u, raw, err)
		}
		if !again.Equal(u) {
			t.Fatalf("round trip changed %q: %q -> %q", raw, u, again)
		}
		if j, err := u.Join(ref); err == nil {
			_ = j.String()
		} else if !errors.Is(err, httpx.ErrInvalidURL) {
			t.Fatalf("Join error kind: %v", err)
		}
		_ = u.Params().Encode()
		_ = u.CopyAddParam(ref, raw).String()
		if c, err := u.CopyWith(httpx.URLComponents{Path: ref}); err == nil {
			_ = c.String()
		}
	})
}
