package urlparse

import "strings"

// safeSet marks the bytes a component may carry unencoded. A table lookup
// keeps quoting branch-light and allocation-free when nothing needs
// encoding.
type safeSet [256]bool

// newSafeSet returns the unreserved characters plus every printable ASCII
// character except those in encoded; the WHATWG percent-encode sets that
// HTTPX uses are all defined as exclusions from printable ASCII.
func newSafeSet(encoded string) *safeSet {
	var s safeSet
	for c := 0x21; c < 0x7f; c++ {
		s[c] = true
	}
	for i := 0; i < len(encoded); i++ {
		s[encoded[i]] = false
	}
	return &s
}

// The percent-encode sets, named by the characters they encode on top of
// space, controls and non-ASCII. '%' is safe everywhere, which is what
// keeps existing %XX escapes (and a lone '%') untouched.
var (
	fragmentSafe = newSafeSet("\"<>`")
	querySafe    = newSafeSet("\"#<>")
	pathSafe     = newSafeSet("\"#<>?`{}")
	userinfoSafe = newSafeSet("\"#<>?`{}/;=@[\\]^|")
	// userPartSafe also encodes ':' because it separates user from password.
	userPartSafe = newSafeSet("\"#<>?`{}/;=@[\\]^|:")
	// hostSafe is unreserved + sub-delims + the WHATWG extras `"{}%|\`,
	// i.e. what HTTPX leaves alone in a registered name.
	hostSafe = newSafeSet("#/:<>?@[]^")
	// formSafe is Python's quote_plus with safe="": only unreserved
	// characters survive (space is handled separately).
	formSafe = func() *safeSet {
		var s safeSet
		for c := 0; c < 256; c++ {
			s[c] = isUnreserved(byte(c))
		}
		return &s
	}()
)

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// quote percent-encodes every byte of s outside safe. It returns s itself
// when nothing needs encoding, so already-normalised input costs no
// allocation. Non-ASCII text is encoded byte by byte, which is its UTF-8
// encoding for valid strings.
func quote(s string, safe *safeSet) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !safe[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if safe[c] {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&0xf])
	}
	return b.String()
}

// QuotePath percent-encodes s for use as a URL path. Existing %XX escapes
// are kept so that quoting is idempotent and pre-encoded paths survive.
func QuotePath(s string) string { return quote(s, pathSafe) }

// QuoteQuery percent-encodes s for use as a raw query string. Unlike form
// encoding it keeps '&', '=', '+' and '/' so that a caller-built query
// keeps its structure.
func QuoteQuery(s string) string { return quote(s, querySafe) }

// QuoteFragment percent-encodes s for use as a fragment; '#' and '?' stay
// literal there, as in browsers.
func QuoteFragment(s string) string { return quote(s, fragmentSafe) }

// QuoteUserinfoPart percent-encodes a username or a password on its own.
// It also encodes ':', since an unescaped colon would move the boundary
// between username and password.
func QuoteUserinfoPart(s string) string { return quote(s, userPartSafe) }

// quoteUserinfo encodes a whole "user[:password]" string, keeping ':'.
func quoteUserinfo(s string) string { return quote(s, userinfoSafe) }

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Unquote decodes %XX escapes. Malformed escapes are left as they are
// rather than reported, because display-oriented accessors must never
// fail on a URL that parsed successfully. The result holds the decoded
// bytes; it is not forced to valid UTF-8, so it round-trips through the
// Quote functions.
func Unquote(s string) string { return unquote(s, false) }

func unquote(s string, plus bool) string {
	i := strings.IndexByte(s, '%')
	if plus {
		if j := strings.IndexByte(s, '+'); j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+' && plus:
			b.WriteByte(' ')
			continue
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
