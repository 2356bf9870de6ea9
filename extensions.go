package httpx

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/gohttpx/httpx/internal/urlparse"
)

// This file reads the request extensions that transports act on ("timeout"
// is read when the request is built).

// The "target" request extension (HTTPX's extensions["target"]) replaces
// the request-target of the request line, path and query alike, with its
// value sent verbatim: "*" for OPTIONS *, or a path the URL would encode
// otherwise. The URL still gives the scheme, the host to connect to and the
// Host header. Every transport honours it: the HTTP transport writes it on
// the request line (or as HTTP/2's :path), HandlerTransport hands it to the
// handler as r.RequestURI, and a MockTransport sees it in req.Extensions.

// requestTarget returns the request-target the "target" extension sets, if
// any. The value may be a string or a []byte; like h11, which HTTPX sends
// with, it accepts visible ASCII only (0x21 to 0x7E), so a target can never
// smuggle a header or a second request onto the wire.
func requestTarget(req *Request) (target string, ok bool, err error) {
	v, ok := req.Extensions["target"]
	if !ok {
		return "", false, nil
	}
	switch v := v.(type) {
	case string:
		target = v
	case []byte:
		target = string(v)
	default:
		return "", false, usageError("Request", `the "target" extension must be a string or []byte, not %T`, v)
	}
	if target == "" {
		return "", false, newRequestError(ErrLocalProtocol, req, nil, `empty request target in the "target" extension`)
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c >= 0x7f {
			return "", false, newRequestError(ErrLocalProtocol, req, nil,
				fmt.Sprintf(`invalid request target %q in the "target" extension: byte 0x%02X at %d (only visible ASCII is allowed)`, target, c, i))
		}
	}
	return target, true, nil
}

// setRequestTarget makes net/http write target verbatim as the
// request-target of su. net/http sends an opaque URL as it is, except one
// starting with "//", which it prefixes with the scheme; such a target goes
// in the path instead. It reports whether net/http will send exactly target.
func setRequestTarget(su *url.URL, target string) bool {
	su.Opaque, su.Path, su.RawPath, su.RawQuery, su.ForceQuery = target, "", "", "", false
	if strings.HasPrefix(target, "//") {
		path, query, hasQuery := strings.Cut(target, "?")
		su.Opaque = ""
		su.Path, su.RawPath = urlparse.Unquote(path), path
		su.RawQuery, su.ForceQuery = query, hasQuery && query == ""
	}
	return su.RequestURI() == target
}

// sniHostname returns the TLS server name the "sni_hostname" extension
// (HTTPX's) sets, a string or a []byte, or "" when unset. The name replaces
// the URL's host in the TLS handshake only: SNI and the certificate check.
func sniHostname(req *Request) (string, error) {
	switch v := req.Extensions["sni_hostname"].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	default:
		return "", usageError("Request", `the "sni_hostname" extension must be a string or []byte, not %T`, v)
	}
}

// targetAndBody returns what a transport writing its own request line
// sends: the request-target (the "target" extension, else the URL's path
// and query) and the body. The target is checked first, so that a one-shot
// body is not taken for a request that is then refused.
func targetAndBody(req *Request) (string, io.Reader, error) {
	target, hasTarget, err := requestTarget(req)
	if err != nil {
		return "", nil, err
	}
	if !hasTarget {
		target = req.URL.RawPath()
	}
	body, err := req.Body()
	return target, body, err
}
