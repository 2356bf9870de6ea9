package httpx

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/gohttpx/httpx/transport"
)

// engineEnv turns the connection engine of our own on for HTTP/1.1-only
// transports while it is being proven (issue 10): GOHTTPX_ENGINE=h1. The
// net/http-based transport stays the default until the engine carries
// HTTP/2 and forward proxies too.
const engineEnv = "GOHTTPX_ENGINE"

// useEngine reports whether cfg can run on the engine and it was asked for.
func useEngine(cfg *transport.Config) bool {
	return os.Getenv(engineEnv) == "h1" && !cfg.HTTP2 && cfg.Proxy == nil
}

// sendEngine sends req through the engine.
func (t *HTTPTransport) sendEngine(ctx context.Context, req *Request, to transport.Timeouts, serverName string) (*Response, error) {
	target, body, err := targetAndBody(req)
	if err != nil {
		return nil, err
	}
	length := req.ContentLength()
	if body == http.NoBody {
		body, length = nil, 0
	}
	scheme := req.URL.Scheme()
	switch scheme {
	case "ws":
		scheme = "http"
	case "wss":
		scheme = "https"
	}
	if length < 0 {
		// A stream of unknown length keeps a Content-Length the caller set.
		if n, err := strconv.ParseInt(req.Headers.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
			length = n
		}
	}
	ereq := transport.Request{
		Method:         req.Method,
		Scheme:         scheme,
		Addr:           net.JoinHostPort(req.URL.RawHost(), strconv.Itoa(req.URL.EffectivePort())),
		ServerName:     serverName,
		Target:         target,
		Header:         req.Headers.All(),
		Body:           body,
		ContentLength:  length,
		ExpectContinue: body != nil && strings.EqualFold(req.Headers.Get("Expect"), "100-continue"),
		Timeouts:       to,
	}
	if body != nil && req.bodyReplayable() {
		ereq.GetBody = func() (io.Reader, error) { return req.Body() }
	}
	eresp, err := t.engine.Do(ctx, &ereq)
	if err != nil {
		return nil, classifyError(err, req)
	}
	resp := &Response{StatusCode: eresp.Status, Request: req, httpVersion: eresp.Proto}
	resp.Headers.fields = make([]headerField, len(eresp.Header))
	for i, f := range eresp.Header {
		resp.Headers.fields[i] = headerField{name: f.Name, value: f.Value}
	}
	if eresp.Reason != ReasonPhrase(eresp.Status) {
		resp.reason = eresp.Reason
	}
	resp.body.mapped = mappedBody{rc: eresp.Body, req: req}
	resp.setStream(&resp.body.mapped)
	return resp, nil
}
