package httpx

import "github.com/gohttpx/httpx/internal/h1"

// Masked is what every output this package produces (logs, debug dumps, curl
// commands, recordings, error messages) shows in place of a secret: HTTPX's
// marker.
const Masked = "[secure]"

// DefaultRedactedHeaders are the header names whose values are masked in
// output by default. Authorization and Proxy-Authorization carry credentials;
// Cookie and Set-Cookie carry sessions, which are credentials too.
var DefaultRedactedHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// Redacted returns a copy with the values of DefaultRedactedHeaders and of
// the extra names (compared case-insensitively) replaced by Masked; names and
// order are kept, so the copy still shows which fields were sent.
func (h Headers) Redacted(extra ...string) Headers {
	out := h.Clone()
	for i, f := range out.fields {
		if isRedacted(f.name, extra) {
			out.fields[i].value = Masked
		}
	}
	return out
}

// isRedacted reports whether a header's value is masked in output.
func isRedacted(name string, extra []string) bool {
	for _, list := range [2][]string{DefaultRedactedHeaders, extra} {
		for _, n := range list {
			if h1.EqualFold(name, n) {
				return true
			}
		}
	}
	return false
}
