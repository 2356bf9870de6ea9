package urlparse

import (
	"strconv"
	"strings"
)

// URL holds the components of a parsed URL, normalised and percent-encoded
// as HTTPX does.
//
// Every field is already in canonical form, so two URLs that HTTPX would
// consider equal compare equal with ==, and the accessors only
// concatenate or decode. Build values with [Parse], [URL.With] or
// [URL.Resolve]; a hand-built URL is not validated.
type URL struct {
	// Scheme is lower-cased and "" when absent.
	Scheme string
	// Userinfo is the percent-encoded "user[:password]", "" when absent.
	Userinfo string
	// Host is lower-cased ASCII with IDNA applied; IPv6 addresses carry
	// no brackets. It is "" when absent.
	Host string
	// Port is the explicit port; it is meaningful only when HasPort.
	Port int
	// HasPort is false when the port is absent or equals the scheme's
	// default port (see [DefaultPort]).
	HasPort bool
	// Path is percent-encoded and may be "" (String keeps it empty).
	Path string
	// Query is the raw, percent-encoded query without the '?'.
	Query string
	// HasQuery distinguishes "http://h/p?" (empty query, kept by String)
	// from "http://h/p".
	HasQuery bool
	// Fragment is percent-encoded, without the '#'.
	Fragment string
	// HasFragment distinguishes an empty fragment from none.
	HasFragment bool
}

// DefaultPort returns the port implied by scheme (http 80, https 443,
// ws 80, wss 443, ftp 21) and 0 for other schemes; scheme must be
// lower-case, as URL.Scheme is.
func DefaultPort(scheme string) int {
	switch scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	case "ftp":
		return 21
	}
	return 0
}

// hasAuthority reports whether String will emit a "//" authority.
func (u URL) hasAuthority() bool {
	return u.Userinfo != "" || u.Host != "" || u.HasPort
}

func (u URL) writeHostPort(b *strings.Builder) {
	if strings.IndexByte(u.Host, ':') >= 0 {
		b.WriteByte('[')
		b.WriteString(u.Host)
		b.WriteByte(']')
	} else {
		b.WriteString(u.Host)
	}
	if u.HasPort {
		var buf [20]byte
		b.WriteByte(':')
		b.Write(strconv.AppendInt(buf[:0], int64(u.Port), 10))
	}
}

// String returns the canonical string form, which Parse maps back to the
// same URL. An empty path stays empty ("http://example.com") while an
// absent query or fragment differs from an empty one.
func (u URL) String() string {
	var b strings.Builder
	b.Grow(len(u.Scheme) + len(u.Userinfo) + len(u.Host) + len(u.Path) + len(u.Query) + len(u.Fragment) + 16)
	if u.Scheme != "" {
		b.WriteString(u.Scheme)
		b.WriteByte(':')
	}
	authority := u.hasAuthority()
	if authority {
		b.WriteString("//")
		if u.Userinfo != "" {
			b.WriteString(u.Userinfo)
			b.WriteByte('@')
		}
		u.writeHostPort(&b)
	} else if strings.HasPrefix(u.Path, "//") {
		// Without an authority a path starting with "//" would be read
		// back as one; "/." keeps it a path (the WHATWG remedy).
		b.WriteString("/.")
	} else if u.Scheme == "" && firstSegmentLooksLikeScheme(u.Path) {
		// Likewise "a:b" would be read back as scheme "a".
		b.WriteString("./")
	}
	b.WriteString(u.Path)
	if u.HasQuery {
		b.WriteByte('?')
		b.WriteString(u.Query)
	}
	if u.HasFragment {
		b.WriteByte('#')
		b.WriteString(u.Fragment)
	}
	return b.String()
}

// Netloc returns host[:port] with IPv6 hosts bracketed and without
// userinfo, which is exactly what the Host header needs.
func (u URL) Netloc() string {
	if !u.HasPort && strings.IndexByte(u.Host, ':') < 0 {
		return u.Host // the common case, without allocating
	}
	var b strings.Builder
	b.Grow(len(u.Host) + 8)
	u.writeHostPort(&b)
	return b.String()
}

// RawPath returns the HTTP request target: the path ("/" when empty)
// followed by "?query" whenever a query is present, even an empty one.
func (u URL) RawPath() string {
	p := u.Path
	if p == "" {
		p = "/"
	}
	if !u.HasQuery {
		return p
	}
	return p + "?" + u.Query
}

// IsAbsolute reports whether both scheme and host are present; HTTPX
// treats anything else (including "//host/x") as relative, e.g. for
// base_url merging.
func (u URL) IsAbsolute() bool { return u.Scheme != "" && u.Host != "" }

// DisplayHost returns Host decoded to Unicode, but only when the whole
// host starts with "xn--". That is HTTPX's rule for its host property: a
// host such as "www.xn--fa-hia.de" stays ASCII, which avoids presenting
// mixed-script look-alikes as readable text.
func (u URL) DisplayHost() string {
	if !strings.HasPrefix(u.Host, "xn--") {
		return u.Host
	}
	s, err := idnaProfile.ToUnicode(u.Host)
	if err != nil {
		return u.Host
	}
	return s
}

// Username returns the percent-decoded part of Userinfo before the first
// ':'; auth helpers need the real characters, not the escapes.
func (u URL) Username() string {
	user, _, _ := strings.Cut(u.Userinfo, ":")
	return Unquote(user)
}

// Password returns the percent-decoded part of Userinfo after the first
// ':' ("" when there is none).
func (u URL) Password() string {
	_, pass, _ := strings.Cut(u.Userinfo, ":")
	return Unquote(pass)
}

// DecodedPath returns the percent-decoded path, "/" when empty, matching
// HTTPX's path property (an empty path means the root for requests).
func (u URL) DecodedPath() string {
	if u.Path == "" {
		return "/"
	}
	return Unquote(u.Path)
}

// DecodedFragment returns the percent-decoded fragment ("" when absent).
func (u URL) DecodedFragment() string { return Unquote(u.Fragment) }
