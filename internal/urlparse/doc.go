// Package urlparse implements HTTPX's URL parsing and normalisation rules
// (RFC 3986 with the WHATWG percent-encode sets) as pure functions on a
// plain struct.
//
// The root package wraps [URL] in its user-facing type; keeping the
// mechanics here lets them be tested and fuzzed without any client state.
// Every component stored in a [URL] is already normalised and
// percent-encoded, so String, Netloc and RawPath are plain concatenations.
package urlparse
