package urlparse

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// idnaProfile maps and validates internationalised host names. It is
// UTS #46 lookup processing without transitional mapping, so "faß.de"
// becomes "xn--fa-hia.de" (IDNA 2008) rather than "fass.de" (IDNA 2003).
// x/net/idna accepts symbols such as '☃' that IDNA 2008 disallows, so
// idna2008Rune adds that check on top.
var idnaProfile = idna.Lookup

// encodeHost validates and normalises a host as written in an authority
// (IPv6 literals still bracketed) and returns it in stored form.
func encodeHost(host string) (string, error) {
	switch {
	case host == "":
		return "", nil
	case len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']':
		return encodeIPv6(host)
	case looksLikeIPv4(host):
		if a, err := netip.ParseAddr(host); err != nil || !a.Is4() {
			return "", newError("Invalid IPv4 address: " + pyRepr(host))
		}
		return host, nil
	case isASCII(host):
		return encodeRegName(host)
	}
	return encodeIDNA(host)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// looksLikeIPv4 reports four dot-separated groups of ASCII digits. Such a
// host must be a valid address: treating "999.1.1.1" as a name would send
// it to DNS. Fewer groups ("1.2.3") are left to be names, as in HTTPX.
func looksLikeIPv4(host string) bool {
	groups, digits := 1, 0
	for i := 0; i < len(host); i++ {
		switch c := host[i]; {
		case c == '.':
			if digits == 0 {
				return false
			}
			groups++
			digits = 0
		case '0' <= c && c <= '9':
			digits++
		default:
			return false
		}
	}
	return groups == 4 && digits > 0
}

// encodeIPv6 validates a bracketed IPv6 literal and returns it without
// brackets. The address part is lower-cased; an RFC 6874 zone identifier
// ("%25eth0", or the bare "%eth0" that Python also accepts) is kept as
// written because interface names can be case-sensitive.
func encodeIPv6(bracketed string) (string, error) {
	inner := bracketed[1 : len(bracketed)-1]
	addr, zone, hasZone := strings.Cut(inner, "%")
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Zone() != "" || (hasZone && !validZone(zone)) {
		return "", newError("Invalid IPv6 address: " + pyRepr(bracketed))
	}
	if !hasZone {
		return lowerASCII(inner), nil
	}
	return lowerASCII(addr) + "%" + zone, nil
}

// validZone allows unreserved characters and percent-escapes (RFC 6874),
// which is enough for interface names and keeps the literal from
// smuggling delimiters.
func validZone(zone string) bool {
	if zone == "" {
		return false
	}
	for i := 0; i < len(zone); i++ {
		c := zone[i]
		if isUnreserved(c) {
			continue
		}
		if c == '%' && i+2 < len(zone) {
			if _, ok := unhex(zone[i+1]); ok {
				if _, ok := unhex(zone[i+2]); ok {
					i += 2
					continue
				}
			}
		}
		return false
	}
	return true
}

// encodeRegName lower-cases an ASCII registered name and percent-encodes
// what HTTPX does not allow in it (space, '<', '>', '[', ']', '^', and
// delimiters that can only arrive through With). Escapes get upper-case
// hex so the result is stable when parsed again. Labels that are already
// punycode must decode, so DisplayHost always works.
func encodeRegName(host string) (string, error) {
	h := quote(host, hostSafe)
	h = lowerHost(h)
	if strings.Contains(h, "xn--") {
		for label := range strings.SplitSeq(h, ".") {
			if strings.HasPrefix(label, "xn--") && !validPunycodeLabel(label) {
				return "", newError("Invalid IDNA hostname: " + pyRepr(host))
			}
		}
	}
	return h, nil
}

// lowerHost lower-cases letters but upper-cases the hex digits of %XX
// escapes; it allocates only when something changes.
func lowerHost(s string) string {
	var b []byte
	set := func(i int, c byte) {
		if s[i] == c {
			return
		}
		if b == nil {
			b = []byte(s)
		}
		b[i] = c
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			_, ok1 := unhex(s[i+1])
			_, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				set(i+1, upperHexDigit(s[i+1]))
				set(i+2, upperHexDigit(s[i+2]))
				i += 2
				continue
			}
		}
		if 'A' <= c && c <= 'Z' {
			set(i, c+('a'-'A'))
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

func upperHexDigit(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - ('a' - 'A')
	}
	return c
}

// validPunycodeLabel reports whether an "xn--" label decodes to a valid
// IDNA 2008 label that encodes back to itself.
func validPunycodeLabel(label string) bool {
	u, err := idnaProfile.ToUnicode(label)
	if err != nil || u == "" || u == label || !idna2008Label(u) {
		return false
	}
	a, err := idnaProfile.ToASCII(u)
	return err == nil && a == label
}

// encodeIDNA lower-cases a non-ASCII host and converts it to its ASCII
// (punycode) form. The ASCII result is then checked like any ASCII host,
// because mapping can produce digits-and-dots that must be a valid IPv4
// address.
func encodeIDNA(host string) (string, error) {
	bad := newError("Invalid IDNA hostname: " + pyRepr(host))
	if !utf8.ValidString(host) {
		return "", bad
	}
	a, err := idnaProfile.ToASCII(pyLower(host))
	if err != nil || !isASCII(a) {
		return "", bad
	}
	u, err := idnaProfile.ToUnicode(a)
	if err != nil || !idna2008Label(u) {
		return "", bad
	}
	if looksLikeIPv4(a) {
		if addr, err := netip.ParseAddr(a); err != nil || !addr.Is4() {
			return "", bad
		}
		return a, nil
	}
	if strings.IndexByte(a, '%') >= 0 || strings.IndexByte(a, '[') >= 0 {
		return "", bad
	}
	return lowerHost(quote(a, hostSafe)), nil
}

// idna2008Label reports whether every non-ASCII rune of s is allowed by
// the IDNA 2008 derived property (RFC 5892): letters, digits and
// combining marks, plus the listed exceptions. Mapping has already
// happened, so case and compatibility forms need no handling here.
func idna2008Label(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && !idna2008Rune(r) {
			return false
		}
	}
	return true
}

