package httpx

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gohttpx/httpx/internal/h1"
)

// debugBodyShown is how much of each body a debug dump shows.
const debugBodyShown = 4 << 10

// WithDebug writes every request and response the client sends and
// receives to w, as they go over the wire: the request line (for HTTP/2
// the pseudo-header fields) and header fields prefixed "> ", the response's
// prefixed "< ", the first 4 KiB of each body as it travels (still
// compressed when a Content-Encoding says so) followed by "… N more bytes"
// when there was more, and the response's Timings when it is closed.
// Secrets are masked as in every output of the client (Authorization,
// Proxy-Authorization, Cookie, Set-Cookie, the WithRedactHeaders names, URL
// passwords) unless WithShowSecrets(true) is given.
//
// The dump never reads a body on its own: the response body is written as
// the caller reads it, so a streamed response still streams, and a request
// body that is a stream shows what the transport read of it. Each block
// (a head, a piece of a body) is one Write, made under a lock: w may be
// shared by concurrent requests, whose blocks may then interleave. A nil w
// dumps nothing.
func WithDebug(w io.Writer) ClientOption {
	return clientOption(func(c *clientConfig) {
		if w == nil {
			c.debug = nil
			return
		}
		c.debug = &debugSink{w: w}
	})
}

// debugSink is WithDebug's writer, shared by the client's requests.
type debugSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *debugSink) write(b []byte) {
	s.mu.Lock()
	_, _ = s.w.Write(b)
	s.mu.Unlock()
}

// requestDump dumps one request and its response. Its request half may
// run on a goroutine of the HTTP/2 transport (a streamed body), hence mu.
type requestDump struct {
	sink   *debugSink
	req    *Request
	redact redaction

	mu       sync.Mutex
	headDone bool
	body     bodyTap // a streamed request body, as read
	bodyDone bool
}

// newRequestDump starts the dump of req, whose body it taps when it is a
// stream.
func (c *Client) newRequestDump(req *Request) *requestDump {
	return &requestDump{sink: c.debug, req: req, redact: c.redaction}
}

// requestHead writes the request's head, once: as HTTP/1.1 puts it on the
// wire, or as HTTP/2's fields.
func (d *requestDump) requestHead(http2 bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.headDone {
		return
	}
	d.headDone = true
	req := d.req
	target, ok, _ := requestTarget(req)
	if !ok {
		target = req.URL.RawPath()
	}
	var b strings.Builder
	if http2 {
		authority := req.Headers.Get("Host")
		if authority == "" {
			authority = req.URL.Netloc()
		}
		for _, kv := range [...][2]string{{":method", req.Method}, {":scheme", req.URL.Scheme()}, {":authority", authority}, {":path", target}} {
			b.WriteString("> " + kv[0] + ": " + kv[1] + "\n")
		}
	} else {
		b.WriteString("> " + req.Method + " " + target + " HTTP/1.1\n")
	}
	for name, value := range req.Headers.All() {
		if http2 {
			if h1.EqualFold(name, "Host") || connectionHeader(name) {
				continue
			}
			name = strings.ToLower(name)
		}
		b.WriteString("> " + name + ": " + d.redact.value(name, value) + "\n")
	}
	b.WriteString(">\n")
	d.sink.write([]byte(b.String()))
}

// connectionHeader names the fields HTTP/2 does not send.
func connectionHeader(name string) bool {
	for _, n := range [...]string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade"} {
		if h1.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// requestBody writes the request body once the exchange is past it: an
// in-memory body as it is, a stream as far as it was read.
func (d *requestDump) requestBody() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bodyDone {
		return
	}
	d.bodyDone = true
	b := &d.req.body
	var out []byte
	switch {
	case b.inMemory:
		shown := b.content[:min(len(b.content), debugBodyShown)]
		out = appendShown(out, shown, int64(len(b.content)-len(shown)))
	case d.body.seen > 0:
		out = appendShown(out, d.body.shown, d.body.seen-int64(len(d.body.shown)))
	}
	if len(out) > 0 {
		d.sink.write(out)
	}
}

