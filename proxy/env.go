package proxy

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Env is the proxy configuration found in the environment. It is a plain
// struct so that tests and embedders can build one without touching the
// process environment.
type Env struct {
	HTTPProxy  string // proxy for http:// requests (HTTP_PROXY)
	HTTPSProxy string // proxy for https:// requests (HTTPS_PROXY)
	AllProxy   string // proxy for every scheme, including ws, wss and custom ones (ALL_PROXY)
	NoProxy    string // comma-separated bypass list (NO_PROXY)
	// CGI reports that REQUEST_METHOD was set, meaning the process may be a
	// CGI script whose HTTP_PROXY came from a client's "Proxy:" header
	// (httpoxy); FromEnviron then ignored upper-case HTTP_PROXY.
	CGI bool
}

// FromEnviron reads the proxy variables through getenv (os.Getenv when nil).
//
// Each variable may be spelled in lower or upper case; the lower-case one
// wins when both are non-empty, and empty values count as unset, as in
// Python's urllib which HTTPX relies on. (urllib also lets an empty
// lower-case variable cancel a non-empty upper-case one; getenv cannot tell
// empty from unset, so here the upper-case value is used.) When REQUEST_METHOD is set the
// upper-case HTTP_PROXY is ignored, because a CGI server puts a request's
// "Proxy:" header there and an attacker could otherwise choose the proxy;
// lower-case http_proxy cannot be set that way and is still used.
func FromEnviron(getenv func(string) string) Env {
	if getenv == nil {
		getenv = os.Getenv
	}
	pick := func(lower, upper string) string {
		if v := getenv(lower); v != "" {
			return v
		}
		return getenv(upper)
	}
	e := Env{
		HTTPSProxy: pick("https_proxy", "HTTPS_PROXY"),
		AllProxy:   pick("all_proxy", "ALL_PROXY"),
		NoProxy:    pick("no_proxy", "NO_PROXY"),
		CGI:        getenv("REQUEST_METHOD") != "",
	}
	if e.CGI {
		e.HTTPProxy = getenv("http_proxy")
	} else {
		e.HTTPProxy = pick("http_proxy", "HTTP_PROXY")
	}
	return e
}

// EnvRoute is one routing entry derived from the environment. ProxyURL is
// the proxy to use for matching requests, or "" for "connect directly"
// (a NO_PROXY entry).
type EnvRoute struct {
	Pattern  Pattern
	ProxyURL string
}

// Routes turns the environment into routing entries in HTTPX's order:
// "http://" for HTTPProxy, "https://" for HTTPSProxy, "all://" for AllProxy,
// then one direct entry per NO_PROXY item. Proxy values without "://" get
// "http://" prepended ("host:3128" means "http://host:3128"). When two entries
// have the same key the later value replaces the earlier one in its
// position, as in HTTPX's mount dictionary (so NO_PROXY "http://" cancels
// HTTP_PROXY). Add the entries to a [Table] before user mounts so that user
// keys replace them.
//
// A "*" anywhere in NO_PROXY disables all environment proxies: Routes then
// returns no entries at all.
//
// NO_PROXY items are comma-separated, trimmed, and empty items are skipped:
//
//	http://a.com:81   contains "://": used as a routing key as is
//	127.0.0.1         an IP address: that address, any port
//	::1, [::1]        an IPv6 address, bracketed or not
//	10.0.0.0/8        an IP prefix, also fe80::/10 or [fe80::]/10: every address inside it
//	localhost         that host only (no subdomains)
//	example.com       example.com and its subdomains, but not wwwexample.com
//	.example.com      subdomains of example.com only
//	*.example.com     the same as .example.com
//	example.com:8080  any of the forms above followed by a port: that port only;
//	                  IPv6 addresses need brackets then ([::1]:8080)
//
// Unlike HTTPX, IP prefixes are real CIDR matches (HTTPX compares the
// network address as a string, and fails on IPv6 prefixes), and
// "*.example.com" works as in curl (HTTPX turns it into a key that never
// matches). IP addresses and localhost given with a port are matched
// exactly, not as name suffixes.
//
// Loopback hosts are not bypassed automatically. Go's
// http.ProxyFromEnvironment never proxies localhost or loopback addresses;
// HTTPX does proxy them unless NO_PROXY names them, and Routes follows HTTPX.
//
// Entries that cannot be used (an invalid proxy URL or NO_PROXY item) are
// left out and reported together in the error, while every usable entry is
// still returned; HTTPX refuses to build a client in that case, so callers
// wanting its behaviour should treat a non-nil error as fatal.
func (e Env) Routes() ([]EnvRoute, error) {
	var items []string
	for _, s := range strings.Split(e.NoProxy, ",") {
		s = strings.TrimSpace(s)
		if s == "*" {
			return nil, nil
		}
		if s != "" {
			items = append(items, s)
		}
	}

	var routes []EnvRoute
	var errs []error
	add := func(r EnvRoute) {
		for i := range routes {
			if routes[i].Pattern.key == r.Pattern.key {
				routes[i] = r
				return
			}
		}
		routes = append(routes, r)
	}
	for _, v := range [...]struct{ name, key, value string }{
		{"HTTP_PROXY", "http://", e.HTTPProxy},
		{"HTTPS_PROXY", "https://", e.HTTPSProxy},
		{"ALL_PROXY", "all://", e.AllProxy},
	} {
		if v.value == "" {
			continue
		}
		raw := v.value
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw
		}
		if _, err := ValidateURL(raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", v.name, err))
			continue
		}
		p, _ := ParsePattern(v.key) // constant keys always parse
		add(EnvRoute{Pattern: p, ProxyURL: raw})
	}
	for _, s := range items {
		p, err := noProxyPattern(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("NO_PROXY entry %q: %w", s, err))
			continue
		}
		add(EnvRoute{Pattern: p})
	}
	return routes, errors.Join(errs...)
}

