package proxy

import (
	"errors"
	"net/netip"
	"testing"
)

var patternSeeds = []string{
	"", "all://", "http://", "https://example.com:1234", "all://*example.com", "all://*.example.com",
	"all://*:1234", "http://h:80", "all://[::1]", "all://[::1]:8080", "all://10.0.0.0/8", "all://10.0.0.0/8:80/x",
	"all://[fe80::]/10", "all://bücher.ch", "all://*.bücher.ch", "http", "http:/", "all://a..b", "all://[::1",
	"all://256.1.1.1", "all://u@h", "all://h:0", "file://", "all://10.0.0.1/index.html", "all://[fe80::1%eth0]",
	"all://xn--bcher-kva.ch", "all://example.com.", "all://*", "all://\u00ad", "all://．example.com",
}

// representative returns a request the pattern must match, derived from the
// parsed fields, which catches normalisation that parsing and matching
// disagree about.
func representative(p Pattern) (scheme, host string, port int) {
	scheme = p.scheme
	if scheme == "" {
		scheme = "http"
	}
	port = p.port
	switch p.kind {
	case hostExact, hostSuffix:
		host = p.host
	case hostSubdomain:
		host = "x." + p.host
	case hostIP:
		host = p.addr.String()
	case hostPrefix:
		host = p.prefix.Addr().String()
	default:
		host = "any.example"
	}
	return scheme, host, port
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range patternSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		p, err := ParsePattern(key)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) || pe.Key != key || pe.Reason == "" {
				t.Fatalf("ParsePattern(%q): error %v is not a *PatternError for the key", key, err)
			}
			return
		}
		if p.String() != key {
			t.Fatalf("ParsePattern(%q).String() = %q", key, p.String())
		}
		q, err := ParsePattern(p.String())
		if err != nil || q != p {
			t.Fatalf("ParsePattern(%q) does not round-trip: %v", key, err)
		}
		scheme, host, port := representative(p)
		if !p.Matches(scheme, host, port) {
			t.Fatalf("ParsePattern(%q) does not match its own request %s://%s:%d", key, scheme, host, port)
		}
		var tb Table[int]
		tb.AddPattern(p, 1)
		if v, ok := tb.Lookup(scheme, host, port); !ok || v != 1 {
			t.Fatalf("Table lookup disagrees with Matches for %q", key)
		}
		p.Matches("http", key, 80)
	})
}

func FuzzNoProxy(f *testing.F) {
	for _, s := range []string{
		"*", "localhost,127.0.0.1,::1", "192.168.0.0/16,fe80::/10,[fe80::]/10", ".example.com,*.example.com",
		"example.com:8080,[::1]:8080,10.0.0.0/8:8080", "http://a.com:81", " , ,", "[::1", "bad host",
		"fe80::1%eth0", ":8080", "*:80", "bücher.ch",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, noProxy string) {
		rs, err := Env{HTTPProxy: "http://p:1", NoProxy: noProxy}.Routes()
		if err == nil && len(rs) == 0 && noProxy == "" {
			t.Fatal("HTTP_PROXY lost")
		}
		var tb Table[string]
		seen := map[string]bool{}
		for i, r := range rs {
			key := r.Pattern.String()
			if seen[key] {
				t.Fatalf("duplicate key %q", key)
			}
			seen[key] = true
			if i > 0 && r.ProxyURL != "" && key != "http://" {
				t.Fatalf("NO_PROXY entry %q has proxy %q", key, r.ProxyURL)
			}
			q, err := ParsePattern(key)
			if err != nil || q != r.Pattern {
				t.Fatalf("route key %q does not round-trip: %v", key, err)
			}
			tb.AddPattern(r.Pattern, r.ProxyURL)
		}
		tb.Lookup("http", "example.com", 80)
		tb.Lookup("http", "10.1.2.3", 0)
		tb.Lookup("https", "fe80::1", 443)
	})
}

// FuzzParseIP checks the allocation-free address parser used by Lookup
// against netip.ParseAddr.
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.0.0.1", "01.2.3.4", "1.2.3", "1.2.3.4.5",
		"::1", "fe80::1%eth0", "::ffff:1.2.3.4", "example.com", "1password.com", "", ".", "1..2.3", "fe80::1%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		want := netip.Addr{}
		if a, err := netip.ParseAddr(host); err == nil {
			want = a.WithZone("")
		}
		if got := parseIP(host); got != want {
			t.Fatalf("parseIP(%q) = %v, want %v", host, got, want)
		}
	})
}
