package urlparse

import "strings"

// Resolve resolves the reference ref against u as the base, following
// RFC 3986 section 5.2 (what Python's urljoin and HTTPX's URL.join do).
//
// ref is parsed and validated with Parse first. Dot segments are removed
// from the merged path and the result is re-normalised, so it equals
// Parse of its own String. Like urljoin, a reference whose scheme equals
// the base's and that has no authority ("http:g") is resolved as a
// relative reference (the RFC's backward-compatible mode), which is what
// redirect handling needs; unlike urljoin this works for every scheme.
func (u URL) Resolve(ref string) (URL, error) {
	r, err := Parse(ref)
	if err != nil {
		return URL{}, err
	}
	if r.Scheme == u.Scheme && !r.hasAuthority() {
		r.Scheme = ""
	}
	var t URL
	switch {
	case r.Scheme != "":
		t = r
		t.Path = removeDotSegments(r.Path)
	case r.hasAuthority():
		t = r
		t.Scheme = u.Scheme
		t.Path = removeDotSegments(r.Path)
	default:
		t = u
		if r.Path == "" {
			if r.HasQuery {
				t.Query, t.HasQuery = r.Query, true
			}
		} else {
			if r.Path[0] == '/' {
				t.Path = removeDotSegments(r.Path)
			} else {
				t.Path = removeDotSegments(mergePaths(u, r.Path))
			}
			t.Query, t.HasQuery = r.Query, r.HasQuery
		}
	}
	t.Fragment, t.HasFragment = r.Fragment, r.HasFragment
	// String guards against a path that would be read back as an
	// authority or a scheme, so parsing it yields the canonical result.
	return Parse(t.String())
}

// mergePaths implements RFC 3986 section 5.2.3.
func mergePaths(base URL, ref string) string {
	if base.hasAuthority() && base.Path == "" {
		return "/" + ref
	}
	if i := strings.LastIndexByte(base.Path, '/'); i >= 0 {
		return base.Path[:i+1] + ref
	}
	return ref
}
