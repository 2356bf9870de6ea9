package urlparse

import "strings"

// Parse parses s as an absolute URL or a relative reference, then
// normalises and validates every component the way HTTPX 0.28 does.
//
// Nothing is stripped or guessed: control characters, bad ports, bad IP
// literals and invalid IDNA names are errors (*Error), so that what is
// sent on the wire is exactly what String reports.
func Parse(s string) (URL, error) {
	if tooLong(s) {
		return URL{}, newError("URL too long")
	}
	if err := checkPrintable(s, ""); err != nil {
		return URL{}, err
	}
	var r rawURL
	rest := s
	if n := schemeLen(rest); n > 0 {
		r.scheme, rest = rest[:n], rest[n+1:]
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		r.fragment, r.hasFragment = rest[i+1:], true
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		r.query, r.hasQuery = rest[i+1:], true
		rest = rest[:i]
	}
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		authority := rest[:end]
		rest = rest[end:]
		if i := strings.LastIndexByte(authority, '@'); i >= 0 {
			r.userinfo, authority = authority[:i], authority[i+1:]
		}
		var err error
		r.host, r.port, r.hasPort, err = splitHostPort(authority)
		if err != nil {
			return URL{}, err
		}
	}
	r.path = rest
	return r.build()
}

// schemeLen returns the length of a leading RFC 3986 scheme that is
// followed by ':', or 0. Like HTTPX, "localhost:8000" therefore has the
// scheme "localhost"; a URL needs "//" to introduce a host.
func schemeLen(s string) int {
	if s == "" || !isAlpha(s[0]) {
		return 0
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
		case c == ':':
			return i
		default:
			return 0
		}
	}
	return 0
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// validScheme reports whether s is empty or a complete RFC 3986 scheme.
func validScheme(s string) bool {
	return s == "" || schemeLen(s+":") == len(s)
}

// firstSegmentLooksLikeScheme reports whether a scheme-less path would be
// read back as having a scheme ("a:b"), or starts with ':'.
func firstSegmentLooksLikeScheme(path string) bool {
	if path == "" {
		return false
	}
	return path[0] == ':' || schemeLen(path) > 0
}

// splitHostPort splits "host[:port]" where host may be a bracketed IPv6
// literal. An empty port after ':' counts as absent, as in HTTPX.
func splitHostPort(hostport string) (host string, port int, hasPort bool, err error) {
	var portText string
	if strings.HasPrefix(hostport, "[") {
		if i := strings.LastIndexByte(hostport, ']'); i >= 0 {
			host, portText = hostport[:i+1], hostport[i+1:]
			if portText != "" && portText[0] != ':' {
				return "", 0, false, newError("Invalid IPv6 address: " + pyRepr(hostport))
			}
			if portText != "" {
				portText = portText[1:]
			}
			port, hasPort, err = parsePort(portText)
			return host, port, hasPort, err
		}
	}
	host, portText, _ = strings.Cut(hostport, ":")
	port, hasPort, err = parsePort(portText)
	return host, port, hasPort, err
}

// parsePort accepts ASCII decimal digits only, in 0..65535. HTTPX relies
// on Python's int() and does no range check, but a port outside that
// range can never be dialled, so rejecting it early is kinder.
func parsePort(s string) (int, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false, newError("Invalid port: " + pyRepr(s))
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, false, newError("Invalid port: " + pyRepr(s))
		}
	}
	return n, true, nil
}

// rawURL holds components as written (or as given to With) before
// normalisation. host keeps IPv6 brackets.
type rawURL struct {
	scheme, userinfo, host string
	port                   int
	hasPort                bool
	path                   string
	query                  string
	hasQuery               bool
	fragment               string
	hasFragment            bool
}

// build normalises and validates raw components into a URL. It is shared
// by Parse, With and Resolve so that all three produce identical
// canonical forms.
func (r *rawURL) build() (URL, error) {
	var u URL
	u.Scheme = lowerASCII(r.scheme)
	u.Userinfo = quoteUserinfo(r.userinfo)
	host, err := encodeHost(r.host)
	if err != nil {
		return URL{}, err
	}
	u.Host = host
	// The default port is compared with the lower-cased scheme, so
	// "HTTP://h:80" drops it too (HTTPX compares with the scheme as written
	// and keeps it, which makes the canonical form depend on case).
	if r.hasPort && r.port != DefaultPort(u.Scheme) {
		u.Port, u.HasPort = r.port, true
	}
	hasScheme := u.Scheme != ""
	hasAuthority := u.hasAuthority()
	path := r.path
	if err := validatePath(path, hasScheme, hasAuthority); err != nil {
		return URL{}, err
	}
	if hasScheme || hasAuthority {
		path = removeDotSegments(path)
	}
	u.Path = quote(path, pathSafe)
	if !hasAuthority && strings.HasPrefix(u.Path, "//") {
		// Dot removal can turn "/a/..//b" into "//b", which would read
		// back as an authority; "/." keeps the same meaning.
		u.Path = "/." + u.Path
	}
	if r.hasQuery {
		u.Query, u.HasQuery = quote(r.query, querySafe), true
	}
	if r.hasFragment {
		u.Fragment, u.HasFragment = quote(r.fragment, fragmentSafe), true
	}
	return u, nil
}

// validatePath applies RFC 3986 section 3.3 rules that depend on whether
// a scheme or authority is present; each rule prevents a path from being
// re-read as a different component.
func validatePath(path string, hasScheme, hasAuthority bool) error {
	if hasAuthority && path != "" && path[0] != '/' {
		return newError("For absolute URLs, path must be empty or begin with '/'")
	}
	if !hasScheme && !hasAuthority {
		if strings.HasPrefix(path, "//") {
			return newError("Relative URLs cannot have a path starting with '//'")
		}
		if strings.HasPrefix(path, ":") {
			return newError("Relative URLs cannot have a path starting with ':'")
		}
		if schemeLen(path) > 0 {
			return newError("Relative URLs cannot have a first path segment that looks like a scheme")
		}
	}
	return nil
}

// lowerASCII lower-cases ASCII letters, returning s itself when it has
// none in upper case (the common case allocates nothing).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// removeDotSegments implements RFC 3986 section 5.2.4. HTTPX's own
// variant drops the trailing slash of "/a/b/.." (giving "/a"); the RFC
// result "/a/" is used here so that Parse and Resolve agree.
func removeDotSegments(path string) string {
	if !hasDotSegment(path) {
		return path
	}
	out := make([]byte, 0, len(path))
	in := path
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			out = dropLastSegment(out)
		case in == "/..":
			in = "/"
			out = dropLastSegment(out)
		case in == "." || in == "..":
			in = ""
		default:
			start := 0
			if in[0] == '/' {
				start = 1
			}
			end := strings.IndexByte(in[start:], '/')
			if end < 0 {
				end = len(in)
			} else {
				end += start
			}
			out = append(out, in[:end]...)
			in = in[end:]
		}
	}
	return string(out)
}

func dropLastSegment(out []byte) []byte {
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] == '/' {
			return out[:i]
		}
	}
	return out[:0]
}

// hasDotSegment reports whether any '/'-separated segment is "." or "..".
func hasDotSegment(path string) bool {
	if strings.IndexByte(path, '.') < 0 {
		return false
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
