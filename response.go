package httpx

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/gohttpx/httpx/transport"
)

// Response is an HTTP response (httpx.Response). Its body is undone of any
// Content-Encoding by the Response itself, as in HTTPX: Read, Content, Text,
// JSON and the Iter methods see decoded bytes, IterRaw the wire bytes.
//
// A response returned by a request method has been read and closed already.
// One returned by Stream (or Send with WithStream) has not: the caller reads
// it and must Close it to release the connection. A Response is not safe for
// concurrent use.
type Response struct {
	// StatusCode is the numeric status, e.g. 200.
	StatusCode int
	// Headers are the response headers in the order received.
	Headers Headers
	// Request is the request that produced this response.
	Request *Request
	// History lists the earlier responses that led here (redirect hops and
	// auth-flow intermediates), oldest first, all closed. Each was read by the
	// client unless user code (a hook, an auth flow) had already read from it
	// or closed it; then its Content says ErrStreamConsumed or ErrStreamClosed.
	History []*Response
	// Extensions carry transport-level extras (HTTPX's response.extensions):
	// a transport may set "http_version" and "reason_phrase" strings.
	Extensions map[string]any

	httpVersion string
	reason      string
	body        responseBody
	start       time.Time
	elapsed     time.Duration
	wait        time.Duration // a transport other than the engine: until it returned the head
	nextRequest *Request

	defaultEncoding string
	encodingFunc    func([]byte) string
	encoding        string // set by SetEncoding
	text            string
	textDone        bool
}

// responseBody is the state machine behind a response's body: a wire stream
// that is decoded as it is read, or content held in memory once read.
type responseBody struct {
	src     io.Reader // the wire body; nil means empty
	closer  io.Closer // releases src (and its connection)
	mem     []byte    // src is this in-memory content (NewResponse)
	isMem   bool
	counter countingReader
	decoder io.ReadCloser // set when a Content-Encoding applies
	content []byte
	isRead  bool // content holds the whole decoded body
	pos     int  // Read offset into content
	started bool // some of src was consumed by streaming
	eof     bool
	closed  bool
	onClose []func()
	limit   int64              // maximum decoded size; 0 = none
	mapped  mappedBody         // a net/http body, kept here to save an allocation
	head    transport.Response // the engine's response head, kept here for the same reason
}

