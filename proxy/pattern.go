package proxy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// hostKind says how a pattern's host is compared with a request host.
type hostKind uint8

const (
	hostAny       hostKind = iota // "" or "*": every host
	hostExact                     // "example.com": that host only
	hostSuffix                    // "*example.com": the host and its subdomains
	hostSubdomain                 // "*.example.com": strict subdomains only
	hostIP                        // "10.1.2.3", "[::1]": that address
	hostPrefix                    // "10.0.0.0/8", "[fe80::]/10": any address inside
)

// Pattern is a parsed routing key such as "all://", "https://",
// "all://*example.com", "http://h:8080", "all://*:1234" or
// "all://10.0.0.0/8".
//
// Keys are parsed once so that routing a request costs only string and
// integer comparisons. The zero Pattern behaves like the empty key "": it
// matches every request. Patterns are comparable with ==; two patterns parsed
// from the same key are equal.
type Pattern struct {
	key    string
	scheme string // lower-case; "" for "all" and the empty key
	kind   hostKind
	host   string // lower-case ASCII; for wildcards the domain after "*" or "*."
	addr   netip.Addr
	prefix netip.Prefix
	port   int // 0 means any port
	// hostLen is the length of the normalised host including any '*', which
	// is what HTTPX ranks keys by.
	hostLen int
}

// PatternError reports a routing key that cannot be parsed. It carries the
// key so that a caller holding many mounts can tell the user which one is
// wrong.
type PatternError struct {
	Key    string // the key as given
	Reason string // what is wrong with it, and usually how to fix it
}

// Error implements the error interface.
func (e *PatternError) Error() string {
	return fmt.Sprintf("proxy: invalid routing key %q: %s", e.Key, e.Reason)
}

// ParsePattern parses a routing key of the form "scheme://host[:port]".
//
// The scheme "all" matches any scheme; any other scheme, including custom
// ones such as "file", must equal the request's. The host may be empty or
// "*" (any host), a name ("example.com", exact), "*example.com" (the name
// and its subdomains, but not "wwwexample.com"), "*.example.com" (strict
// subdomains), an IPv4 address, a bracketed IPv6 address ("[::1]"), or an
// IP prefix written "10.0.0.0/8" or "[fe80::]/10" (a port may follow the
// prefix length: "all://10.0.0.0/8:8080"). Internationalised names are
// converted to punycode. A path, query or fragment after the host is
// ignored, as in HTTPX. The empty key "" matches everything.
//
// Errors are *PatternError. A key without "://" is rejected with HTTPX's
// hint, because "http" is a common mistake for "http://".
func ParsePattern(key string) (Pattern, error) {
	if key == "" {
		return Pattern{}, nil
	}
	p := Pattern{key: key}
	fail := func(format string, args ...any) (Pattern, error) {
		return Pattern{}, &PatternError{Key: key, Reason: fmt.Sprintf(format, args...)}
	}
	i := strings.Index(key, "://")
	if i < 0 {
		return fail("%s", missingSeparatorHint(key))
	}
	scheme, ok := parseScheme(key[:i])
	if !ok {
		return fail("invalid scheme %q", key[:i])
	}
	if scheme != "all" {
		p.scheme = scheme
	}

	rest := key[i+3:]
	if j := strings.IndexAny(rest, "?#"); j >= 0 {
		rest = rest[:j]
	}
	auth, tail := rest, ""
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		auth, tail = rest[:j], rest[j:]
	}
	if strings.ContainsRune(auth, '@') {
		return fail("user information is not allowed in a routing key")
	}
	host, port, hasPort, reason := splitHostPort(auth)
	if reason != "" {
		return fail("%s", reason)
	}
	if r := p.setHost(host); r != "" {
		return fail("%s", r)
	}
	// "10.0.0.0/8" looks like a host followed by a path; an IP host directly
	// followed by "/digits" is a prefix length instead.
	if !hasPort && (p.kind == hostIP) && len(tail) > 1 {
		bits, after := tail[1:], ""
		if j := strings.IndexAny(bits, ":/"); j >= 0 {
			bits, after = bits[:j], bits[j:]
		}
		if isPrefixLen(bits) {
			n, err := strconv.Atoi(bits)
			if err != nil || n > p.addr.BitLen() {
				return fail("invalid prefix length %q", bits)
			}
			p.prefix = netip.PrefixFrom(p.addr, n).Masked()
			p.kind, p.addr = hostPrefix, netip.Addr{}
			p.hostLen = len(p.prefix.String())
			if strings.HasPrefix(after, ":") {
				port, hasPort = after[1:], true
				if j := strings.IndexByte(port, '/'); j >= 0 {
					port = port[:j]
				}
			}
		}
	}
	if hasPort && port != "" {
		n, ok := parsePort(port)
		if !ok {
			return fail("invalid port %q: want a number from 1 to 65535", port)
		}
		p.port = n
	}
	if p.kind == hostIP {
		// IPv4-mapped IPv6 addresses name the IPv4 host.
		p.addr = p.addr.Unmap()
	}
	return p, nil
}

