// Package auth holds the protocol mechanics behind httpx's DigestAuth and
// NetRCAuth: parsing Digest challenges, computing Authorization header values,
// and reading .netrc files. It sends no requests; the root package drives the
// request/response flow and only asks this package for header values and
// credentials, which keeps the cryptographic and parsing rules testable in
// isolation.
package auth

import (
	"strconv"
	"strings"
)

// Challenge is a parsed Digest WWW-Authenticate challenge. Fields keep the
// server's spelling so that the Authorization header can echo them back
// byte for byte, which some servers require.
type Challenge struct {
	// Realm is the protection space; it is hashed into HA1.
	Realm string
	// Nonce is the server nonce; it is hashed into every response.
	Nonce string
	// Opaque is returned to the server unchanged; "" means none was sent.
	Opaque string
	// Algorithm is the hash algorithm as the server spelled it; "" means the
	// parameter was absent, which RFC 7616 defines as MD5.
	Algorithm string
	// QOP lists the offered quality-of-protection values, split on commas
	// and trimmed. It is nil when the server sent no qop parameter, which
	// selects the legacy RFC 2069 computation.
	QOP []string
	// Stale reports stale=true: the credentials were right but the nonce
	// expired, so the client may retry without asking the user again.
	Stale bool
	// Domain is the space-separated list of URIs the challenge covers.
	Domain string
	// Charset is the server's announced charset (RFC 7616 only allows UTF-8).
	Charset string
	// UserHash reports userhash=true: the server wants the username hashed
	// so that it does not travel in the clear.
	UserHash bool
}

// ChallengeError reports a Digest WWW-Authenticate header that cannot be
// parsed. The root package maps it to httpx.ProtocolError, whose message
// HTTPX spells "Malformed Digest WWW-Authenticate header"; the detail says
// what exactly was wrong so that a bad server is easy to diagnose.
type ChallengeError struct {
	// Detail describes the defect, e.g. `missing "nonce"`.
	Detail string
}

// Error returns HTTPX's message followed by the detail.
func (e *ChallengeError) Error() string {
	return "Malformed Digest WWW-Authenticate header: " + e.Detail
}

func malformed(detail string) *ChallengeError { return &ChallengeError{Detail: detail} }

// ParseChallenge parses one WWW-Authenticate header value that starts with
// "Digest " (case-insensitive) followed by a comma-separated list of
// key=value pairs, where values may be quoted strings that contain commas
// and backslash escapes. Parameter names are case-insensitive (RFC 7235)
// and unknown parameters are ignored; a repeated parameter keeps its last
// value, as HTTPX does. realm and nonce are required.
//
// Any defect yields a *ChallengeError rather than a panic or a partial
// result, because the header comes from an untrusted server. A value that
// holds several challenges should first be narrowed with FindChallenge.
func ParseChallenge(header string) (*Challenge, error) {
	header = strings.TrimLeft(header, " \t")
	if len(header) < len("digest ") || !strings.EqualFold(header[:len("digest ")], "digest ") {
		return nil, malformed("not a Digest challenge")
	}
	items, ok := splitItems(header[len("digest "):])
	if !ok {
		return nil, malformed("unterminated quoted string")
	}
	params := make(map[string]string, len(items))
	for _, it := range items {
		if strings.Trim(it.text, " \t") == "" {
			continue // empty list elements are allowed by the #rule syntax
		}
		key, value, err := parseParam(it.text)
		if err != nil {
			return nil, err
		}
		params[strings.ToLower(key)] = value
	}
	ch := &Challenge{}
	var found bool
	if ch.Realm, found = params["realm"]; !found {
		return nil, malformed(`missing "realm"`)
	}
	if ch.Nonce, found = params["nonce"]; !found {
		return nil, malformed(`missing "nonce"`)
	}
	ch.Opaque = params["opaque"]
	ch.Algorithm = params["algorithm"]
	if qop, found := params["qop"]; found {
		ch.QOP = splitQOP(qop)
	}
	ch.Stale = strings.EqualFold(params["stale"], "true")
	ch.Domain = params["domain"]
	ch.Charset = params["charset"]
	ch.UserHash = strings.EqualFold(params["userhash"], "true")
	return ch, nil
}

