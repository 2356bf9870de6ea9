package httpx

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Cookies is a client's cookie store (httpx.Cookies): it receives every
// response's Set-Cookie headers and supplies the Cookie header of later
// requests. Cookies set with Set have no domain and, as in HTTPX, go to every
// host; SetFor scopes a cookie to a domain and path.
//
// The store keeps its own ordered list instead of wrapping
// net/http/cookiejar, because that jar can neither list its cookies nor keep
// HTTPX's order and a value's quotes. The order is http.cookiejar's: cookies
// grouped by domain, then by path, first stored first, a replaced cookie
// keeping its place. Accepting Set-Cookie follows RFC 6265 with the public
// suffix list, stricter than HTTPX. Cookies is safe for concurrent use.
type Cookies struct {
	mu      sync.Mutex
	entries []*storedCookie // in jar order, see insert
}

// storedCookie is one cookie with the attributes matching needs. domain is
// the group key http.cookiejar lists: "" for a cookie sent to every host,
// "host" for a host-only cookie, ".domain" for a domain and its subdomains.
type storedCookie struct {
	domain, path, name, value string
	secure, httpOnly          bool
	expires                   time.Time // zero for a session cookie
}

func (k *storedCookie) expired(now time.Time) bool {
	return !k.expires.IsZero() && !k.expires.After(now)
}

func (k *storedCookie) httpCookie() *http.Cookie {
	return &http.Cookie{Name: k.name, Value: k.value, Domain: k.domain, Path: k.path,
		Secure: k.secure, HttpOnly: k.httpOnly, Expires: k.expires}
}

// NewCookies returns an empty store.
func NewCookies() *Cookies { return &Cookies{} }

// CookiesFromMap returns a store holding m's cookies for every host, in
// sorted name order. Entries Set refuses are left out; WithCookies reports
// them.
func CookiesFromMap(m map[string]string) *Cookies {
	c := NewCookies()
	for _, k := range sortedKeys(m) {
		_ = c.Set(k, m[k])
	}
	return c
}

// checkCookie refuses a name or value that would change the Cookie header's
// meaning: ';' and ',' separate cookies, CR, LF and NUL would end or corrupt
// the header line, and '=' in a name moves the value boundary. HTTPX sends
// such values as they are ({"session": "abc; admin=1"} becomes two cookies).
func checkCookie(op, name, value string) error {
	if i := strings.IndexAny(name, "=;,\r\n\x00"); i >= 0 {
		return usageError(op, "cookie name %q contains %q, which is not allowed in a Cookie header", name, name[i])
	}
	if i := strings.IndexAny(value, ";,\r\n\x00"); i >= 0 {
		return usageError(op, "cookie %q has a value containing %q, which would split or break the Cookie header", name, value[i])
	}
	return nil
}

// checkCookies is checkCookie for every entry of a WithCookies map.
func checkCookies(m map[string]string) error {
	for _, k := range sortedKeys(m) {
		if err := checkCookie("WithCookies", k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// Set stores a cookie sent to every host, replacing one of the same name in
// its place. A name or value that would split the Cookie header (';', ',',
// CR, LF, NUL; '=' in the name) is refused with an ErrUsage error.
func (c *Cookies) Set(name, value string) error {
	if err := checkCookie("Cookies.Set", name, value); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(&storedCookie{name: name, value: value, path: "/"})
	return nil
}

// SetFor stores a cookie for domain and its subdomains under path ("" =
// "/"); an empty domain is Set. It refuses what Set refuses.
func (c *Cookies) SetFor(name, value, domain, path string) error {
	if domain == "" {
		return c.Set(name, value)
	}
	if err := checkCookie("Cookies.SetFor", name, value); err != nil {
		return err
	}
	if path == "" {
		path = "/"
	}
	d, ok := asciiDomain(domain)
	if !ok {
		return usageError("Cookies.SetFor", "cookie %q: invalid domain %q", name, domain)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(&storedCookie{name: name, value: value, domain: "." + d, path: path})
	return nil
}

// insert stores k in jar order: in place of the cookie with its domain, path
// and name; else after the last cookie of its domain and path; else after the
// last of its domain; else at the end. That is the order of http.cookiejar's
// nested domain → path → name dictionaries. The caller holds c.mu.
func (c *Cookies) insert(k *storedCookie) {
	at, sameDomain := -1, -1
	for i, e := range c.entries {
		if e.domain != k.domain {
			continue
		}
		sameDomain = i
		if e.path == k.path {
			if e.name == k.name {
				c.entries[i] = k
				return
			}
			at = i
		}
	}
	if at < 0 {
		at = sameDomain
	}
	if at < 0 {
		c.entries = append(c.entries, k)
		return
	}
	c.entries = slices.Insert(c.entries, at+1, k)
}

// remove deletes the cookie with k's domain, path and name, if stored. The
// caller holds c.mu.
func (c *Cookies) remove(k *storedCookie) {
	c.entries = slices.DeleteFunc(c.entries, func(e *storedCookie) bool {
		return e.domain == k.domain && e.path == k.path && e.name == k.name
	})
}

// live drops expired cookies and returns the rest. The caller holds c.mu.
func (c *Cookies) live() []*storedCookie {
	now := time.Now()
	c.entries = slices.DeleteFunc(c.entries, func(e *storedCookie) bool { return e.expired(now) })
	return c.entries
}

// Get returns the value of the cookie called name. When several cookies of
// that name with different values exist (for different domains or paths),
// it fails with ErrCookieConflict; when none does, it returns "" and nil.
func (c *Cookies) Get(name string) (string, error) {
	var values []string
	for _, k := range c.All() {
		if k.Name == name && !slices.Contains(values, k.Value) {
			values = append(values, k.Value)
		}
	}
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		return values[0], nil
	}
	return "", &kindError{kind: ErrCookieConflict.(*errorKind), msg: "multiple cookies exist with name=" + name}
}

// All returns every stored cookie in jar order, as HTTPX iterates its jar.
// Domain is "" for a cookie sent to every host, the host for a host-only
// cookie and ".domain" for a domain cookie, as http.cookiejar lists them; a
// quoted value keeps its quotes.
func (c *Cookies) All() []*http.Cookie {
	c.mu.Lock()
	defer c.mu.Unlock()
	entries := c.live()
	out := make([]*http.Cookie, len(entries))
	for i, k := range entries {
		out[i] = k.httpCookie()
	}
	return out
}

// Len returns the number of stored cookies.
func (c *Cookies) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.live())
}

// Delete removes every cookie called name.
func (c *Cookies) Delete(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = slices.DeleteFunc(c.entries, func(e *storedCookie) bool { return e.name == name })
}

// Clear removes every cookie.
func (c *Cookies) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}

