package proxy

import (
	"iter"
	"net/netip"
)

// Route pairs a pattern with the caller's value for requests that match it:
// a transport for mounts, a proxy URL for proxies.
type Route[T any] struct {
	Pattern Pattern
	Value   T
}

// Table is an ordered set of routes, looked up most specific first.
//
// Routes are kept sorted by HTTPX's priority: patterns with a port come
// before those without; then longer hosts come first (counting any '*', so
// "*example.com" is tried before "example.com"; internationalised names
// count in their punycode form and IP prefixes as "10.0.0.0/8"); then
// longer schemes ("https" before "http" before "all"). Routes of equal
// priority keep the order in which they were added, so entries added first
// (HTTPX adds environment proxies before user mounts) win ties. Adding a route whose key
// is exactly an existing route's key replaces that route's value in place,
// which is how a user mount overrides an environment entry.
//
// The zero Table is empty and ready to use. A Table is not safe for
// concurrent modification; it is safe for concurrent Lookup once built.
type Table[T any] struct {
	routes []Route[T]
	// needIP is set when some route compares IP addresses, so Lookup parses
	// the request host only when it can matter.
	needIP bool
}

// Add parses key with [ParsePattern] and adds the route. It returns the
// parse error, leaving the table unchanged, when the key is invalid.
func (t *Table[T]) Add(key string, v T) error {
	p, err := ParsePattern(key)
	if err != nil {
		return err
	}
	t.AddPattern(p, v)
	return nil
}

// AddPattern adds a route for an already parsed pattern, replacing the value
// of a route with the same key.
func (t *Table[T]) AddPattern(p Pattern, v T) {
	for i := range t.routes {
		if t.routes[i].Pattern.key == p.key {
			t.routes[i] = Route[T]{Pattern: p, Value: v}
			return
		}
	}
	// Insert after every route that sorts before or equal to p, which keeps
	// insertion order among equals.
	i := len(t.routes)
	for i > 0 && less(p, t.routes[i-1].Pattern) {
		i--
	}
	var zero Route[T]
	t.routes = append(t.routes, zero)
	copy(t.routes[i+1:], t.routes[i:])
	t.routes[i] = Route[T]{Pattern: p, Value: v}
	if p.kind == hostIP || p.kind == hostPrefix {
		t.needIP = true
	}
}

// less reports whether a is more specific than b under HTTPX's ordering.
func less(a, b Pattern) bool {
	if ap, bp := a.port != 0, b.port != 0; ap != bp {
		return ap
	}
	if a.hostLen != b.hostLen {
		return a.hostLen > b.hostLen
	}
	return len(a.scheme) > len(b.scheme)
}

// Lookup returns the value of the first route, in priority order, whose
// pattern matches the request; ok is false when none does, which HTTPX
// treats as "use the default transport" or "no proxy". The arguments are as
// for [Pattern.Matches]. Lookup does not allocate.
func (t *Table[T]) Lookup(scheme, host string, port int) (v T, ok bool) {
	host = stripBrackets(host)
	var a netip.Addr
	if t.needIP {
		a = parseIP(host)
	}
	if port == 0 {
		port = DefaultPort(scheme)
	}
	for i := range t.routes {
		if t.routes[i].Pattern.match(scheme, host, a, port) {
			return t.routes[i].Value, true
		}
	}
	return v, false
}

// Len returns the number of routes.
func (t *Table[T]) Len() int { return len(t.routes) }

// All yields the routes in lookup order, which is useful for debugging a
// routing configuration and for building one table from another.
func (t *Table[T]) All() iter.Seq2[Pattern, T] {
	return func(yield func(Pattern, T) bool) {
		for _, r := range t.routes {
			if !yield(r.Pattern, r.Value) {
				return
			}
		}
	}
}
