package httpx

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// StdClient returns an *http.Client whose requests go through this client's
// whole pipeline: base URL aside, every request gets the client's headers,
// params and cookies, its auth, event hooks, mounts and transports, and its
// redirect policy (redirects are followed by this client, with HTTPX's
// rules, when FollowRedirects is on). It lets SDKs that only accept an
// *http.Client use mocks, mounts and hooks too.
//
// Response bodies arrive decoded (Content-Encoding removed, as net/http does
// for the gzip it asks for), unless the caller set its own Accept-Encoding,
// in which case the raw body and headers are passed through.
func (c *Client) StdClient() *http.Client {
	return &http.Client{
		Transport: stdRoundTripper{c: c},
		// This client already applied its redirect policy; what comes back
		// is final.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type stdRoundTripper struct {
	c *Client
}

// RoundTrip implements http.RoundTripper.
func (t stdRoundTripper) RoundTrip(hreq *http.Request) (*http.Response, error) {
	closeBody := sync.OnceFunc(func() {
		if hreq.Body != nil {
			hreq.Body.Close()
		}
	})
	req, err := t.c.requestFromHTTP(hreq)
	if err != nil {
		closeBody()
		return nil, err
	}
	resp, err := t.c.send(hreq.Context(), req, &sendConfig{stream: true})
	if err != nil {
		closeBody()
		return nil, err
	}
	resp.onClose(closeBody)
	return toHTTPResponse(resp, hreq, hreq.Header.Get("Accept-Encoding") != ""), nil
}

// requestFromHTTP merges an *http.Request into a Request with the client's
// configuration, as BuildRequest does for options.
func (c *Client) requestFromHTTP(hreq *http.Request) (*Request, error) {
	cfg := requestConfig{}
	for name, values := range hreq.Header {
		for _, v := range values {
			cfg.headers.Add(name, v)
		}
	}
	cfg.headers = sortedHeaders(cfg.headers)
	if hreq.Host != "" && hreq.Host != hreq.URL.Host {
		cfg.headers.Set("Host", hreq.Host)
	}
	req, err := c.buildRequest(hreq.Method, hreq.URL.String(), &cfg)
	if err != nil {
		return nil, err
	}
	if hreq.Body != nil && hreq.Body != http.NoBody {
		length := hreq.ContentLength
		if length == 0 {
			length = -1 // net/http's "unknown" for a non-nil body
		}
		req.body = requestBody{stream: hreq.Body, length: length}
		if hreq.GetBody != nil {
			req.body.rewind = func() (io.Reader, error) { return hreq.GetBody() }
		}
		if length >= 0 {
			req.Headers.Set("Content-Length", strconv.FormatInt(length, 10))
		} else if !req.Headers.Has("Transfer-Encoding") {
			req.Headers.Set("Transfer-Encoding", "chunked")
		}
	}
	return req, nil
}

// sortedHeaders orders fields by name so the wire order does not depend on
// map iteration.
func sortedHeaders(h Headers) Headers {
	return HeadersFromHTTP(h.HTTPHeader())
}

// toHTTPResponse converts a streaming Response for net/http callers.
func toHTTPResponse(resp *Response, hreq *http.Request, raw bool) *http.Response {
	header := resp.Headers.HTTPHeader()
	hresp := &http.Response{
		Status:        strconv.Itoa(resp.StatusCode) + " " + resp.ReasonPhrase(),
		StatusCode:    resp.StatusCode,
		Header:        header,
		ContentLength: -1,
		Request:       hreq,
	}
	switch resp.HTTPVersion() {
	case "HTTP/2":
		hresp.Proto, hresp.ProtoMajor = "HTTP/2.0", 2
	case "HTTP/1.0":
		hresp.Proto, hresp.ProtoMajor = "HTTP/1.0", 1
	default:
		hresp.Proto, hresp.ProtoMajor, hresp.ProtoMinor = "HTTP/1.1", 1, 1
	}
	if resp.Request != nil && !resp.Request.URL.Equal(mustURL(hreq)) {
		final := hreq.Clone(hreq.Context())
		final.URL = resp.Request.URL.stdURL()
		final.Method = resp.Request.Method
		hresp.Request = final
	}
	encoded := header.Get("Content-Encoding") != "" && !strings.EqualFold(header.Get("Content-Encoding"), "identity")
	switch {
	case raw || !encoded:
		// A body passed through raw is capped on its wire bytes, the only
		// size there is; an unencoded one goes through the Response's own
		// (capped) reader, as a decoded one does.
		if raw {
			hresp.Body = &rawBody{r: resp, limit: resp.body.limit}
		} else {
			hresp.Body = resp
		}
		if n, err := strconv.ParseInt(header.Get("Content-Length"), 10, 64); err == nil {
			hresp.ContentLength = n
		}
	default:
		header.Del("Content-Encoding")
		header.Del("Content-Length")
		hresp.Uncompressed = true
		hresp.Body = resp
	}
	if hreq.Method == "HEAD" {
		hresp.Body = http.NoBody
		resp.Close()
	}
	return hresp
}

func mustURL(hreq *http.Request) *URL {
	u, err := ParseURL(hreq.URL.String())
	if err != nil {
		return nil
	}
	return u
}

// rawBody reads a response's wire bytes, still encoded, failing with
// ErrResponseTooLarge once more than limit bytes (when > 0) arrive.
type rawBody struct {
	r     *Response
	limit int64
	read  int64
}

func (b *rawBody) Read(p []byte) (int, error) {
	if b.limit <= 0 {
		return b.r.readRaw(p)
	}
	if left := b.limit - b.read; int64(len(p)) > left {
		p = p[:left+1] // one byte past the cap tells that it was exceeded
	}
	n, err := b.r.readRaw(p)
	if b.read+int64(n) > b.limit {
		n = int(b.limit - b.read)
		b.read = b.limit
		return n, newRequestError(ErrResponseTooLarge, b.r.Request, nil,
			fmt.Sprintf("the response body exceeded the limit of %d bytes", b.limit))
	}
	b.read += int64(n)
	return n, err
}

func (b *rawBody) Close() error { return b.r.Close() }
