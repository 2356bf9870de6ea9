package auth

import (
	"errors"
	"testing"
)

// FuzzParseChallenge checks that hostile WWW-Authenticate values never
// panic, that every failure is a *ChallengeError, and that whatever parses
// survives a round trip: the Authorization header built from it quotes
// realm, nonce and opaque so that they parse back unchanged.
func FuzzParseChallenge(f *testing.F) {
	for _, s := range []string{
		`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
		`Digest qop=auth, realm="go-httpbin", algorithm=MD5, nonce=6f8a, opaque=c0ff`,
		`Digest realm="say \"hi\" \\ bye", nonce="n", userhash=true, stale=TRUE`,
		`Digest realm="r", nonce="n", stale`,
		`Digest realm="r, nonce=n`,
		`Digest realm="r"x, nonce="n"`,
		`Basic realm="x", Digest realm="r", nonce="n", qop=auth-int`,
		`Digest ,,, realm = r ,nonce= "n" ,`,
		"Digest \xff\xfe=\x00, nonce=n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if v, ok := FindChallenge([]string{header}); ok {
			_, _ = ParseChallenge(v)
		}
		ch, err := ParseChallenge(header)
		if err != nil {
			var ce *ChallengeError
			if !errors.As(err, &ce) || ch != nil {
				t.Fatalf("ParseChallenge(%q) = %v, %T %v; want nil, *ChallengeError", header, ch, err, err)
			}
			return
		}
		d, err := NewDigest("user", `pa"ss`, ch)
		if err != nil {
			if !errors.Is(err, ErrUnsupportedAlgorithm) && !errors.Is(err, ErrUnsupportedQOP) {
				t.Fatalf("NewDigest: unexpected error %v", err)
			}
			return
		}
		authz, err := d.Authorization("GET", "/p?q", []byte("body"))
		if err != nil {
			t.Fatalf("Authorization: %v", err)
		}
		back, err := ParseChallenge(authz)
		if err != nil {
			t.Fatalf("Authorization header %q does not parse back: %v", authz, err)
		}
		if back.Realm != ch.Realm || back.Nonce != ch.Nonce || back.Opaque != ch.Opaque {
			t.Fatalf("round trip changed values: %+v -> %+v (header %q)", ch, back, authz)
		}
	})
}

// FuzzNetRC checks that no .netrc content panics the parser and that every
// failure is a *NetRCError naming the file.
func FuzzNetRC(f *testing.F) {
	for _, s := range []string{
		"machine a login u password p\ndefault login x password y\n",
		"macdef init\ncd /\n\nmachine b login \"q u\" password \\\"x\n",
		"# comment\nmachine",
		"machine a password \"abc",
		"bogus",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := parseNetRC("fuzz.netrc", src)
		if err != nil {
			var ne *NetRCError
			if !errors.As(err, &ne) || ne.Path != "fuzz.netrc" || ne.Line < 1 || n != nil {
				t.Fatalf("parseNetRC(%q) = %v, %#v", src, n, err)
			}
			return
		}
		_, _, _ = n.Credentials("a")
	})
}
