package httpx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gohttpx/httpx/internal/h1"
	"github.com/gohttpx/httpx/transport"
)

// Transport sends one request and returns its response (HTTPX's
// BaseTransport.handle_request). The response body is left unread; the
// client reads and closes it. A transport that is also an io.Closer is
// closed with the client that holds it. Implementations must be safe for
// concurrent use.
type Transport interface {
	HandleRequest(ctx context.Context, req *Request) (*Response, error)
}

// TransportFunc adapts a function to Transport.
type TransportFunc func(ctx context.Context, req *Request) (*Response, error)

// HandleRequest calls f.
func (f TransportFunc) HandleRequest(ctx context.Context, req *Request) (*Response, error) {
	if err := checkHandleArgs("TransportFunc", f == nil, ctx, req); err != nil {
		return nil, err
	}
	return f(ctx, req)
}

// MockTransport answers requests from a handler function, for tests
// (httpx.MockTransport). The request body is read into memory before the
// handler runs, so handlers can inspect req.Content().
type MockTransport func(req *Request) (*Response, error)

// HandleRequest reads the request body, then calls the handler.
func (m MockTransport) HandleRequest(ctx context.Context, req *Request) (*Response, error) {
	if err := checkHandleArgs("MockTransport", m == nil, ctx, req); err != nil {
		return nil, err
	}
	if _, _, err := requestTarget(req); err != nil {
		return nil, err
	}
	if _, err := req.Content(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, err := m(req)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, newRequestError(ErrTransport, req, nil, "the mock handler returned no response and no error")
	}
	return resp, nil
}

// FromRoundTripper uses any http.RoundTripper (an *http.Transport, a
// third-party transport, an instrumented wrapper) as a Transport. The
// RoundTripper's own settings apply; the client's per-phase timeouts do not
// reach it (give the RoundTripper its own, or use a context deadline).
func FromRoundTripper(rt http.RoundTripper) Transport {
	return roundTripperTransport{rt: rt}
}

type roundTripperTransport struct {
	rt http.RoundTripper
}

// HandleRequest converts req to an *http.Request and back.
func (t roundTripperTransport) HandleRequest(ctx context.Context, req *Request) (*Response, error) {
	if err := checkHandleArgs("FromRoundTripper", isNil(t.rt), ctx, req); err != nil {
		return nil, err
	}
	if err := checkScheme(req); err != nil {
		return nil, err
	}
	hreq, err := toHTTPRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	hresp, err := t.rt.RoundTrip(hreq)
	if err != nil {
		return nil, classifyError(err, req)
	}
	return fromHTTPResponse(hresp, req), nil
}

// Close closes the RoundTripper's idle connections when it has them.
func (t roundTripperTransport) Close() error {
	if c, ok := t.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
	return nil
}

// checkScheme rejects URLs an HTTP transport cannot send, in HTTPX's words.
func checkScheme(req *Request) error {
	switch req.URL.Scheme() {
	case "http", "https", "ws", "wss":
		if req.URL.RawHost() == "" {
			return newRequestError(ErrUnsupportedProtocol, req, nil, "Request URL is missing a host.")
		}
		return nil
	case "":
		return newRequestError(ErrUnsupportedProtocol, req, nil, "Request URL is missing an 'http://' or 'https://' protocol.")
	}
	return newRequestError(ErrUnsupportedProtocol, req, nil, fmt.Sprintf("Request URL has an unsupported protocol '%s://'.", req.URL.Scheme()))
}

// toHTTPRequest converts a Request for net/http; Host goes to req.Host.
func toHTTPRequest(ctx context.Context, req *Request) (*http.Request, error) {
	// NewRequestWithContext is the one way to attach ctx without a second
	// copy of the request (WithContext); its URL is then overwritten with
	// ours, so the empty string it parses costs nothing more.
	hreq, err := http.NewRequestWithContext(ctx, req.Method, "", nil)
	if err != nil {
		return nil, newRequestError(ErrLocalProtocol, req, err, "")
	}
	return hreq, fillHTTPRequest(hreq, req)
}

