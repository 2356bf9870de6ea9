package httpx

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gohttpx/httpx/internal/h1"
)

// HandlerTransport calls an http.Handler in process, with no sockets
// (HTTPX's WSGITransport/ASGITransport). It is the way to test your own
// handler through the full client, or to stand in for an external service.
//
// The handler runs in its own goroutine. Its response is handed over as soon
// as it calls Flush, fills a 64 KiB buffer, or returns, so a handler that
// streams is streamed to the caller rather than buffered whole; a writer
// blocks while the caller has not read what was written, as a network
// connection would. Closing the response cancels the handler's context and
// makes its further writes fail. As a real server would, the transport sets
// Content-Type by sniffing and Content-Length for bodies complete before the
// hand-over.
//
// The zero value is not usable: set Handler. HandlerTransport is safe for
// concurrent use.
type HandlerTransport struct {
	// Handler serves every request.
	Handler http.Handler
	// ScriptName is the path the handler is mounted at (WSGI's script_name,
	// ASGI's root_path): it is stripped from request paths, as
	// http.StripPrefix does, and requests outside it get 404 Not Found.
	ScriptName string
	// RemoteAddr is the client address the handler sees in r.RemoteAddr;
	// default "127.0.0.1:123" (HTTPX's default client address). An address
	// without a port, as HTTPX's remote_addr is given ("1.2.3.4", "::1"),
	// gets port 123, so that handlers can rely on net.SplitHostPort as they
	// can behind a real server.
	RemoteAddr string
	// RecoverPanics turns a panicking handler into a 500 response (or a
	// truncated body, if the response had started) instead of an error from
	// the request (HTTPX's raise_app_exceptions=False).
	RecoverPanics bool
}

// HandlerPanicError is the cause of the error a panicking handler produces.
type HandlerPanicError struct {
	Value any    // what the handler panicked with
	Stack []byte // the handler goroutine's stack at the panic
}

func (e *HandlerPanicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *HandlerPanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// handlerBufferSize is how much a handler may write before the caller has
// to read (and before headers are handed over without a Flush).
const handlerBufferSize = 64 << 10

// HandleRequest serves req with the handler.
func (t *HandlerTransport) HandleRequest(ctx context.Context, req *Request) (*Response, error) {
	if err := checkHandleArgs("HandlerTransport", t == nil || isNil(t.Handler), ctx, req); err != nil {
		return nil, err
	}
	hreq, err := t.newRequest(req)
	if err != nil {
		return nil, err
	}
	var watch *panicWatch
	if hreq.Body != http.NoBody {
		watch = &panicWatch{ReadCloser: hreq.Body}
		hreq.Body = watch
	}
	hctx, cancel := context.WithCancel(ctx)
	w := newHandlerWriter(hreq.Method == "HEAD", cancel)
	stop := context.AfterFunc(ctx, func() { w.abort(ctx.Err()) })
	w.stop = stop
	hreq = hreq.WithContext(hctx)

	handler := t.Handler
	if prefix := strings.TrimSuffix(t.ScriptName, "/"); prefix != "" {
		handler = http.StripPrefix(prefix, handler)
	}
	go w.serve(handler, hreq, t.RecoverPanics)

	select {
	case <-w.ready:
	case <-ctx.Done():
		w.Close()
		return nil, ctx.Err()
	}
	if w.failed != nil {
		w.Close()
		return nil, newRequestError(ErrTransport, req, w.failed, "")
	}
	if pe := watch.panicked(); pe != nil {
		// Over a network the request would have been aborted mid-body,
		// whatever the handler made of its read error.
		w.Close()
		return nil, newRequestError(ErrRequest, req, pe, "")
	}
	resp := &Response{
		StatusCode:  w.status,
		Headers:     HeadersFromHTTP(w.sent),
		Request:     req,
		httpVersion: "HTTP/1.1",
	}
	resp.setStream(w)
	return resp, nil
}

// panicWatch notes a panic of the user's request body reader (which the
// guarded reader turned into a read error) as the handler reads the body.
type panicWatch struct {
	io.ReadCloser
	panic atomic.Pointer[PanicError]
}

func (p *panicWatch) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	if pe, ok := err.(*PanicError); ok {
		p.panic.Store(pe)
	}
	return n, err
}

func (p *panicWatch) panicked() *PanicError {
	if p == nil {
		return nil
	}
	return p.panic.Load()
}

// newRequest builds the *http.Request a server would hand the handler.
func (t *HandlerTransport) newRequest(req *Request) (*http.Request, error) {
	if err := checkScheme(req); err != nil {
		return nil, err
	}
	target, body, err := targetAndBody(req)
	if err != nil {
		return nil, err
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		u = req.URL.stdURL()
		u.Scheme, u.Host, u.User = "", "", nil
	}
	remote := handlerRemoteAddr(t.RemoteAddr)
	hreq := &http.Request{
		Method:        req.Method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, req.Headers.Len()),
		Host:          req.URL.Netloc(),
		RemoteAddr:    remote,
		RequestURI:    target,
		ContentLength: req.ContentLength(),
		Body:          http.NoBody,
	}
	for name, value := range req.Headers.All() {
		switch {
		case h1.EqualFold(name, "Host"):
			hreq.Host = value
		case h1.EqualFold(name, "Content-Length"):
			// Only a body of unknown length takes the header's word for it
			// (a hook may have set one after the body was encoded).
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && hreq.ContentLength < 0 {
				hreq.ContentLength = n
			}
		case h1.EqualFold(name, "Transfer-Encoding"):
			hreq.TransferEncoding = append(hreq.TransferEncoding, strings.ToLower(value))
		default:
			k := http.CanonicalHeaderKey(name)
			hreq.Header[k] = append(hreq.Header[k], value)
		}
	}
	if body != nil && body != http.NoBody && hreq.ContentLength != 0 {
		hreq.Body = io.NopCloser(body)
	}
	if hreq.ContentLength < 0 && len(hreq.TransferEncoding) == 0 {
		hreq.TransferEncoding = []string{"chunked"}
	}
	if req.URL.Scheme() == "https" || req.URL.Scheme() == "wss" {
		serverName, err := sniHostname(req)
		if err != nil {
			return nil, err
		}
		if serverName == "" {
			serverName = req.URL.RawHost()
		}
		hreq.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: serverName}
	}
	return hreq, nil
}

