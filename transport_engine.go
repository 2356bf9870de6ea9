package httpx

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/gohttpx/httpx/transport"
)

// send sends req through the engine.
func (t *HTTPTransport) send(ctx context.Context, req *Request, to transport.Timeouts, serverName string, forward bool) (*Response, error) {
	observe, err := t.observerFor(ctx, req)
	if err != nil {
		return nil, err
	}
	target, body, err := targetAndBody(req)
	if err != nil {
		return nil, err
	}
	headers := &req.Headers
	if forward {
		// The proxy gets the absolute URL, the proxy's own headers and its
		// credentials.
		target = forwardTarget(req.URL, target)
		h := req.Headers.Clone()
		for name, value := range t.proxyHdrs.All() {
			h.Set(name, value)
		}
		if u := t.proxyURL.User; u != nil && !h.Has("Proxy-Authorization") {
			pass, _ := u.Password()
			h.Set("Proxy-Authorization", basicAuthHeader(u.Username(), pass))
		}
		headers = &h
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
		Addr:           t.addrOf(req.URL),
		ServerName:     serverName,
		Target:         target,
		Header:         (*wireHeaders)(headers),
		Body:           body,
		ContentLength:  length,
		ExpectContinue: body != nil && strings.EqualFold(req.Headers.Get("Expect"), "100-continue"),
		Timeouts:       to,
		Forward:        forward,
	}
	if body != nil && req.bodyReplayable() {
		ereq.GetBody = func() (io.Reader, error) { return req.Body() }
	}
	ereq.Observe = observe
	resp := &Response{Request: req}
	eresp := &resp.body.head
	if err := t.engine.DoInto(ctx, &ereq, eresp); err != nil {
		return nil, classifyError(err, req)
	}
	if forward && eresp.Status == http.StatusProxyAuthRequired {
		eresp.Body.Close()
		return nil, proxyRefused(req, eresp.Status, strconv.Itoa(eresp.Status)+" "+eresp.Reason)
	}
	resp.StatusCode, resp.httpVersion = eresp.Status, eresp.Proto
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

// wireHeaders lets the engine read a request's fields in place.
type wireHeaders Headers

func (h *wireHeaders) Len() int { return len(h.fields) }

func (h *wireHeaders) At(i int) (string, string) { return h.fields[i].name, h.fields[i].value }

// forwardTarget is the absolute-form target of a forwarded request: the
// scheme and authority, then target (origin-form, or "*" as it is).
func forwardTarget(u *URL, target string) string {
	scheme := u.Scheme()
	switch scheme {
	case "ws":
		scheme = "http"
	case "wss":
		scheme = "https"
	}
	if !strings.HasPrefix(target, "/") {
		return target
	}
	return scheme + "://" + u.Netloc() + target
}

// dialAddr is a host and port with their host:port string.
type dialAddr struct {
	host string
	port int
	addr string
}

// addrOf returns u's host:port, reusing the last one built: a client
// mostly talks to one host, and building the string costs two
// allocations a request.
func (t *HTTPTransport) addrOf(u *URL) string {
	host, port := u.RawHost(), u.EffectivePort()
	if last := t.lastAddr.Load(); last != nil && last.host == host && last.port == port {
		return last.addr
	}
	a := &dialAddr{host: host, port: port, addr: net.JoinHostPort(host, strconv.Itoa(port))}
	t.lastAddr.Store(a)
	return a.addr
}