// countingReader counts the wire bytes read, for NumBytesDownloaded.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.r == nil {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// NewResponse builds a response, for mock transports and tests
// (httpx.Response). It takes the body options (WithContent, WithText,
// WithHTML, WithJSON, WithBody, ...) and WithHeaders/WithHeader; in-memory
// bodies get a Content-Length and the matching Content-Type, a WithBody
// stream of unknown length "Transfer-Encoding: chunked". A body given with a
// Content-Encoding header is decoded when read, as a real one would be.
func NewResponse(status int, opts ...RequestOption) *Response {
	var cfg requestConfig
	optErr := applyRequestOptions("NewResponse", &cfg, opts)
	r := &Response{StatusCode: status, Headers: cfg.headers, Extensions: cfg.extensions}
	if optErr != nil {
		r.body.src = errReader{optErr} // a bug in the mock: surfaced on read
		return r
	}
	if cfg.body.kind == bodyNone {
		r.body.isMem = true
		return r
	}
	body, contentType, err := cfg.body.encode(&r.Headers)
	if err != nil {
		// A body that cannot be encoded (say, JSON of a channel) is a bug in
		// the mock; surface it on read rather than panicking.
		r.body.src = errReader{err}
		return r
	}
	setBodyHeaders(&r.Headers, &body, contentType)
	if body.inMemory {
		r.body.mem, r.body.isMem = body.content, true
		return r
	}
	src, _ := body.rawReader()
	r.setStream(src)
	// The mock's own reader runs when the client reads the response.
	r.body.src = &guardedReader{r: src, where: "response body reader"}
	return r
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// setStream installs a wire body; an io.Closer is closed with the response.
func (r *Response) setStream(src io.Reader) {
	r.body.src = src
	if c, ok := src.(io.Closer); ok {
		r.body.closer = c
	}
}

// stream returns the decoded body reader, building it on first use.
func (r *Response) stream() io.Reader {
	b := &r.body
	b.wire()
	if b.decoder != nil {
		return b.decoder
	}
	if r.Headers.Has("Content-Encoding") || b.limit > 0 {
		b.decoder = newDecoder(&b.counter, r.Headers.Values("Content-Encoding"), b.limit)
		return b.decoder
	}
	return &b.counter
}

// wire points the byte counter at the body's source on first use.
func (b *responseBody) wire() {
	if b.counter.r != nil {
		return
	}
	if b.isMem {
		b.counter.r = &memReader{b: b.mem}
	} else {
		b.counter.r = b.src
	}
}

// memReader is bytes.Reader's Read without its other baggage.
type memReader struct {
	b []byte
}

func (m *memReader) Read(p []byte) (int, error) {
	if len(m.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, m.b)
	m.b = m.b[n:]
	return n, nil
}

// Read reads the decoded body, making Response an io.Reader for streaming.
// Once the body is exhausted the connection is released; Read then keeps
// returning io.EOF. Reading after Close gives ErrStreamClosed.
func (r *Response) Read(p []byte) (int, error) {
	b := &r.body
	if b.isRead {
		if b.pos >= len(b.content) {
			return 0, io.EOF
		}
		n := copy(p, b.content[b.pos:])
		b.pos += n
		return n, nil
	}
	if b.eof {
		return 0, io.EOF
	}
	if b.closed {
		return 0, streamError(ErrStreamClosed)
	}
	b.started = true
	n, err := r.stream().Read(p)
	return n, r.afterRead(err)
}

// afterRead releases the connection at the end of the body and puts any
// other read error into the tree, for both the decoded and the raw reader.
func (r *Response) afterRead(err error) error {
	if err == io.EOF {
		r.body.eof = true
		r.release()
		return err
	}
	if err != nil {
		return r.bodyError(err)
	}
	return nil
}

// readRaw reads the wire bytes, still encoded; it cannot be mixed with
// decoded reading.
func (r *Response) readRaw(p []byte) (int, error) {
	b := &r.body
	switch {
	case b.eof:
		return 0, io.EOF
	case b.isRead || b.decoder != nil:
		return 0, streamError(ErrStreamConsumed)
	case b.closed:
		return 0, streamError(ErrStreamClosed)
	}
	b.wire()
	b.started = true
	n, err := b.counter.Read(p)
	return n, r.afterRead(err)
}

// copyBufs holds the buffers WriteTo streams through.
var copyBufs = sync.Pool{New: func() any { return new([readChunk]byte) }}

// WriteTo writes the rest of the decoded body to w; io.Copy uses it, so
// copying a response reads in 64 KiB steps instead of io.Copy's (or
// io.Discard's) smaller ones, with fewer system calls.
func (r *Response) WriteTo(w io.Writer) (int64, error) {
	buf := copyBufs.Get().(*[readChunk]byte)
	defer copyBufs.Put(buf)
	var total int64
	for {
		n, err := r.Read(buf[:])
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
			if m < n {
				return total, io.ErrShortWrite
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// bodyError puts a body read failure into the error tree with the request.
func (r *Response) bodyError(err error) error {
	return asRequestError(err, r.Request)
}

// Content reads and returns the whole decoded body (HTTPX's read() and
// .content), then releases the connection. Later calls return the same
// bytes. After streaming part of the body it gives ErrStreamConsumed; after
// Close without reading, ErrStreamClosed.
func (r *Response) Content() ([]byte, error) {
	b := &r.body
	if b.isRead {
		return b.content, nil
	}
	if b.started || b.eof {
		return nil, streamError(ErrStreamConsumed)
	}
	if b.closed {
		return nil, streamError(ErrStreamClosed)
	}
	if b.isMem && b.limit == 0 && !r.Headers.Has("Content-Encoding") {
		b.content, b.isRead = b.mem, true
		b.counter.n = int64(len(b.mem))
		r.release()
		return b.content, nil
	}
	content, err := readAll(r.stream(), r.sizeHint())
	if err != nil {
		r.Close()
		return nil, r.bodyError(err)
	}
	b.content, b.isRead = content, true
	r.release()
	return content, nil
}

// keep reads the body into memory before the client moves past the
// response (into History, or out of a non-streaming send), unless user code
// has already read from it or closed it: then it is kept as it is, closed,
// and never read again, and its body methods say why (ErrStreamConsumed or
// ErrStreamClosed), as the issue with auth flows that close their 401s showed.
func (r *Response) keep() error {
	b := &r.body
	if b.isRead || b.started || b.eof || b.closed {
		r.release()
		return nil
	}
	_, err := r.Content()
	return err
}

// sizeHint is the Content-Length when the body is not encoded, capped so a
// lying header cannot make us allocate much up front.
func (r *Response) sizeHint() int {
	if r.body.decoder != nil {
		return 512
	}
	n, err := strconv.ParseInt(r.Headers.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return 512
	}
	return int(min(n, 4<<20))
}

// readAll is io.ReadAll with a starting capacity.
func readAll(rd io.Reader, hint int) ([]byte, error) {
	buf := make([]byte, 0, hint+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// Close releases the connection without reading the rest of the body. It is
// safe to call more than once; a response that was fully read is already
// released.
func (r *Response) Close() error {
	r.release()
	return nil
}

// release closes the body source once and runs the close callbacks.
func (r *Response) release() {
	b := &r.body
	if b.closed {
		return
	}
	b.closed = true
	if !r.start.IsZero() {
		r.elapsed = time.Since(r.start)
	}
	if b.decoder != nil {
		b.decoder.Close()
	}
	if b.closer != nil {
		b.closer.Close()
	}
	for _, f := range b.onClose {
		f()
	}
	b.onClose = nil
}

// onClose registers f to run once when the response is closed.
func (r *Response) onClose(f func()) {
	if r.body.closed {
		f()
		return
	}
	r.body.onClose = append(r.body.onClose, f)
}

// IsClosed reports whether the response was closed (or fully read).
func (r *Response) IsClosed() bool { return r.body.closed }

// NumBytesDownloaded returns the bytes received off the wire so far, before
// decoding: the figure to drive a download progress bar.
func (r *Response) NumBytesDownloaded() int64 { return r.body.counter.n }

// Elapsed is the time from sending the request until the response was
// closed; while it is still open, the time so far.
func (r *Response) Elapsed() time.Duration {
	if r.body.closed || r.start.IsZero() {
		return r.elapsed
	}
	return time.Since(r.start)
}

// HTTPVersion returns "HTTP/1.1", "HTTP/2" or "HTTP/1.0".
func (r *Response) HTTPVersion() string {
	if r.httpVersion != "" {
		return r.httpVersion
	}
	if v, ok := r.Extensions["http_version"].(string); ok {
		return v
	}
	return "HTTP/1.1"
}

// ReasonPhrase returns the status line's reason, or HTTPX's phrase for the code.
func (r *Response) ReasonPhrase() string {
	if r.reason != "" {
		return r.reason
	}
	if v, ok := r.Extensions["reason_phrase"].(string); ok {
		return v
	}
	return ReasonPhrase(r.StatusCode)
}

// URL returns the request's URL, or nil when the response has no request.
func (r *Response) URL() *URL {
	if r.Request == nil {
		return nil
	}
	return r.Request.URL
}

// NextRequest returns the request a redirect would send next when redirects
// were not followed, or nil.
func (r *Response) NextRequest() *Request { return r.nextRequest }

// IsInformational reports a 1xx status.
func (r *Response) IsInformational() bool { return r.StatusCode >= 100 && r.StatusCode <= 199 }

// IsSuccess reports a 2xx status.
func (r *Response) IsSuccess() bool { return r.StatusCode >= 200 && r.StatusCode <= 299 }

// IsRedirect reports a 3xx status.
func (r *Response) IsRedirect() bool { return r.StatusCode >= 300 && r.StatusCode <= 399 }

// IsClientError reports a 4xx status.
func (r *Response) IsClientError() bool { return r.StatusCode >= 400 && r.StatusCode <= 499 }

// IsServerError reports a 5xx status.
func (r *Response) IsServerError() bool { return r.StatusCode >= 500 && r.StatusCode <= 599 }

// IsError reports a 4xx or 5xx status.
func (r *Response) IsError() bool { return r.StatusCode >= 400 && r.StatusCode <= 599 }

// HasRedirectLocation reports a 301, 302, 303, 307 or 308 status with a
// Location header: a redirect the client can follow.
func (r *Response) HasRedirectLocation() bool {
	switch r.StatusCode {
	case 301, 302, 303, 307, 308:
		return r.Headers.Has("Location")
	}
	return false
}

// RaiseForStatus returns nil for a 2xx status and an *HTTPStatusError
// (ErrHTTPStatus) for any other, 1xx and 3xx included, with HTTPX's message.
// A response without a request gives an ErrUsage error.
func (r *Response) RaiseForStatus() error {
	if r.Request == nil {
		return usageError("RaiseForStatus", "cannot call RaiseForStatus on a response without a request")
	}
	if r.IsSuccess() {
		return nil
	}
	kind := "Invalid status code"
	switch {
	case r.IsInformational():
		kind = "Informational response"
	case r.IsRedirect():
		kind = "Redirect response"
	case r.IsClientError():
		kind = "Client error"
	case r.IsServerError():
		kind = "Server error"
	}
	msg := fmt.Sprintf("%s '%d %s' for url '%s'", kind, r.StatusCode, r.ReasonPhrase(), r.Request.URL.Redacted())
	if r.IsRedirect() && r.Headers.Has("Location") {
		msg += fmt.Sprintf("\nRedirect location: '%s'", r.Headers.Get("Location"))
	}
	msg += fmt.Sprintf("\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/%d", r.StatusCode)
	return &HTTPStatusError{Request: r.Request, Response: r, msg: msg}
}

// Cookies returns the cookies this response sets, scoped to its request's URL.
func (r *Response) Cookies() *Cookies {
	c := NewCookies()
	c.extract(r)
	return c
}

// String reads like HTTPX's repr: <Response [200 OK]>.
func (r *Response) String() string {
	return fmt.Sprintf("<Response [%d %s]>", r.StatusCode, r.ReasonPhrase())
}

// statusLine is the response's status line as the logs and dumps show it:
// "HTTP/1.1 200 OK".
func (r *Response) statusLine() string {
	return r.HTTPVersion() + " " + strconv.Itoa(r.StatusCode) + " " + r.ReasonPhrase()
}