// appendShown appends a body's shown part, a line break, and how much was
// left out.
func appendShown(out, shown []byte, more int64) []byte {
	if len(shown) == 0 {
		return out
	}
	out = append(out, shown...)
	if shown[len(shown)-1] != '\n' {
		out = append(out, '\n')
	}
	if more > 0 {
		out = append(out, "… "...)
		out = strconv.AppendInt(out, more, 10)
		out = append(out, " more bytes\n"...)
	}
	return out
}

// bodyTap keeps the first debugBodyShown bytes of a request body stream
// as the transport reads it.
type bodyTap struct {
	shown []byte
	seen  int64
}

// tapRequestBody returns r, reading through the dump when it is a stream
// (an in-memory body is shown from memory).
func (d *requestDump) tapRequestBody(r io.Reader) io.Reader {
	if r == nil || r == http.NoBody || d.req.body.inMemory || d.req.body.stream == nil {
		return r
	}
	return &requestTap{r: r, d: d}
}

type requestTap struct {
	r io.Reader
	d *requestDump
}

func (t *requestTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		d := t.d
		d.mu.Lock()
		if room := debugBodyShown - len(d.body.shown); room > 0 {
			d.body.shown = append(d.body.shown, p[:min(n, room)]...)
		}
		d.body.seen += int64(n)
		d.mu.Unlock()
	}
	return n, err
}

// afterSend writes what is left of the request, then the response head,
// or the error; a response body is written as it is read.
func (d *requestDump) afterSend(resp *Response, err error) {
	http2 := resp != nil && resp.HTTPVersion() == "HTTP/2"
	d.requestHead(http2)
	d.requestBody()
	if err != nil {
		d.sink.write([]byte("* error: " + err.Error() + "\n\n"))
		return
	}
	var b strings.Builder
	if http2 {
		b.WriteString("< :status: " + strconv.Itoa(resp.StatusCode) + "\n")
	} else {
		b.WriteString("< " + resp.statusLine() + "\n")
	}
	for name, value := range resp.Headers.All() {
		if http2 {
			name = strings.ToLower(name)
		}
		b.WriteString("< " + name + ": " + d.redact.value(name, value) + "\n")
	}
	b.WriteString("<\n")
	d.sink.write([]byte(b.String()))
	tap := &responseTap{d: d}
	if rb := &resp.body; rb.isMem {
		tap.write(rb.mem)
	} else if rb.src != nil {
		tap.r = rb.src
		rb.src = tap
	}
	resp.onClose(func() { tap.finish(resp) })
}

// responseTap writes a response body to the dump as the caller reads it.
type responseTap struct {
	r     io.Reader
	d     *requestDump
	shown int64
	seen  int64
	last  byte
}

func (t *responseTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.write(p[:n])
	}
	return n, err
}

func (t *responseTap) write(p []byte) {
	t.seen += int64(len(p))
	if room := debugBodyShown - t.shown; room > 0 && len(p) > 0 {
		part := p[:min(int64(len(p)), room)]
		t.d.sink.write(part)
		t.shown += int64(len(part))
		t.last = part[len(part)-1]
	}
}

// finish ends the response's dump: how much of the body was left out,
// and the timings.
func (t *responseTap) finish(resp *Response) {
	var out []byte
	if t.shown > 0 && t.last != '\n' {
		out = append(out, '\n')
	}
	if more := t.seen - t.shown; more > 0 {
		out = append(out, "… "...)
		out = strconv.AppendInt(out, more, 10)
		out = append(out, " more bytes\n"...)
	}
	tm := resp.Timings()
	out = append(out, "* timings: pool="+tm.Pool.String()+" dns="+tm.DNS.String()+" connect="+tm.Connect.String()+
		" tls="+tm.TLS.String()+" write="+tm.Write.String()+" wait="+tm.Wait.String()+" read="+tm.Read.String()+
		" reused="+strconv.FormatBool(tm.Reused)+" elapsed="+resp.Elapsed().String()+"\n\n"...)
	t.d.sink.write(out)
}