// Jar returns the store as an http.CookieJar, for code that takes one: what
// is set through it is stored here (cookies Set would refuse are dropped),
// and it answers with the cookies a request to the URL would carry.
func (c *Cookies) Jar() http.CookieJar { return cookieJar{c} }

// cookieJar adapts Cookies to http.CookieJar.
type cookieJar struct{ c *Cookies }

func (j cookieJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	var valid []*http.Cookie
	for _, k := range cookies {
		if checkCookie("Jar.SetCookies", k.Name, k.Value) == nil {
			valid = append(valid, k)
		}
	}
	j.c.store(u.Hostname(), u.EscapedPath(), valid)
}

func (j cookieJar) Cookies(u *url.URL) []*http.Cookie {
	return j.c.matching(u.Hostname(), u.EscapedPath(), u.Scheme)
}

// empty reports cheaply whether nothing is stored, to skip the Cookie header
// work on the hot path.
func (c *Cookies) empty() bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries) == 0
}

// forURL returns the cookies to send to u, in the Cookie header's order.
func (c *Cookies) forURL(u *URL) []*http.Cookie {
	if c.empty() {
		return nil
	}
	return c.matching(u.RawHost(), u.u.Path, u.Scheme())
}

// matching returns the cookies for a request to host and the escaped path
// over scheme: longest path first, then in jar order, as http.cookiejar's
// add_cookie_header sorts them.
func (c *Cookies) matching(host, path, scheme string) []*http.Cookie {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if path == "" {
		path = "/"
	}
	secure := scheme == "https" || scheme == "wss"
	c.mu.Lock()
	var out []*http.Cookie
	for _, k := range c.live() {
		if (secure || !k.secure) && domainMatches(host, k.domain) && pathMatches(path, k.path) {
			out = append(out, &http.Cookie{Name: k.name, Value: k.value, Domain: k.domain, Path: k.path})
		}
	}
	c.mu.Unlock()
	slices.SortStableFunc(out, func(a, b *http.Cookie) int { return len(b.Path) - len(a.Path) })
	return out
}

// domainMatches reports whether a cookie of the domain group key is sent to
// host: every host for "", the host itself for a host-only cookie, the
// domain and its subdomains for ".domain" (never a suffix of an IP address).
func domainMatches(host, key string) bool {
	switch {
	case key == "":
		return true
	case key[0] != '.':
		return host == key
	}
	d := key[1:]
	return host == d || strings.HasSuffix(host, key) && net.ParseIP(host) == nil
}

// pathMatches is RFC 6265's path-match: the same path, or a prefix of it
// that ends with "/" or is followed by "/".
func pathMatches(reqPath, cookiePath string) bool {
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return len(reqPath) == len(cookiePath) || strings.HasSuffix(cookiePath, "/") || reqPath[len(cookiePath)] == '/'
}