// handlerRemoteAddr returns addr as host:port, adding HTTPX's client port
// 123 when addr has none.
func handlerRemoteAddr(addr string) string {
	if addr == "" {
		return "127.0.0.1:123"
	}
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"), "123")
}

// handlerWriter is both the handler's http.ResponseWriter and the caller's
// body reader: a bounded buffer between the two goroutines.
type handlerWriter struct {
	mu       sync.Mutex
	cond     sync.Cond
	header   http.Header
	sent     http.Header // header as of WriteHeader: later changes are ignored
	status   int
	head     bool
	buf      []byte
	ready    chan struct{} // closed when the response is handed over
	released bool
	done     bool  // the handler returned
	closed   bool  // the caller closed the body
	failed   error // a panic before the hand-over: the request fails
	readErr  error // returned to the reader after the buffered data
	cancel   context.CancelFunc
	stop     func() bool
}

func newHandlerWriter(head bool, cancel context.CancelFunc) *handlerWriter {
	w := &handlerWriter{header: make(http.Header), head: head, ready: make(chan struct{}), cancel: cancel}
	w.cond.L = &w.mu
	return w
}

func (w *handlerWriter) serve(h http.Handler, r *http.Request, recoverPanics bool) {
	defer func() {
		p := recover()
		w.finish(p, recoverPanics)
		w.cancel()
	}()
	h.ServeHTTP(w, r)
}

// Header returns the header map the handler fills before WriteHeader.
func (w *handlerWriter) Header() http.Header { return w.header }

// WriteHeader records the status; 1xx interim responses are dropped.
func (w *handlerWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(code)
}

func (w *handlerWriter) writeHeaderLocked(code int) {
	if w.sent != nil || (code >= 100 && code <= 199 && code != 101) {
		return
	}
	w.status = code
	w.sent = w.header.Clone()
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199) && status != 204 && status != 304
}

// Write buffers p for the reader, blocking while the reader is more than a
// buffer behind, and failing once the reader closed the body.
func (w *handlerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(http.StatusOK)
	if w.closed {
		return 0, io.ErrClosedPipe
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.head {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	w.cond.Broadcast()
	if len(w.buf) > handlerBufferSize {
		w.releaseLocked()
		for len(w.buf) > handlerBufferSize && !w.closed {
			w.cond.Wait()
		}
		if w.closed {
			return 0, io.ErrClosedPipe
		}
	}
	return len(p), nil
}

// Flush hands the response over now, as a streaming server would send it.
func (w *handlerWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(http.StatusOK)
	w.releaseLocked()
}

// releaseLocked completes the headers as net/http's server would and hands
// the response to the caller.
func (w *handlerWriter) releaseLocked() {
	if w.released {
		return
	}
	w.released = true
	if w.failed == nil {
		h := w.sent
		if _, ok := h["Content-Type"]; !ok && h.Get("Content-Encoding") == "" && len(w.buf) > 0 && bodyAllowed(w.status) {
			h.Set("Content-Type", http.DetectContentType(w.buf[:min(len(w.buf), 512)]))
		}
		if w.done && !w.head && bodyAllowed(w.status) && h.Get("Content-Length") == "" && h.Get("Transfer-Encoding") == "" {
			h.Set("Content-Length", strconv.Itoa(len(w.buf)))
		}
	}
	close(w.ready)
}

// finish runs when the handler returns or panics.
func (w *handlerWriter) finish(p any, recoverPanics bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	if p != nil {
		perr := &HandlerPanicError{Value: p, Stack: debug.Stack()}
		switch {
		case w.released && !recoverPanics:
			w.readErr = newRequestError(ErrRead, nil, perr, "")
		case w.released:
			// The response started: end the body where the handler stopped.
		case recoverPanics:
			if w.sent == nil {
				w.header = make(http.Header)
				w.writeHeaderLocked(http.StatusInternalServerError)
				w.buf = nil
			}
		default:
			w.failed = perr
		}
	}
	w.writeHeaderLocked(http.StatusOK)
	w.releaseLocked()
	w.cond.Broadcast()
}

// abort ends the exchange when the caller's context is done.
func (w *handlerWriter) abort(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.readErr == nil {
		w.readErr = err
	}
	w.closed = true
	w.buf = nil
	w.cond.Broadcast()
	w.cancel()
}

// Read hands the buffered body to the caller.
func (w *handlerWriter) Read(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.buf) == 0 && !w.done && !w.closed {
		w.cond.Wait()
	}
	if len(w.buf) > 0 {
		n := copy(p, w.buf)
		w.buf = w.buf[n:]
		if len(w.buf) == 0 {
			w.buf = nil
		}
		w.cond.Broadcast()
		return n, nil
	}
	if w.readErr != nil {
		return 0, w.readErr
	}
	if w.closed {
		return 0, io.ErrClosedPipe
	}
	return 0, io.EOF
}

// Close releases the handler: its context is cancelled and further writes fail.
func (w *handlerWriter) Close() error {
	w.mu.Lock()
	w.closed = true
	w.buf = nil
	w.cond.Broadcast()
	w.mu.Unlock()
	if w.stop != nil {
		w.stop()
	}
	w.cancel()
	return nil
}