// missingSeparatorHint explains a key without "://". It keeps HTTPX's wording
// for scheme-like keys and suggests "all://" for keys that look like hosts.
func missingSeparatorHint(key string) string {
	if t := strings.TrimRight(key, ":/"); t != key && strings.HasPrefix(key[len(t):], ":") {
		if s, ok := parseScheme(t); ok {
			return fmt.Sprintf("missing \"://\"; use %q", s+"://")
		}
	}
	if _, ok := parseScheme(key); ok && !strings.Contains(key, ".") {
		return fmt.Sprintf("Proxy keys should use proper URL forms rather than plain scheme strings. "+
			"Instead of %q, use %q", key, key+"://")
	}
	return fmt.Sprintf("missing \"://\"; keys look like \"scheme://host[:port]\", for example %q", "all://"+key)
}

// parseScheme lower-cases s and reports whether it is an RFC 3986 scheme.
func parseScheme(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", false
		}
	}
	return strings.ToLower(s), true
}

// splitHostPort splits an authority into host and port. hasPort reports a
// ':' after the host even when the port itself is empty, which URLs allow.
func splitHostPort(auth string) (host, port string, hasPort bool, reason string) {
	if strings.HasPrefix(auth, "[") {
		end := strings.IndexByte(auth, ']')
		if end < 0 {
			return "", "", false, "missing ']' after IPv6 address"
		}
		host, after := auth[:end+1], auth[end+1:]
		switch {
		case after == "":
			return host, "", false, ""
		case after[0] == ':':
			return host, after[1:], true, ""
		default:
			return "", "", false, fmt.Sprintf("unexpected %q after IPv6 address", after)
		}
	}
	switch strings.Count(auth, ":") {
	case 0:
		return auth, "", false, ""
	case 1:
		i := strings.IndexByte(auth, ':')
		return auth[:i], auth[i+1:], true, ""
	default:
		return "", "", false, fmt.Sprintf("IPv6 addresses must be enclosed in brackets, as in %q", "all://[::1]")
	}
}

// setHost classifies and normalises a host taken from a key. It returns a
// reason when the host is invalid.
func (p *Pattern) setHost(h string) string {
	if h == "" || h == "*" {
		p.kind = hostAny
		return ""
	}
	if strings.HasPrefix(h, "[") {
		inner := h[1 : len(h)-1]
		a, err := netip.ParseAddr(inner)
		if err != nil || !a.Is6() {
			return fmt.Sprintf("invalid IPv6 address %q", inner)
		}
		if a.Zone() != "" {
			return fmt.Sprintf("IPv6 zone in %q is not supported", inner)
		}
		p.kind, p.addr, p.hostLen = hostIP, a, len(a.String())
		return ""
	}
	if looksLikeIPv4(h) {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is4() {
			return fmt.Sprintf("invalid IPv4 address %q", h)
		}
		p.kind, p.addr, p.hostLen = hostIP, a, len(h)
		return ""
	}
	kind, d := hostExact, h
	switch {
	case strings.HasPrefix(h, "*."):
		kind, d = hostSubdomain, h[2:]
	case strings.HasPrefix(h, "*"):
		kind, d = hostSuffix, h[1:]
	}
	if strings.ContainsRune(d, '*') {
		return "'*' is only allowed at the start of the host, as in \"*example.com\" or \"*.example.com\""
	}
	if d == "" {
		return "missing domain after \"*.\""
	}
	ascii, reason := normaliseDomain(d)
	if reason != "" {
		return reason
	}
	if ascii[0] == '.' {
		if kind == hostExact {
			return fmt.Sprintf("host %q starts with '.'; use %q to match subdomains", h, "*"+h)
		}
		return fmt.Sprintf("empty label in host %q", h)
	}
	p.kind, p.host = kind, ascii
	p.hostLen = len(ascii) + len(h) - len(d)
	return ""
}