func idna2008Rune(r rune) bool {
	switch r {
	// Exceptions that are PVALID or CONTEXTO/CONTEXTJ despite their
	// general category.
	case 0x00B7, 0x00DF, 0x0375, 0x03C2, 0x05F3, 0x05F4, 0x06FD, 0x06FE,
		0x0F0B, 0x200C, 0x200D, 0x3007, 0x30FB:
		return true
	// Exceptions that are DISALLOWED despite being letters.
	case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033, 0x3034,
		0x3035, 0x303B:
		return false
	}
	switch {
	case 0x20D0 <= r && r <= 0x20FF, // Combining Diacritical Marks for Symbols
		0x1D100 <= r && r <= 0x1D24F, // Musical Symbols, Ancient Greek Musical Notation
		0x1100 <= r && r <= 0x11FF,   // Old Hangul Jamo
		0xA960 <= r && r <= 0xA97F,
		0xD7B0 <= r && r <= 0xD7FF:
		return false
	}
	return unicode.In(r, unicode.Ll, unicode.Lu, unicode.Lo, unicode.Lm,
		unicode.Nd, unicode.Mn, unicode.Mc)
}

// pyLower lower-cases s like Python's str.lower(), which HTTPX applies
// before IDNA encoding. It differs from strings.ToLower in the two
// SpecialCasing rules Python implements: 'İ' becomes "i̇", and a capital
// sigma at the end of a word becomes 'ς' (a distinct IDNA 2008 letter,
// so "ΟΔΟΣ" and "οδοσ" encode differently).
func pyLower(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch r {
		case 0x0130:
			b.WriteString("i\u0307")
		case 0x03A3:
			if finalSigma(s, i) {
				b.WriteRune(0x03C2)
			} else {
				b.WriteRune(0x03C3)
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports whether the capital sigma at byte offset i is in the
// Final_Sigma context: preceded by a cased letter and not followed by
// one, skipping case-ignorable characters on both sides.
func finalSigma(s string, i int) bool {
	before := false
	for j := i; j > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
		if caseIgnorable(r) {
			continue
		}
		before = cased(r)
		break
	}
	if !before {
		return false
	}
	for j := i + len("\u03a3"); j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		j += size
		if caseIgnorable(r) {
			continue
		}
		return !cased(r)
	}
	return true
}

func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

func caseIgnorable(r rune) bool {
	switch r {
	// Word_Break MidLetter, MidNumLet and Single_Quote characters.
	case '\'', '.', ':', 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2018, 0x2019,
		0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
