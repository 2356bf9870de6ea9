package httpx

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gohttpx/httpx/internal/urlparse"
)

// Request is an HTTP request (httpx.Request). Build one with NewRequest or
// Client.BuildRequest, change it freely, then send it with Client.Send. The
// exported fields are what the client merged; the body is reached through
// Content, Body and ContentLength. A Request is not safe for concurrent use.
type Request struct {
	// Method is upper-cased, e.g. "GET".
	Method string
	// URL is the absolute URL to send to (a relative URL fails with
	// ErrUnsupportedProtocol when sent, unless the client has a base URL).
	URL *URL
	// Headers are sent as they are, Host first (from the URL), then the
	// client's and the request's headers, then the body's.
	Headers Headers
	// Extensions carry transport-level extras, as HTTPX's request.extensions:
	// "timeout" (a Timeout), "sni_hostname" (a string: the TLS server name to
	// send and verify instead of the URL's host), "target" (a string or
	// []byte: the request-target sent verbatim instead of the URL's path and
	// query, such as "*" for OPTIONS *).
	Extensions map[string]any

	body       requestBody
	timeout    Timeout
	hasTimeout bool
	maxSize    int64        // response body limit; 0 = none
	retry      *RetryPolicy // replaces the client's
	hasMaxSize bool
	client     *Client      // the client that built or last sent it; nil: standalone
	dump       *requestDump // WithDebug's dump of the send under way
}

// NewRequest builds a standalone request (httpx.Request): the URL is parsed,
// params merged into its query, and the body options encoded with their
// Content-Length/Content-Type headers. Unlike Client.BuildRequest it adds no
// client defaults (Accept, User-Agent, ...).
func NewRequest(method, url string, opts ...RequestOption) (*Request, error) {
	var cfg requestConfig
	if err := applyRequestOptions("NewRequest", &cfg, opts); err != nil {
		return nil, err
	}
	u, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	if cfg.hasParams {
		u = u.CopyMergeParams(cfg.params)
	}
	req := &Request{Method: strings.ToUpper(method), URL: u, Headers: cfg.headers}
	if len(cfg.cookies) > 0 && !req.Headers.Has("Cookie") {
		req.Headers.Add("Cookie", cookieHeader(CookiesFromMap(cfg.cookies).forURL(u)))
	}
	if err := req.finish(&cfg); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	return req, nil
}

// finish encodes the body and adds the automatic headers. Validation is the
// caller's: a request the client sends at once is validated just before it
// goes to the transport (after hooks and auth had their say), once.
func (r *Request) finish(cfg *requestConfig) error {
	if err := checkCookies(cfg.cookies); err != nil {
		return err
	}
	body, contentType, err := cfg.body.encode(&r.Headers)
	if err != nil {
		return err
	}
	r.body = body
	r.body.progress = cfg.progress
	if cfg.body.kind != bodyNone {
		setBodyHeaders(&r.Headers, &r.body, contentType)
	}
	if cfg.hasTimeout {
		r.timeout, r.hasTimeout = cfg.timeout, true
	}
	if cfg.hasMaxSize {
		r.maxSize, r.hasMaxSize = cfg.maxSize, true
	}
	r.retry = cfg.retry
	if cfg.extensions != nil {
		r.Extensions = cfg.extensions
		if t, ok := cfg.extensions["timeout"].(Timeout); ok {
			r.timeout, r.hasTimeout = t, true
		}
	}
	r.addAutoHeaders()
	if r.body.length >= 0 && r.Headers.Has("Content-Length") {
		// The body's own length wins over a header the caller set, so that
		// every transport (mock, handler, network) frames it alike.
		r.Headers.Set("Content-Length", strconv.FormatInt(r.body.length, 10))
	}
	return nil
}

// addAutoHeaders prepends Host (HTTPX sends it first) and a zero
// Content-Length for bodiless POST, PUT and PATCH.
func (r *Request) addAutoHeaders() {
	if r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH" {
		if !r.Headers.Has("Content-Length") && !r.Headers.Has("Transfer-Encoding") {
			r.Headers.prepend("Content-Length", "0")
		}
	}
	if !r.Headers.Has("Host") && r.URL.RawHost() != "" {
		r.Headers.prepend("Host", r.URL.Netloc())
	}
}

// validate rejects what must never reach the wire: control characters in the
// method, the headers or the "target" extension, and extensions of the wrong
// type.
func (r *Request) validate() error {
	if err := r.timeout.validate(); err != nil {
		return err
	}
	if r.Method == "" || strings.ContainsFunc(r.Method, func(c rune) bool { return c <= ' ' || c >= 0x7f }) {
		return newRequestError(ErrLocalProtocol, r, nil, fmt.Sprintf("invalid method %q", r.Method))
	}
	if _, _, err := requestTarget(r); err != nil {
		return err
	}
	if _, err := sniHostname(r); err != nil {
		return err
	}
	return r.Headers.validate(r)
}

// Content returns the whole body, reading a streaming body into memory once
// (so it can also be sent again). A stream that was already sent gives
// ErrStreamConsumed.
func (r *Request) Content() ([]byte, error) {
	if err := r.body.readAll(); err != nil {
		return nil, err
	}
	return r.body.content, nil
}

// Body returns a reader over the body from its start, for transports. A
// one-shot stream can be obtained once; after that Body gives
// ErrStreamConsumed. Transports must not close the reader.
func (r *Request) Body() (io.Reader, error) {
	body, err := r.body.reader()
	if r.dump != nil && err == nil {
		// WithDebug shows a streamed body as the transport reads it.
		body = r.dump.tapRequestBody(body)
	}
	return body, err
}

// ContentLength returns the body's length, or -1 when unknown (chunked).
func (r *Request) ContentLength() int64 { return r.body.length }

// Timeout returns the per-phase timeouts for this request: set by the
// client, WithTimeout or the "timeout" extension; NoTimeout when unset.
func (r *Request) Timeout() Timeout { return r.timeout }

// SetTimeout sets the per-phase timeouts for this request.
func (r *Request) SetTimeout(t Timeout) { r.timeout, r.hasTimeout = t, true }

// String reads like HTTPX's repr, Python's quoting included:
// <Request('GET', 'https://example.org/')>. A password in the URL is
// masked, so the string is safe to log.
func (r *Request) String() string {
	return "<Request(" + urlparse.Repr(r.Method) + ", " + urlparse.Repr(r.URL.Redacted()) + ")>"
}

// bodyReplayable reports whether sending the request again can resend its body.
func (r *Request) bodyReplayable() bool { return r.body.replayable() }
