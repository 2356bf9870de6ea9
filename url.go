package httpx

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gohttpx/httpx/internal/urlparse"
)

// URL is a parsed, normalised URL (httpx.URL): scheme and host lower-cased,
// IDNA hosts punycode-encoded, a default port dropped, each component
// percent-encoded with HTTPX's character sets. A URL is immutable; the Copy
// and With methods return new values. Its zero value is the empty relative
// URL.
type URL struct {
	u      urlparse.URL
	netloc string // u.Netloc(), computed once: every request needs it thrice
}

func newURL(u urlparse.URL) *URL { return &URL{u: u, netloc: u.Netloc()} }

// ParseURL parses and normalises raw. A malformed URL gives an
// *InvalidURLError (ErrInvalidURL).
func ParseURL(raw string) (*URL, error) {
	u, err := urlparse.Parse(raw)
	if err != nil {
		return nil, invalidURL(raw, err)
	}
	return newURL(u), nil
}

func invalidURL(raw string, err error) error {
	var pe *urlparse.Error
	if errors.As(err, &pe) {
		raw = redactRawURL(raw)
		if len(raw) > 200 {
			raw = raw[:200] + "…"
		}
		return &InvalidURLError{URL: raw, Reason: pe.Reason}
	}
	return err
}

// String returns the URL's canonical form; an empty path stays empty
// ("http://example.com"), as HTTPX prints it.
func (u *URL) String() string { return u.u.String() }

// Redacted is String with the password replaced by "[secure]", for logs and
// error messages.
func (u *URL) Redacted() string {
	if u.u.Userinfo == "" || !strings.Contains(u.u.Userinfo, ":") {
		return u.u.String()
	}
	c := u.u
	user, _, _ := strings.Cut(c.Userinfo, ":")
	c.Userinfo = user + ":" + Masked
	return c.String()
}

// Scheme returns the lower-cased scheme, or "".
func (u *URL) Scheme() string { return u.u.Scheme }

// Host returns the host for display: lower-cased, IPv6 without brackets, and
// an IDNA host decoded to Unicode when it starts with "xn--" (HTTPX's rule).
func (u *URL) Host() string { return u.u.DisplayHost() }

// RawHost returns the host as sent on the wire: ASCII, punycode-encoded.
func (u *URL) RawHost() string { return u.u.Host }

// Port returns the explicit port, or 0 when the URL has none or it is the
// scheme's default (http://example.com:80 has no port).
func (u *URL) Port() int {
	if !u.u.HasPort {
		return 0
	}
	return u.u.Port
}

// EffectivePort returns Port, or the scheme's default port (80 for http and
// ws, 443 for https and wss, 21 for ftp), or 0 when neither is known.
func (u *URL) EffectivePort() int {
	if u.u.HasPort {
		return u.u.Port
	}
	return urlparse.DefaultPort(u.u.Scheme)
}

// Netloc returns host[:port] as used in the Host header: no userinfo, IPv6
// bracketed, port only when not the default.
func (u *URL) Netloc() string {
	if u.netloc == "" {
		return u.u.Netloc() // the zero URL, or one built outside newURL
	}
	return u.netloc
}

// Userinfo returns the percent-encoded "user:password" part, or "".
func (u *URL) Userinfo() string { return u.u.Userinfo }

// Username returns the percent-decoded user name, or "".
func (u *URL) Username() string { return u.u.Username() }

// Password returns the percent-decoded password, or "".
func (u *URL) Password() string { return u.u.Password() }

// Path returns the percent-decoded path; "/" when the URL has none.
func (u *URL) Path() string { return u.u.DecodedPath() }

// RawPath returns the request target: the encoded path (or "/") plus
// "?query" when the URL has a query.
func (u *URL) RawPath() string { return u.u.RawPath() }

// Query returns the raw, percent-encoded query without "?".
func (u *URL) Query() string { return u.u.Query }

// Fragment returns the percent-decoded fragment without "#".
func (u *URL) Fragment() string { return u.u.DecodedFragment() }

// Params returns the query parsed into QueryParams.
func (u *URL) Params() QueryParams { return ParseQueryParams(u.u.Query) }

// IsAbsolute reports whether the URL has both a scheme and a host.
func (u *URL) IsAbsolute() bool { return u.u.IsAbsolute() }

// IsRelative is !IsAbsolute.
func (u *URL) IsRelative() bool { return !u.u.IsAbsolute() }

// Equal reports whether both URLs have the same canonical form, so
// "http://a:80" equals "http://a".
func (u *URL) Equal(other *URL) bool {
	if u == nil || other == nil {
		return u == other
	}
	return u.u == other.u
}