// normaliseDomain lower-cases an ASCII name or converts an internationalised
// one to punycode, so that matching is a plain byte comparison against the
// ASCII hosts that requests carry.
func normaliseDomain(d string) (string, string) {
	ascii := d
	if !isASCII(d) {
		var err error
		ascii, err = idna.Lookup.ToASCII(d)
		if err != nil {
			return "", fmt.Sprintf("invalid IDNA hostname %q: %v", d, err)
		}
	}
	if ascii == "" {
		// IDNA maps some characters, such as the soft hyphen, to nothing.
		return "", fmt.Sprintf("host %q is empty after IDNA mapping", d)
	}
	ascii = strings.ToLower(ascii)
	for i := 0; i < len(ascii); i++ {
		c := ascii[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return "", fmt.Sprintf("invalid character %q in host %q", c, d)
		}
	}
	// Empty labels are mistakes ("a..b"); a single trailing dot (an absolute
	// name) and a leading dot (reported by the caller with a hint) are not
	// rejected here.
	if strings.Contains(ascii, "..") || ascii == "." {
		return "", fmt.Sprintf("empty label in host %q", d)
	}
	return ascii, ""
}

// looksLikeIPv4 reports whether h has the shape of a dotted quad, which must
// then be a valid address rather than a host name (as in HTTPX).
func looksLikeIPv4(h string) bool {
	dots := 0
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return false
		}
	}
	return dots == 3
}

// isPrefixLen reports whether s has the shape of a prefix length (1 to 3
// digits); anything else after an IP host is an ordinary, ignored path.
func isPrefixLen(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// parsePort accepts 1 to 65535. Port 0 is rejected because requests use 0
// for "unknown", so such a key could never mean what its author intended.
func parsePort(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n >= 1 && n <= 65535
}

// String returns the key exactly as it was given to ParsePattern, so that
// error messages and equal-key replacement in a Table use the user's
// spelling.
func (p Pattern) String() string { return p.key }

// DefaultPort returns the port a URL of the given scheme uses when it names
// none: 80 for http and ws, 443 for https and wss, 0 otherwise. Routing
// compares effective ports, so callers need the same defaults.
func DefaultPort(scheme string) int {
	switch {
	case strings.EqualFold(scheme, "http"), strings.EqualFold(scheme, "ws"):
		return 80
	case strings.EqualFold(scheme, "https"), strings.EqualFold(scheme, "wss"):
		return 443
	}
	return 0
}

// Matches reports whether a request URL matches the pattern.
//
// scheme should be lower-case, host lower-case ASCII (punycode for
// internationalised names, IPv6 without brackets), and port the effective
// port: the explicit one, else [DefaultPort] of the scheme; 0 is treated as
// "not given" and replaced by the default.
//
// Ports are compared as effective ports, which deviates from HTTPX: the key
// "https://h:443" matches "https://h" and "https://h:443" but not
// "https://h:8443", and "all://*:443" matches "https://x". HTTPX drops a
// default port from the key (so "https://h:443" matches every port) and
// compares a key's port with the request's explicit port only (so
// "all://*:443" never matches "https://x"). Comparing what is actually
// dialled is what users mean in both cases.
//
// IP patterns compare addresses, not strings, so "[::1]" also matches
// "0:0:0:0:0:0:0:1", and prefixes match every address inside them.
func (p Pattern) Matches(scheme, host string, port int) bool {
	host = stripBrackets(host)
	var a netip.Addr
	if p.kind == hostIP || p.kind == hostPrefix {
		a = parseIP(host)
	}
	if port == 0 {
		port = DefaultPort(scheme)
	}
	return p.match(scheme, host, a, port)
}

// stripBrackets removes the brackets of an IPv6 literal given in URL form.
func stripBrackets(host string) string {
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		return host[1 : len(host)-1]
	}
	return host
}