// splitQOP splits a qop list on commas and trims optional whitespace. An
// empty qop value yields one empty element so that it is rejected later as
// an unexpected qop, as HTTPX does, instead of silently meaning "no qop".
func splitQOP(s string) []string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.Trim(p, " \t")
	}
	return parts
}

// FindChallenge returns the Digest challenge among the values of a
// response's WWW-Authenticate headers, trimmed to just that challenge, so
// that it can be handed to ParseChallenge. Servers may send each challenge
// in its own header or join several into one value ("Basic realm=x, Digest
// realm=..."), so values are split into challenges with quoted strings
// respected. Like HTTPX, only a challenge that starts with "digest " (with a
// space, case-insensitive) counts, and the first one wins. ok is false when
// there is none, in which case the 401 response is handed back as-is.
func FindChallenge(values []string) (value string, ok bool) {
	for _, v := range values {
		items, _ := splitItems(v) // an unterminated quote is ParseChallenge's to report
		start := -1
		end := 0
		for _, it := range items {
			if isChallengeStart(it.text) {
				if start >= 0 {
					break
				}
				t := strings.TrimLeft(it.text, " \t")
				if len(t) > len("digest ") && strings.EqualFold(t[:len("digest ")], "digest ") {
					start = it.start + len(it.text) - len(t)
				}
			}
			if start >= 0 {
				end = it.start + len(it.text)
			}
		}
		if start >= 0 {
			return strings.TrimRight(v[start:end], " \t"), true
		}
	}
	return "", false
}

// isChallengeStart reports whether a list element begins a new challenge
// rather than continuing the parameters of the previous one. Per RFC 7235 a
// challenge is "auth-scheme [ 1*SP ( token68 / #auth-param ) ]", so an
// element starts a challenge when its leading token is not followed
// (after optional whitespace) by "=".
func isChallengeStart(item string) bool {
	t := strings.TrimLeft(item, " \t")
	n := tokenLen(t)
	if n == 0 {
		return false
	}
	rest := t[n:]
	if rest == "" {
		return true
	}
	if rest[0] != ' ' && rest[0] != '\t' {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	return rest == "" || rest[0] != '='
}

// item is one comma-separated list element and its byte offset in the
// original string.
type item struct {
	start int
	text  string
}

// splitItems splits s on commas outside quoted strings. ok is false when a
// quoted string is not terminated; the items up to the end are still
// returned so that FindChallenge can degrade gracefully.
func splitItems(s string) (items []item, ok bool) {
	inQuote, escaped := false, false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			items = append(items, item{start, s[start:i]})
			start = i + 1
		}
	}
	items = append(items, item{start, s[start:]})
	return items, !inQuote
}

// parseParam parses "token BWS = BWS ( token / quoted-string )". Unquoted
// values are taken up to the end of the element because real servers send
// unquoted base64 nonces and the like that are not strictly tokens.
func parseParam(s string) (key, value string, err error) {
	s = strings.Trim(s, " \t")
	n := tokenLen(s)
	if n == 0 {
		return "", "", malformed("invalid parameter name in " + quoteDetail(s))
	}
	key = s[:n]
	rest := strings.TrimLeft(s[n:], " \t")
	if rest == "" || rest[0] != '=' {
		return "", "", malformed("parameter " + quoteDetail(key) + " has no value")
	}
	rest = strings.TrimLeft(rest[1:], " \t")
	if !strings.HasPrefix(rest, `"`) {
		if strings.Contains(rest, `"`) {
			return "", "", malformed("stray quote in value of " + quoteDetail(key))
		}
		return key, rest, nil
	}
	var b strings.Builder
	for i := 1; i < len(rest); i++ {
		c := rest[i]
		switch c {
		case '\\':
			i++
			if i == len(rest) {
				return "", "", malformed("unterminated quoted string")
			}
			b.WriteByte(rest[i])
		case '"':
			if strings.Trim(rest[i+1:], " \t") != "" {
				return "", "", malformed("unexpected text after quoted value of " + quoteDetail(key))
			}
			return key, b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", malformed("unterminated quoted string")
}

// tokenLen returns the length of the RFC 9110 token at the start of s.
func tokenLen(s string) int {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return i
		}
	}
	return len(s)
}

func isTokenChar(c byte) bool {
	if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// quoteDetail quotes server text for an error message, shortened so that a
// hostile header cannot produce an enormous error.
func quoteDetail(s string) string {
	const maxLen = 64
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	return strconv.Quote(s)
}
