package auth

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseChallenge(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   Challenge
	}{
		{"RFC 7616 example",
			`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
			Challenge{Realm: "http-auth@example.org", Nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", Opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
				Algorithm: "SHA-256", QOP: []string{"auth", "auth-int"}}},
		{"go-httpbin style unquoted",
			`Digest qop=auth, realm="go-httpbin", algorithm=MD5, nonce=6f8a, opaque=c0ff`,
			Challenge{Realm: "go-httpbin", Nonce: "6f8a", Opaque: "c0ff", Algorithm: "MD5", QOP: []string{"auth"}}},
		{"minimal, no qop", `Digest realm="r", nonce="n"`, Challenge{Realm: "r", Nonce: "n"}},
		{"scheme case-insensitive", `DIGEST realm="r", nonce="n"`, Challenge{Realm: "r", Nonce: "n"}},
		{"parameter names case-insensitive", `Digest Realm="r", NONCE="n", QoP=auth`, Challenge{Realm: "r", Nonce: "n", QOP: []string{"auth"}}},
		{"commas inside quotes", `Digest realm="a, b", nonce="x,y"`, Challenge{Realm: "a, b", Nonce: "x,y"}},
		{"backslash escapes", `Digest realm="say \"hi\" \\ bye", nonce="n"`, Challenge{Realm: `say "hi" \ bye`, Nonce: "n"}},
		{"whitespace around =", `Digest realm = "r" ,nonce= n , qop ="auth,auth-int"`, Challenge{Realm: "r", Nonce: "n", QOP: []string{"auth", "auth-int"}}},
		{"empty list elements", `Digest , realm="r",, nonce="n",`, Challenge{Realm: "r", Nonce: "n"}},
		{"empty values", `Digest realm="", nonce=""`, Challenge{}},
		{"last duplicate wins", `Digest realm="a", realm="b", nonce="n"`, Challenge{Realm: "b", Nonce: "n"}},
		{"unknown params ignored", `Digest realm="r", nonce="n", foo="bar", baz=1`, Challenge{Realm: "r", Nonce: "n"}},
		{"empty qop kept", `Digest realm="r", nonce="n", qop=""`, Challenge{Realm: "r", Nonce: "n", QOP: []string{""}}},
		{"stale domain charset userhash",
			`Digest realm="r", nonce="n", stale=TRUE, domain="/a /b", charset=UTF-8, userhash=true`,
			Challenge{Realm: "r", Nonce: "n", Stale: true, Domain: "/a /b", Charset: "UTF-8", UserHash: true}},
		{"stale false", `Digest realm="r", nonce="n", stale=false, userhash="false"`, Challenge{Realm: "r", Nonce: "n"}},
		{"non-ASCII realm", "Digest realm=\"r\u00e9alm\", nonce=\"n\"", Challenge{Realm: "r\u00e9alm", Nonce: "n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseChallenge(tt.header)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestParseChallengeMalformed(t *testing.T) {
	tests := []struct {
		name, header, detail string
	}{
		{"empty", ``, "not a Digest challenge"},
		{"scheme only", `Digest`, "not a Digest challenge"},
		{"other scheme", `Basic realm="r"`, "not a Digest challenge"},
		{"no space after scheme", `Digest,realm="r"`, "not a Digest challenge"},
		{"nothing after scheme", `Digest `, `missing "realm"`},
		{"missing nonce", `Digest realm="r"`, `missing "nonce"`},
		{"missing realm", `Digest nonce="n"`, `missing "realm"`},
		{"bare token", `Digest realm="r", nonce="n", stale`, `parameter "stale" has no value`},
		{"bare token first", `Digest realm`, `parameter "realm" has no value`},
		{"unterminated quote", `Digest realm="r, nonce=n`, "unterminated quoted string"},
		{"unterminated at end", `Digest realm="r", nonce="n`, "unterminated quoted string"},
		{"trailing backslash", `Digest realm="r", nonce="n\`, "unterminated quoted string"},
		{"text after quoted value", `Digest realm="r"x, nonce="n"`, `unexpected text after quoted value of "realm"`},
		{"stray quote", `Digest realm=a"b", nonce="n"`, `stray quote in value of "realm"`},
		{"missing name", `Digest ="r", nonce="n"`, `invalid parameter name in "=\"r\""`},
		{"space in name", `Digest my realm="r", nonce="n"`, `parameter "my" has no value`},
		{"second challenge", `Digest realm="r", nonce="n", Basic realm="x"`, `parameter "Basic" has no value`},
		{"garbage bytes", "Digest \xff\xfe=\x00, nonce=n", `invalid parameter name in "\xff\xfe=\x00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseChallenge(tt.header)
			assert.Nil(t, got)
			var ce *ChallengeError
			require.True(t, errors.As(err, &ce), "want *ChallengeError, got %T %v", err, err)
			assert.Equal(t, tt.detail, ce.Detail)
			assert.Equal(t, "Malformed Digest WWW-Authenticate header: "+tt.detail, err.Error())
		})
	}
}

func TestChallengeErrorDetailIsBounded(t *testing.T) {
	long := make([]byte, 10000)
	for i := range long {
		long[i] = '@'
	}
	_, err := ParseChallenge("Digest " + string(long) + "=x")
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200)
}

func TestFindChallenge(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
		ok     bool
	}{
		{"none", nil, "", false},
		{"basic only", []string{`Basic realm="x"`}, "", false},
		{"digest alone", []string{`Digest realm="r", nonce="n"`}, `Digest realm="r", nonce="n"`, true},
		{"lower-case scheme", []string{`digest realm="r", nonce="n"`}, `digest realm="r", nonce="n"`, true},
		{"separate headers, first digest wins",
			[]string{`Basic realm="x"`, `Digest realm="a", nonce="1"`, `Digest realm="b", nonce="2"`},
			`Digest realm="a", nonce="1"`, true},
		{"joined after basic", []string{`Basic realm="x", Digest realm="r", nonce="n", qop="auth,auth-int"`},
			`Digest realm="r", nonce="n", qop="auth,auth-int"`, true},
		{"joined before basic", []string{`Digest realm="r, Basic x", nonce="n", Basic realm="x"`},
			`Digest realm="r, Basic x", nonce="n"`, true},
		{"joined with bearer and token68", []string{`Bearer abc==, Digest realm = "r", nonce=n, Negotiate`},
			`Digest realm = "r", nonce=n`, true},
		{"param named digest is not a scheme", []string{`Basic digest="x", realm="y"`}, "", false},
		{"scheme without params ignored like HTTPX", []string{`Digest`, `Digest realm="r", nonce="n"`}, `Digest realm="r", nonce="n"`, true},
		{"unterminated quote passed through", []string{`Digest realm="r, nonce=n`}, `Digest realm="r, nonce=n`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FindChallenge(tt.values)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFindThenParse(t *testing.T) {
	v, ok := FindChallenge([]string{`Newauth realm="apps", type=1, title="Login to \"apps\"", Digest realm="r", nonce="n", algorithm=SHA-256, qop=auth`})
	require.True(t, ok)
	ch, err := ParseChallenge(v)
	require.NoError(t, err)
	assert.Equal(t, Challenge{Realm: "r", Nonce: "n", Algorithm: "SHA-256", QOP: []string{"auth"}}, *ch)
}