// parseIP parses a request host as an address, ignoring any zone, and
// returns the invalid Addr for names. It avoids netip.ParseAddr where that
// would fail, because a failed parse allocates its error and Lookup must not
// allocate.
func parseIP(host string) netip.Addr {
	if strings.IndexByte(host, ':') < 0 {
		return parseIPv4(host)
	}
	for i := 0; i < len(host) && host[i] != '%'; i++ {
		if c := host[i]; !(c == ':' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return netip.Addr{}
		}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("")
}

// parseIPv4 parses a dotted quad in the strict form netip accepts (no
// leading zeros), returning the invalid Addr otherwise.
func parseIPv4(s string) netip.Addr {
	var b [4]byte
	n, val, digits := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || n == 4 {
				return netip.Addr{}
			}
			b[n] = byte(val)
			n, val, digits = n+1, 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || digits > 0 && val == 0 {
			return netip.Addr{}
		}
		val = val*10 + int(c-'0')
		digits++
		if val > 255 {
			return netip.Addr{}
		}
	}
	if n != 4 {
		return netip.Addr{}
	}
	return netip.AddrFrom4(b)
}

// match is Matches with the host already parsed as an address (a is invalid
// for names) and port already effective; Table.Lookup parses once for all
// routes.
func (p *Pattern) match(scheme, host string, a netip.Addr, port int) bool {
	if p.scheme != "" && !strings.EqualFold(p.scheme, scheme) {
		return false
	}
	if p.port != 0 && p.port != port {
		return false
	}
	return p.matchHost(host, a)
}

// Mismatch says which part of a request URL keeps it from matching the
// pattern: "" when Matches holds, else "scheme", "host" or "port", the first
// that differs in that order. It takes the same arguments as Matches. Tools
// that explain why a route did not match (httpxtest's mocks) use it, so that
// "host differs" follows exactly the rules that routing applies.
func (p Pattern) Mismatch(scheme, host string, port int) string {
	host = stripBrackets(host)
	var a netip.Addr
	if p.kind == hostIP || p.kind == hostPrefix {
		a = parseIP(host)
	}
	if port == 0 {
		port = DefaultPort(scheme)
	}
	switch {
	case p.scheme != "" && !strings.EqualFold(p.scheme, scheme):
		return "scheme"
	case !p.matchHost(host, a):
		return "host"
	case p.port != 0 && p.port != port:
		return "port"
	}
	return ""
}

// matchHost compares the host part alone; a is host parsed as an address.
func (p *Pattern) matchHost(host string, a netip.Addr) bool {
	switch p.kind {
	case hostAny:
		return true
	case hostExact:
		return strings.EqualFold(host, p.host)
	case hostSuffix:
		return strings.EqualFold(host, p.host) || isSubdomain(host, p.host)
	case hostSubdomain:
		return isSubdomain(host, p.host)
	case hostIP:
		return a.IsValid() && a.Unmap() == p.addr
	case hostPrefix:
		return a.IsValid() && (p.prefix.Contains(a) || p.prefix.Contains(a.Unmap()))
	}
	return false
}

// isSubdomain reports whether host is "<something>.domain", case-insensitively.
func isSubdomain(host, domain string) bool {
	n := len(host) - len(domain)
	return n >= 2 && host[n-1] == '.' && strings.EqualFold(host[n:], domain)
}