// extract stores the response's Set-Cookie headers for its request's URL.
func (c *Cookies) extract(resp *Response) {
	if c == nil || resp.Request == nil || resp.Request.URL == nil || !resp.Headers.Has("Set-Cookie") {
		return
	}
	var cookies []*http.Cookie
	for _, line := range resp.Headers.Values("Set-Cookie") {
		if k, err := http.ParseSetCookie(line); err == nil {
			if k.Quoted {
				k.Value, k.Quoted = `"`+k.Value+`"`, false
			}
			cookies = append(cookies, k)
		}
	}
	u := resp.Request.URL
	c.store(u.RawHost(), u.u.Path, cookies)
}

// store applies cookies a server set for a request to host and the escaped
// path: a cookie is stored, replaces its namesake, or (expired, Max-Age <= 0)
// deletes it. A Domain attribute must cover host and not be a public suffix
// (one equal to host makes a host-only cookie); a cookie breaking these
// rules is ignored, as browsers do.
func (c *Cookies) store(host, path string, cookies []*http.Cookie) {
	if len(cookies) == 0 {
		return
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if host == "" {
		return // a host-only cookie needs a host; its key "" would send it everywhere
	}
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range cookies {
		domain, ok := cookieDomain(host, k.Domain)
		if !ok {
			continue
		}
		sc := &storedCookie{domain: domain, path: k.Path, name: k.Name, value: k.Value, secure: k.Secure, httpOnly: k.HttpOnly}
		if !strings.HasPrefix(sc.path, "/") {
			sc.path = defaultCookiePath(path)
		}
		switch {
		case k.MaxAge < 0:
			c.remove(sc)
			continue
		case k.MaxAge > 0:
			sc.expires = now.Add(time.Duration(min(k.MaxAge, maxCookieAge)) * time.Second)
		case !k.Expires.IsZero():
			sc.expires = k.Expires
		}
		if sc.expired(now) {
			c.remove(sc)
			continue
		}
		c.insert(sc)
	}
}

// maxCookieAge caps Max-Age (in seconds, about 136 years) so that a huge
// value cannot overflow into an expiry in the past.
const maxCookieAge = 1 << 32

// cookieDomain returns the group key for a cookie host sent with the Domain
// attribute attr, or false when the attribute is not allowed for host.
func cookieDomain(host, attr string) (string, bool) {
	if attr == "" {
		return host, true
	}
	d, ok := asciiDomain(attr)
	if !ok {
		return "", false
	}
	if net.ParseIP(host) != nil {
		return host, d == host
	}
	if ps, _ := publicsuffix.PublicSuffix(d); ps == d {
		return host, d == host
	}
	if host != d && !strings.HasSuffix(host, "."+d) {
		return "", false
	}
	return "." + d, true
}

// asciiDomain returns a cookie domain without its leading dot, lower-cased
// and punycode-encoded as hosts are in URLs; false when it is not a usable
// name.
func asciiDomain(domain string) (string, bool) {
	d := strings.ToLower(strings.TrimPrefix(domain, "."))
	if strings.ContainsFunc(d, func(r rune) bool { return r >= utf8.RuneSelf }) {
		var err error
		if d, err = idna.Lookup.ToASCII(d); err != nil {
			return "", false
		}
	}
	if d == "" || strings.HasSuffix(d, ".") || strings.ContainsAny(d, " ;,/\\\r\n\x00") {
		return "", false
	}
	return d, true
}

// defaultCookiePath is RFC 6265's default-path: the request path up to, not
// including, its last "/"; "/" when that leaves nothing.
func defaultCookiePath(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return "/"
	}
	return path[:i]
}

// Clone returns an independent copy holding the same cookies in the same
// order.
func (c *Cookies) Clone() *Cookies {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := &Cookies{entries: make([]*storedCookie, len(c.entries))}
	for i, k := range c.entries {
		cp := *k
		n.entries[i] = &cp
	}
	return n
}

// cookieHeader joins cookies into a Cookie header value.
func cookieHeader(cookies []*http.Cookie) string {
	var b strings.Builder
	for i, k := range cookies {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k.Name)
		b.WriteByte('=')
		b.WriteString(k.Value)
	}
	return b.String()
}

// mergeCookies returns cookies with extra added as HTTPX merges request
// cookies into a copy of the client's jar: extra's value replaces, in its
// place, a cookie of that name sent to every host (Domain ""); other names
// join the end of those cookies' run, or the end of the list when there are
// none. A host's cookie of the same name stays and is sent too.
func mergeCookies(cookies []*http.Cookie, extra map[string]string) []*http.Cookie {
	out := slices.Clone(cookies)
	end := len(out)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Domain == "" {
			end = i + 1
			break
		}
	}
	var added []*http.Cookie
	for _, name := range sortedKeys(extra) {
		k := &http.Cookie{Name: name, Value: extra[name], Path: "/"}
		if i := slices.IndexFunc(out, func(o *http.Cookie) bool { return o.Domain == "" && o.Name == name }); i >= 0 {
			out[i] = k
		} else {
			added = append(added, k)
		}
	}
	return slices.Insert(out, end, added...)
}