// noProxyPattern converts one NO_PROXY item into a routing key and parses
// it, so that the resulting pattern prints as a key a user can override.
func noProxyPattern(item string) (Pattern, error) {
	if strings.Contains(item, "://") {
		return ParsePattern(item)
	}
	host, port, hasPort := item, "", false
	if strings.HasPrefix(item, "[") {
		if end := strings.IndexByte(item, ']'); end >= 0 {
			if i := strings.IndexByte(item[end:], ':'); i >= 0 {
				host, port, hasPort = item[:end+i], item[end+i+1:], true
			}
		}
	} else if strings.Count(item, ":") == 1 {
		i := strings.IndexByte(item, ':')
		host, port, hasPort = item[:i], item[i+1:], true
	}
	key := "all://" + noProxyHost(host)
	if hasPort {
		key += ":" + port
	}
	return ParsePattern(key)
}

// noProxyHost maps a NO_PROXY host to the host part of a routing key.
func noProxyHost(h string) string {
	inner := h
	if strings.HasPrefix(h, "[") {
		if end := strings.IndexByte(h, ']'); end >= 0 {
			inner = h[1:end] + h[end+1:]
		}
	}
	if strings.Contains(inner, "/") {
		if pfx, err := netip.ParsePrefix(inner); err == nil {
			if pfx.Addr().Is6() {
				return "[" + pfx.Addr().String() + "]/" + strconv.Itoa(pfx.Bits())
			}
			return pfx.String()
		}
	}
	if a, err := netip.ParseAddr(inner); err == nil {
		if a.Is6() {
			return "[" + inner + "]"
		}
		return inner
	}
	switch {
	case strings.EqualFold(h, "localhost"), strings.HasPrefix(h, "*"), strings.HasPrefix(h, "["):
		// "*.example.com" keeps its strict-subdomain meaning and
		// "*example.com" its key meaning; a bracket left here is malformed
		// and ParsePattern says why.
		return h
	default:
		// "example.com" covers its subdomains; ".example.com" becomes
		// "*.example.com", subdomains only.
		return "*" + h
	}
}

// ValidateURL checks a proxy URL the way HTTPX's Proxy does and returns it
// parsed: it must contain "://", use the http, https, socks5 or socks5h
// scheme, and name a host. Checking when the configuration is built turns a
// typo into an error instead of a confusing connection failure later.
//
// Error messages never include the URL's user information, because proxy
// URLs routinely carry passwords and errors end up in logs.
func ValidateURL(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("proxy: proxy URL %q has no scheme; use a URL such as \"http://host:3128\"", redact(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("proxy: invalid proxy URL %q: %v", redact(raw), err)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("proxy: Unknown scheme for proxy URL %q: %q (want http, https, socks5 or socks5h)",
			redact(raw), u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("proxy: proxy URL %q has no host", redact(raw))
	}
	return u, nil
}

// redact hides the user information of a URL-like string.
func redact(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	if at < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		start = i + 3
	}
	return raw[:start] + "xxxxx" + raw[at:]
}
