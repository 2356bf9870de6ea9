package httpx

import (
	"strings"

	"github.com/gohttpx/httpx/internal/h1"
)

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

// redactRawURL masks the password of a URL that may not parse, for error
// messages about it. The user information is taken to end at the last "@"
// before any query or fragment, so that a password holding a "/" (which
// ends the authority for a parser) is still masked.
func redactRawURL(raw string) string {
	start := strings.Index(raw, "://")
	if start < 0 {
		return raw
	}
	start += 3
	end := len(raw)
	if i := strings.IndexAny(raw[start:], "?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndexByte(raw[start:end], '@')
	if at < 0 {
		return raw
	}
	at += start
	colon := strings.IndexByte(raw[start:at], ':')
	if colon < 0 {
		return raw
	}
	return raw[:start+colon+1] + Masked + raw[at:]
}

// redaction is a client's masking policy for the output it produces:
// WithRedactHeaders adds names to DefaultRedactedHeaders, WithShowSecrets
// turns masking off. The zero value masks the defaults, which is what a
// request built without a client gets.
type redaction struct {
	extra []string
	show  bool
}

// value returns a header's value as output may show it.
func (p redaction) value(name, value string) string {
	if !p.show && isRedacted(name, p.extra) {
		return Masked
	}
	return value
}

// url returns u as output may show it.
func (p redaction) url(u *URL) string {
	if p.show {
		return u.String()
	}
	return u.Redacted()
}

// secret returns s, or Masked unless secrets are shown.
func (p redaction) secret(s string) string {
	if p.show {
		return s
	}
	return Masked
}
