package urlparse

import (
	"strconv"
	"strings"
)

// Components lists replacements for URL.With, mirroring the keyword
// arguments of HTTPX's URL(...) and copy_with(...). A nil field keeps the
// current value. Every string is raw user text: it is validated and
// percent-encoded with the component's own safe set, so callers never
// pre-encode (existing %XX escapes are kept).
type Components struct {
	// Scheme replaces the scheme; it must be "" or a valid RFC 3986 scheme.
	Scheme *string
	// Userinfo replaces the whole "user[:password]"; it may not contain '@'.
	Userinfo *string
	// Username and Password rebuild the userinfo from both parts. As in
	// HTTPX, setting only one of them clears the other, and an empty
	// password drops the ':'. They take precedence over Userinfo.
	Username, Password *string
	// Host replaces the host; a host containing ':' is taken as an IPv6
	// literal and bracketed automatically.
	Host *string
	// Netloc replaces host and port together from "host[:port]"; it takes
	// precedence over Host, Port and ClearPort.
	Netloc *string
	// Path replaces the path; it may not contain '?' or '#'.
	Path *string
	// RawPath replaces path and query from "path[?query]"; without a '?'
	// the query is removed. It takes precedence over Path and Query.
	RawPath *string
	// Query replaces the raw query (without '?'); it may not contain '#'.
	// A pointer to "" gives an empty query that String keeps ("p?").
	Query *string
	// Fragment replaces the fragment (without '#').
	Fragment *string
	// Port sets the port (0..65535); it is dropped if it equals the
	// scheme's default.
	Port *int
	// ClearPort removes the port when Port is nil.
	ClearPort bool
	// ClearQuery removes the query (no '?') when Query and RawPath are nil.
	ClearQuery bool
	// ClearFragment removes the fragment when Fragment is nil.
	ClearFragment bool
}

// With returns a copy of u with the given components replaced. The whole
// URL is re-normalised and re-validated, so a combination that is invalid
// as a whole is reported: for example giving a host to a URL whose path
// is relative fails with "For absolute URLs, path must be empty or begin
// with '/'", and a default port is dropped when the scheme changes to
// match it.
func (u URL) With(c Components) (URL, error) {
	r := rawURL{
		scheme:      u.Scheme,
		userinfo:    u.Userinfo,
		host:        bracketHost(u.Host),
		port:        u.Port,
		hasPort:     u.HasPort,
		path:        u.Path,
		query:       u.Query,
		hasQuery:    u.HasQuery,
		fragment:    u.Fragment,
		hasFragment: u.HasFragment,
	}

	if c.Scheme != nil {
		if err := checkComponent("scheme", *c.Scheme); err != nil {
			return URL{}, err
		}
		if !validScheme(*c.Scheme) {
			return URL{}, invalidComponent("scheme")
		}
		r.scheme = *c.Scheme
	}

	switch {
	case c.Username != nil || c.Password != nil:
		var user, pass string
		if c.Username != nil {
			user = *c.Username
		}
		if c.Password != nil {
			pass = *c.Password
		}
		userinfo := QuoteUserinfoPart(user)
		if pass != "" {
			userinfo += ":" + QuoteUserinfoPart(pass)
		}
		if tooLong(userinfo) {
			return URL{}, newError("URL component 'userinfo' too long")
		}
		r.userinfo = userinfo
	case c.Userinfo != nil:
		if err := checkComponent("userinfo", *c.Userinfo); err != nil {
			return URL{}, err
		}
		if strings.IndexByte(*c.Userinfo, '@') >= 0 {
			return URL{}, invalidComponent("userinfo")
		}
		r.userinfo = *c.Userinfo
	}

	switch {
	case c.Netloc != nil:
		host, portText, err := splitNetloc(*c.Netloc)
		if err != nil {
			return URL{}, err
		}
		if err := checkComponent("host", host); err != nil {
			return URL{}, err
		}
		if err := checkComponent("port", portText); err != nil {
			return URL{}, err
		}
		port, hasPort, err := parsePort(portText)
		if err != nil {
			return URL{}, err
		}
		r.host, r.port, r.hasPort = host, port, hasPort
	default:
		if c.Host != nil {
			if err := checkComponent("host", *c.Host); err != nil {
				return URL{}, err
			}
			r.host = bracketHost(*c.Host)
		}
		switch {
		case c.Port != nil:
			p := *c.Port
			if p < 0 || p > 65535 {
				return URL{}, newError("Invalid port: " + pyRepr(strconv.Itoa(p)))
			}
			r.port, r.hasPort = p, true
		case c.ClearPort:
			r.port, r.hasPort = 0, false
		}
	}

	switch {
	case c.RawPath != nil:
		path, query, hasQuery := strings.Cut(*c.RawPath, "?")
		if err := setPath(&r, path); err != nil {
			return URL{}, err
		}
		if !hasQuery {
			r.query, r.hasQuery = "", false
		} else if err := setQuery(&r, query); err != nil {
			return URL{}, err
		}
	default:
		if c.Path != nil {
			if err := setPath(&r, *c.Path); err != nil {
				return URL{}, err
			}
		}
		switch {
		case c.Query != nil:
			if err := setQuery(&r, *c.Query); err != nil {
				return URL{}, err
			}
		case c.ClearQuery:
			r.query, r.hasQuery = "", false
		}
	}

	switch {
	case c.Fragment != nil:
		if err := checkComponent("fragment", *c.Fragment); err != nil {
			return URL{}, err
		}
		r.fragment, r.hasFragment = *c.Fragment, true
	case c.ClearFragment:
		r.fragment, r.hasFragment = "", false
	}

	return r.build()
}

func setPath(r *rawURL, path string) error {
	if err := checkComponent("path", path); err != nil {
		return err
	}
	if strings.ContainsAny(path, "?#") {
		return invalidComponent("path")
	}
	r.path = path
	return nil
}

func setQuery(r *rawURL, query string) error {
	if err := checkComponent("query", query); err != nil {
		return err
	}
	if strings.IndexByte(query, '#') >= 0 {
		return invalidComponent("query")
	}
	r.query, r.hasQuery = query, true
	return nil
}

// checkComponent applies the length and control-character limits to one
// replacement component, naming it in the error as HTTPX does.
func checkComponent(name, value string) error {
	if tooLong(value) {
		return newError("URL component '" + name + "' too long")
	}
	return checkPrintable(value, name)
}

func invalidComponent(name string) error {
	return newError("Invalid URL component '" + name + "'")
}

// bracketHost restores the brackets of an IPv6 literal so that a stored
// or user-given host can go through the same validation as a parsed one.
func bracketHost(host string) string {
	if strings.IndexByte(host, ':') >= 0 && !(strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]")) {
		return "[" + host + "]"
	}
	return host
}

// splitNetloc splits "host[:port]", honouring IPv6 brackets (an
// unbracketed IPv6 literal cannot be told apart from host:port). Unlike
// HTTPX's plain partition(":") this keeps "[::1]:8080" intact.
func splitNetloc(netloc string) (host, port string, err error) {
	if strings.HasPrefix(netloc, "[") {
		if i := strings.LastIndexByte(netloc, ']'); i >= 0 {
			host, rest := netloc[:i+1], netloc[i+1:]
			switch {
			case rest == "":
				return host, "", nil
			case rest[0] == ':':
				return host, rest[1:], nil
			}
			return "", "", newError("Invalid IPv6 address: " + pyRepr(netloc))
		}
	}
	host, port, _ = strings.Cut(netloc, ":")
	return host, port, nil
}