// fillHTTPRequest sets an empty *http.Request's URL, headers and body from req.
func fillHTTPRequest(hreq *http.Request, req *Request) error {
	// The target is checked first: a one-shot body taken by Body would be
	// lost to a request that is then refused.
	target, hasTarget, err := requestTarget(req)
	if err != nil {
		return err
	}
	body, err := req.Body()
	if err != nil {
		return err
	}
	req.URL.setStdURL(hreq.URL)
	if hasTarget && !setRequestTarget(hreq.URL, target) {
		return newRequestError(ErrLocalProtocol, req, nil, fmt.Sprintf("request target %q cannot be sent verbatim over net/http", target))
	}
	switch hreq.URL.Scheme {
	case "ws":
		hreq.URL.Scheme = "http"
	case "wss":
		hreq.URL.Scheme = "https"
	}
	hreq.Host = req.URL.Netloc()
	hreq.ContentLength = req.ContentLength()
	// One backing array holds every header value, instead of a slice per name.
	values := make([]string, 0, req.Headers.Len())
	for i := range req.Headers.fields {
		f := &req.Headers.fields[i]
		name, value := f.name, f.value
		switch {
		case h1.EqualFold(name, "Host"):
			hreq.Host = value
		case h1.EqualFold(name, "Content-Length"):
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && hreq.ContentLength < 0 {
				hreq.ContentLength = n
			}
		case h1.EqualFold(name, "Transfer-Encoding"):
			if strings.EqualFold(value, "chunked") {
				hreq.TransferEncoding = []string{"chunked"}
			}
		default:
			k := f.canonical()
			if prev, ok := hreq.Header[k]; ok {
				hreq.Header[k] = append(prev[:len(prev):len(prev)], value)
				continue
			}
			values = append(values, value)
			hreq.Header[k] = values[len(values)-1 : len(values) : len(values)]
		}
	}
	if body != http.NoBody && body != nil {
		hreq.Body = io.NopCloser(body)
		if req.bodyReplayable() {
			hreq.GetBody = func() (io.ReadCloser, error) {
				r, err := req.Body()
				if err != nil {
					return nil, err
				}
				return io.NopCloser(r), nil
			}
		}
	} else {
		hreq.Body = http.NoBody
		hreq.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		if hreq.ContentLength < 0 {
			hreq.ContentLength = 0
		}
	}
	if hreq.ContentLength == 0 && body != http.NoBody && body != nil {
		hreq.Body = http.NoBody
	}
	return nil
}

// fromHTTPResponse wraps a net/http response; the body stays a stream and
// read errors are mapped into the error tree.
func fromHTTPResponse(hresp *http.Response, req *Request) *Response {
	resp := &Response{
		StatusCode: hresp.StatusCode,
		Headers:    HeadersFromHTTP(hresp.Header),
		Request:    req,
	}
	switch {
	case hresp.ProtoMajor == 2:
		resp.httpVersion = "HTTP/2"
	case hresp.ProtoMajor == 1 && hresp.ProtoMinor == 0:
		resp.httpVersion = "HTTP/1.0"
	default:
		resp.httpVersion = "HTTP/1.1"
	}
	if _, reason, ok := strings.Cut(hresp.Status, " "); ok && reason != ReasonPhrase(hresp.StatusCode) {
		resp.reason = reason
	}
	resp.body.mapped = mappedBody{rc: hresp.Body, req: req}
	resp.setStream(&resp.body.mapped)
	return resp
}

// mappedBody maps a body's read errors into the tree (a reset mid-body is
// ErrRead, a stalled one ErrReadTimeout).
type mappedBody struct {
	rc  io.ReadCloser
	req *Request
}

func (b *mappedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		kind := errorKindOf(err)
		if kind == ErrTransport && transport.Classify(err) == transport.KindOther {
			// An error of no known kind while the body arrives (a foreign
			// RoundTripper's own): receiving data failed, as our network
			// layer reports such errors too.
			kind = ErrRead
		}
		err = newRequestError(kind, b.req, err, "")
	}
	return n, err
}

func (b *mappedBody) Close() error { return b.rc.Close() }
