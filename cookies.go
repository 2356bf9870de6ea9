package httpx

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"
)

// Cookies is a client's cookie store (httpx.Cookies): a net/http/cookiejar
// jar, with the public-suffix list, that receives every response's
// Set-Cookie headers and supplies the Cookie header of later requests.
// Cookies set with Set have no domain and, as in HTTPX, go to every host;
// SetFor scopes a cookie to a domain and path. Cookies is safe for
// concurrent use.
type Cookies struct {
	mu     sync.Mutex
	jar    *cookiejar.Jar
	global []*http.Cookie // set without a domain: sent to every host
	// origins the jar holds cookies for, as https://host/path, so the
	// otherwise opaque jar can be listed and searched.
	seen []*url.URL
}

// NewCookies returns an empty store.
func NewCookies() *Cookies {
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	return &Cookies{jar: jar}
}

// CookiesFromMap returns a store holding m's cookies for every host.
func CookiesFromMap(m map[string]string) *Cookies {
	c := NewCookies()
	for _, k := range sortedKeys(m) {
		c.Set(k, m[k])
	}
	return c
}

// Set stores a cookie sent to every host, replacing one of the same name.
func (c *Cookies) Set(name, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.global = slices.DeleteFunc(c.global, func(k *http.Cookie) bool { return k.Name == name })
	c.global = append(c.global, &http.Cookie{Name: name, Value: value})
}

// SetFor stores a cookie for domain (and its subdomains) under path ("" = "/").
func (c *Cookies) SetFor(name, value, domain, path string) {
	if domain == "" {
		c.Set(name, value)
		return
	}
	if path == "" {
		path = "/"
	}
	u := &url.URL{Scheme: "https", Host: strings.TrimPrefix(domain, "."), Path: path}
	c.store(u, []*http.Cookie{{Name: name, Value: value, Domain: domain, Path: path}})
}

func (c *Cookies) store(u *url.URL, cookies []*http.Cookie) {
	c.jar.SetCookies(u, cookies)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range cookies {
		path := k.Path
		if path == "" {
			path = "/"
		}
		host := u.Hostname()
		if k.Domain != "" {
			host = strings.TrimPrefix(k.Domain, ".")
		}
		origin := &url.URL{Scheme: "https", Host: host, Path: path}
		if !slices.ContainsFunc(c.seen, func(s *url.URL) bool { return *s == *origin }) {
			c.seen = append(c.seen, origin)
		}
	}
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

// All returns every stored cookie (name and value; a jar does not give back
// domains and paths).
func (c *Cookies) All() []*http.Cookie {
	c.mu.Lock()
	out := slices.Clone(c.global)
	seen := slices.Clone(c.seen)
	c.mu.Unlock()
	for _, u := range seen {
		for _, k := range c.jar.Cookies(u) {
			if !slices.ContainsFunc(out, func(o *http.Cookie) bool { return o.Name == k.Name && o.Value == k.Value }) {
				out = append(out, k)
			}
		}
	}
	return out
}

// Len returns the number of stored cookies.
func (c *Cookies) Len() int { return len(c.All()) }

// Delete removes every cookie called name.
func (c *Cookies) Delete(name string) {
	c.mu.Lock()
	c.global = slices.DeleteFunc(c.global, func(k *http.Cookie) bool { return k.Name == name })
	seen := slices.Clone(c.seen)
	c.mu.Unlock()
	for _, u := range seen {
		for _, k := range c.jar.Cookies(u) {
			if k.Name == name {
				c.expire(u, name)
			}
		}
	}
}

// expire removes name from the jar for u's host, whether the cookie was
// host-only or set for the domain.
func (c *Cookies) expire(u *url.URL, name string) {
	for _, domain := range []string{"", u.Hostname()} {
		c.jar.SetCookies(u, []*http.Cookie{{Name: name, Path: u.Path, Domain: domain, MaxAge: -1}})
	}
}

// Clear removes every cookie.
func (c *Cookies) Clear() {
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jar, c.global, c.seen = jar, nil, nil
}

// Jar returns the underlying cookie jar, for code that takes an
// http.CookieJar. Cookies stored with Set are not in it (they have no domain).
func (c *Cookies) Jar() http.CookieJar {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.jar
}

// empty reports cheaply whether nothing is stored, to skip the Cookie header
// work on the hot path.
func (c *Cookies) empty() bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.global) == 0 && len(c.seen) == 0
}

// forURL returns the cookies to send to u: the jar's, then the domainless ones.
func (c *Cookies) forURL(u *URL) []*http.Cookie {
	if c.empty() {
		return nil
	}
	c.mu.Lock()
	global := slices.Clone(c.global)
	hasJar := len(c.seen) > 0
	jar := c.jar
	c.mu.Unlock()
	var out []*http.Cookie
	if hasJar && (u.Scheme() == "http" || u.Scheme() == "https") {
		out = jar.Cookies(u.stdURL())
	}
	for _, g := range global {
		if !slices.ContainsFunc(out, func(o *http.Cookie) bool { return o.Name == g.Name }) {
			out = append(out, g)
		}
	}
	return out
}

// extract stores the response's Set-Cookie headers for its request's URL.
func (c *Cookies) extract(resp *Response) {
	if c == nil || resp.Request == nil || resp.Request.URL == nil || !resp.Headers.Has("Set-Cookie") {
		return
	}
	var cookies []*http.Cookie
	for _, line := range resp.Headers.Values("Set-Cookie") {
		if k, err := http.ParseSetCookie(line); err == nil {
			cookies = append(cookies, k)
		}
	}
	if len(cookies) > 0 {
		c.store(resp.Request.URL.stdURL(), cookies)
	}
}

// Clone returns an independent copy holding the same cookies.
func (c *Cookies) Clone() *Cookies {
	n := NewCookies()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range c.global {
		n.global = append(n.global, &http.Cookie{Name: g.Name, Value: g.Value})
	}
	for _, u := range c.seen {
		n.jar.SetCookies(u, c.jar.Cookies(u))
		n.seen = append(n.seen, u)
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

// mergeCookies returns cookies with extra added, extra's values winning by name.
func mergeCookies(cookies []*http.Cookie, extra map[string]string) []*http.Cookie {
	out := slices.DeleteFunc(slices.Clone(cookies), func(k *http.Cookie) bool {
		_, ok := extra[k.Name]
		return ok
	})
	for _, name := range sortedKeys(extra) {
		out = append(out, &http.Cookie{Name: name, Value: extra[name]})
	}
	return out
}