// Join resolves ref against u as RFC 3986 section 5.2 describes (httpx.URL.join).
func (u *URL) Join(ref string) (*URL, error) {
	j, err := u.u.Resolve(ref)
	if err != nil {
		return nil, invalidURL(ref, err)
	}
	return newURL(j), nil
}

// URLComponents names the parts CopyWith replaces. An empty field keeps the
// URL's own value; the Clear flags remove a part. Values are raw text,
// encoded with each component's character set.
type URLComponents struct {
	Scheme, Username, Password, Host, Path, Query, Fragment string
	Port                                                    int
	// RawPath replaces path and query together from a request target such as
	// "/a/b?x=1" (HTTPX's raw_path).
	RawPath                                             string
	ClearUserinfo, ClearPort, ClearQuery, ClearFragment bool
}

// CopyWith returns a copy of u with the given parts replaced and checked, for
// example u.CopyWith(URLComponents{Scheme: "https"}).
func (u *URL) CopyWith(c URLComponents) (*URL, error) {
	var pc urlparse.Components
	set := func(dst **string, v string) {
		if v != "" {
			*dst = &v
		}
	}
	set(&pc.Scheme, c.Scheme)
	set(&pc.Username, c.Username)
	set(&pc.Password, c.Password)
	set(&pc.Host, c.Host)
	set(&pc.Path, c.Path)
	set(&pc.Query, c.Query)
	set(&pc.Fragment, c.Fragment)
	if c.RawPath != "" {
		path, query, hasQuery := strings.Cut(c.RawPath, "?")
		pc.Path = &path
		if hasQuery {
			pc.Query = &query
		} else {
			c.ClearQuery = true
		}
	}
	if c.Port != 0 {
		pc.Port = &c.Port
	}
	empty := ""
	if c.ClearUserinfo {
		pc.Username, pc.Password = &empty, &empty
	}
	pc.ClearPort = c.ClearPort
	n, err := u.u.With(pc)
	if err != nil {
		return nil, invalidURL(u.u.String(), err)
	}
	if c.ClearQuery {
		n.Query, n.HasQuery = "", false
	}
	if c.ClearFragment {
		n.Fragment, n.HasFragment = "", false
	}
	return newURL(n), nil
}

// withQuery returns a copy whose query is replaced by the encoded params;
// empty params remove the query.
func (u *URL) withQuery(q QueryParams) *URL {
	n := *u
	n.u.Query = q.Encode()
	n.u.HasQuery = n.u.Query != ""
	return &n
}

// CopySetParam returns a copy with the query parameter key set to value only.
func (u *URL) CopySetParam(key, value string) *URL {
	p := u.Params()
	p.Set(key, value)
	return u.withQuery(p)
}

// CopyAddParam returns a copy with one more value for key.
func (u *URL) CopyAddParam(key, value string) *URL {
	p := u.Params()
	p.Add(key, value)
	return u.withQuery(p)
}

// CopyRemoveParam returns a copy without key.
func (u *URL) CopyRemoveParam(key string) *URL {
	p := u.Params()
	p.Del(key)
	return u.withQuery(p)
}

// CopyMergeParams returns a copy whose query is merged with params, params'
// keys replacing the URL's.
func (u *URL) CopyMergeParams(params QueryParams) *URL {
	p := u.Params()
	p.Merge(params)
	return u.withQuery(p)
}

// stdURL converts to a *url.URL for net/http.
func (u *URL) stdURL() *url.URL {
	su := new(url.URL)
	u.setStdURL(su)
	return su
}

// setStdURL fills su for net/http. The path is handed over in encoded form
// so that net/http sends exactly our request target.
func (u *URL) setStdURL(su *url.URL) {
	*su = url.URL{
		Scheme:   u.u.Scheme,
		Host:     u.Netloc(),
		RawQuery: u.u.Query,
	}
	if u.u.HasQuery && u.u.Query == "" {
		su.ForceQuery = true
	}
	if u.u.Userinfo != "" {
		if user, pass, ok := strings.Cut(u.u.Userinfo, ":"); ok {
			su.User = url.UserPassword(urlparse.Unquote(user), urlparse.Unquote(pass))
		} else {
			su.User = url.User(urlparse.Unquote(user))
		}
	}
	encoded := u.u.Path
	if encoded == "" {
		encoded = "/"
	}
	su.Path = urlparse.Unquote(encoded)
	if encoded != su.Path {
		su.RawPath = encoded
	}
	if su.EscapedPath() != encoded && !strings.HasPrefix(encoded, "//") {
		// net/url would re-escape characters HTTPX leaves alone (| ^ \ ...);
		// an opaque path is written verbatim.
		su.Opaque, su.Path, su.RawPath = encoded, "", ""
	}
}
