package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gohttpx/httpx/internal/h1"
)

// h1Conn is one HTTP/1.1 connection of the Engine. All its I/O runs on the
// goroutine of the request using it: there is no reader or writer
// goroutine. The per-phase timeouts are deadlines on the connection,
// pushed forward lazily as reads and writes go (see pushDeadline), and left
// in place between requests. While idle it holds no buffers: the bufio
// reader and writer are taken from pools for each request.
type h1Conn struct {
	pool   *connPool
	key    connKey
	nc     net.Conn // what requests read and write: the TLS or the raw connection
	raw    net.Conn // the socket under TLS, for the idle probe
	tls    *tls.ConnectionState
	br     *bufio.Reader
	bw     *bufio.Writer
	chunks h1.ChunkWriter

	maxHead int // bounds a response head and its 1xx heads together
	head    h1.Head
	body    h1.Body
	framing h1.Framing

	rto, wto time.Duration // the current request's read and write timeouts
	rdl, wdl time.Time     // the deadlines set on nc; zero when none

	wrote     time.Time // when the current request was written; zero before
	firstByte time.Time // when the response's first byte was read after it
	awaiting  bool      // the first byte is yet to come

	ctx         context.Context
	stop        func() bool // stops the cancellation callback
	interrupted atomic.Bool // the request's context ended mid-exchange
	served      int         // requests completed on this connection
	idleAt      time.Time
	closed      atomic.Bool // Engine.Close may close a connection a request is using

	probeRes  int // what the last probe saw: see usable
	probeFunc func(fd uintptr) bool
	probeConn syscall.RawConn
}

var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4096) }}
	bodyBuf = sync.Pool{New: func() any { return new([32 << 10]byte) }}
)

// Read reads from the connection under the read timeout.
func (c *h1Conn) Read(p []byte) (int, error) {
	if c.rto > 0 {
		c.pushDeadline(&c.rdl, c.rto, c.nc.SetReadDeadline)
	}
	n, err := c.nc.Read(p)
	if c.awaiting && n > 0 {
		c.awaiting, c.firstByte = false, time.Now()
	}
	return n, err
}

// Write writes to the connection under the write timeout.
func (c *h1Conn) Write(p []byte) (int, error) {
	if c.wto > 0 {
		c.pushDeadline(&c.wdl, c.wto, c.nc.SetWriteDeadline)
	}
	return c.nc.Write(p)
}

// pushDeadline keeps a deadline at least d ahead: set to now+9d/8 when
// less than d is left, so a transfer costs a clock read per operation and
// a deadline update only every d/8, and a stall still times out within
// d to 9d/8. A context that ended keeps its expired deadline.
func (c *h1Conn) pushDeadline(dl *time.Time, d time.Duration, set func(time.Time) error) {
	now := time.Now()
	// Outside [d, 9d/8] the deadline is too near, or one a request with a
	// longer timeout left behind.
	if rem := dl.Sub(now); rem >= d && rem <= d+d/8 || c.interrupted.Load() {
		return
	}
	*dl = now.Add(d + d/8)
	_ = set(*dl)
	if c.interrupted.Load() {
		_ = c.nc.SetDeadline(aLongTimeAgo)
	}
}

var aLongTimeAgo = time.Unix(1, 0)

// begin prepares the connection for a request: buffers, timeouts, and a
// callback that interrupts blocked I/O when ctx ends (only when ctx can end).
func (c *h1Conn) begin(ctx context.Context, to Timeouts) {
	if c.br == nil {
		c.br = readers.Get().(*bufio.Reader)
		c.br.Reset(c)
		c.bw = writers.Get().(*bufio.Writer)
		c.bw.Reset(c)
	}
	c.chunks.Reset(c.bw)
	c.rto, c.wto = to.Read, to.Write
	// A deadline a previous request left behind must not limit this one.
	if c.rto <= 0 && !c.rdl.IsZero() {
		c.rdl = time.Time{}
		_ = c.nc.SetReadDeadline(c.rdl)
	}
	if c.wto <= 0 && !c.wdl.IsZero() {
		c.wdl = time.Time{}
		_ = c.nc.SetWriteDeadline(c.wdl)
	}
	c.ctx = ctx
	if ctx.Done() != nil {
		c.stop = context.AfterFunc(ctx, c.interrupt)
	}
}

// interrupt runs when the request's context ends: blocked reads and writes
// return at once.
func (c *h1Conn) interrupt() {
	c.interrupted.Store(true)
	_ = c.nc.SetDeadline(aLongTimeAgo)
}

// finish ends the exchange: the connection goes back to the pool when the
// response was read to its exact end, nothing unread is buffered, and
// neither side asked to close; else it is closed.
func (c *h1Conn) finish(ok bool) {
	stopped := true
	if c.stop != nil {
		stopped = c.stop()
		c.stop = nil
	}
	c.ctx = nil
	reusable := ok && stopped && !c.interrupted.Load() && !c.framing.Close && c.br.Buffered() == 0
	if reusable {
		readers.Put(c.br)
		writers.Put(c.bw)
		// The body reader and the chunk writer point at the buffers too:
		// an idle connection that kept them would keep 8 KiB alive.
		c.br, c.bw = nil, nil
		c.body = h1.Body{}
		c.chunks.Reset(nil)
	}
	c.served++
	c.pool.release(c, reusable)
}

// closeConn closes the connection once.
func (c *h1Conn) closeConn() {
	if c.closed.CompareAndSwap(false, true) {
		_ = c.nc.Close()
	}
}

// usable reports whether an idle connection can take a request: not past
// its keep-alive expiry, and its socket neither readable (unsolicited
// bytes, or the server closed it) nor failed. The probe is one
// non-blocking peek, no allocation.
func (c *h1Conn) usable(now time.Time, expiry time.Duration) bool {
	if expiry > 0 && now.Sub(c.idleAt) > expiry {
		return false
	}
	if !c.rdl.IsZero() && c.rdl.Before(now) {
		// An expired deadline fails the probe before it looks.
		c.rdl = time.Time{}
		_ = c.nc.SetReadDeadline(c.rdl)
	}
	return probe(c)
}

// roundTrip sends req on c and reads the response head into out. The body
// stays on the connection until the caller reads it to the end or closes
// it.
func (c *h1Conn) roundTrip(ctx context.Context, req *Request, body io.Reader, out *Response) error {
	c.begin(ctx, req.Timeouts)
	c.framing = h1.Framing{}
	c.wrote, c.firstByte, c.awaiting = time.Time{}, time.Time{}, false
	start := time.Now()
	chunked := body != nil && req.ContentLength < 0
	req.emit(Event{Kind: EventSendRequestHeaders})
	if err := c.writeHead(req, chunked); err != nil {
		req.step(EventSendRequestHeaders, false, err)
		// A refused head wrote nothing: the connection is as good as
		// before. A failed write (a head larger than the buffer) is not.
		var te *Error
		c.finish(errors.As(err, &te) && te.Kind == KindLocalProtocol)
		return err
	}
	req.step(EventSendRequestHeaders, false, nil)
	req.emit(Event{Kind: EventSendRequestBody})
	sendBody := body != nil && req.ContentLength != 0
	if sendBody && req.ExpectContinue {
		final, err := c.awaitContinue()
		if err != nil {
			c.finish(false)
			return err
		}
		if final {
			// The server answered without a 100: the body stays unsent,
			// and the connection cannot carry another request.
			req.step(EventSendRequestBody, false, nil)
			req.emit(Event{Kind: EventReceiveResponseHeaders})
			return c.response(req, true, out)
		}
	}
	if sendBody {
		if err := c.writeBody(body, req.ContentLength, chunked); err != nil {
			req.step(EventSendRequestBody, false, err)
			if c.earlyResponse(req, err, out) == nil {
				return nil
			}
			c.finish(false)
			return err
		}
	}
	if err := c.bw.Flush(); err != nil {
		err = c.writeError(err)
		req.step(EventSendRequestBody, false, err)
		if c.earlyResponse(req, err, out) == nil {
			return nil
		}
		c.finish(false)
		return err
	}
	c.wrote, c.awaiting = time.Now(), true
	out.Timings.Write = c.wrote.Sub(start)
	req.step(EventSendRequestBody, false, nil)
	req.emit(Event{Kind: EventReceiveResponseHeaders})
	if err := c.readFinalHead(); err != nil {
		req.step(EventReceiveResponseHeaders, false, err)
		c.finish(false)
		return err
	}
	return c.response(req, false, out)
}

// writeHead writes the request line and fields into the buffer. The body's
// framing fields are the engine's: Content-Length carries the known length,
// Transfer-Encoding says chunked for a body of unknown length, whatever
// values the fields had.
func (c *h1Conn) writeHead(req *Request, chunked bool) error {
	buf, err := h1.AppendRequestLine(c.bw.AvailableBuffer(), req.Method, req.Target)
	if err != nil {
		return &Error{Kind: KindLocalProtocol, Err: err}
	}
	wroteLength, wroteChunked := false, false
	var num [20]byte
	for i := range req.Header.Len() {
		name, value := req.Header.At(i)
		switch {
		case h1.EqualFold(name, "Content-Length"):
			if chunked || wroteLength {
				continue
			}
			value, wroteLength = string(strconv.AppendInt(num[:0], max(req.ContentLength, 0), 10)), true
		case h1.EqualFold(name, "Transfer-Encoding"):
			if !chunked || wroteChunked {
				continue
			}
			value, wroteChunked = "chunked", true
		}
		if buf, err = h1.AppendField(buf, name, value); err != nil {
			return &Error{Kind: KindLocalProtocol, Err: err}
		}
	}
	switch {
	case chunked && !wroteChunked:
		buf = append(buf, "Transfer-Encoding: chunked\r\n"...)
	case !chunked && !wroteLength && req.ContentLength > 0:
		buf = append(buf, "Content-Length: "...)
		buf = strconv.AppendInt(buf, req.ContentLength, 10)
		buf = append(buf, "\r\n"...)
	}
	buf = append(buf, "\r\n"...)
	// The buffer is empty: this writes through only for a head larger
	// than it.
	if _, err := c.bw.Write(buf); err != nil {
		return c.writeError(err)
	}
	return nil
}

// writeBody copies the body, as it is or chunked, checking a declared
// length.
func (c *h1Conn) writeBody(body io.Reader, length int64, chunked bool) error {
	buf := bodyBuf.Get().(*[32 << 10]byte)
	defer bodyBuf.Put(buf)
	var sent int64
	for {
		n, rerr := body.Read(buf[:])
		if n > 0 {
			if !chunked && sent+int64(n) > length {
				return &Error{Kind: KindLocalProtocol, Err: errors.New("the request body is longer than its Content-Length")}
			}
			var werr error
			if chunked {
				_, werr = c.chunks.Write(buf[:n])
			} else {
				_, werr = c.bw.Write(buf[:n])
			}
			if werr != nil {
				return c.writeError(werr)
			}
			sent += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			// The caller's body failed (or panicked, see the root's
			// guardedReader): not a network error.
			return &Error{Kind: KindOther, Err: rerr}
		}
	}
	if chunked {
		if err := c.chunks.Close(); err != nil {
			return c.writeError(err)
		}
		return nil
	}
	if sent < length {
		return &Error{Kind: KindLocalProtocol, Err: errors.New("the request body is shorter than its Content-Length")}
	}
	return nil
}

// expectContinueWait is how long a body with "Expect: 100-continue" waits
// for the 100 before it is sent anyway (net/http's DefaultTransport waits
// as long).
const expectContinueWait = time.Second

// awaitContinue flushes the head and waits for the server's first answer.
// final reports a final response head read instead of a 100 (the body is
// then not sent); a timeout means the body is sent anyway.
func (c *h1Conn) awaitContinue() (final bool, err error) {
	if err := c.bw.Flush(); err != nil {
		return false, c.writeError(err)
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(expectContinueWait))
	c.rdl = time.Time{}
	_, perr := c.br.Peek(1)
	_ = c.nc.SetReadDeadline(time.Time{})
	if perr != nil {
		if isTimeout(perr) && !c.interrupted.Load() {
			return false, nil
		}
		return false, c.readError(perr)
	}
	if err := h1.ReadHead(c.br, c.maxHead, &c.head); err != nil {
		return false, c.readError(err)
	}
	if c.head.Status == 100 {
		return false, nil
	}
	if c.head.Status < 200 && c.head.Status != 101 {
		return true, c.readFinalHead()
	}
	return true, nil
}

// earlyResponse tries, after writing the request failed, to read a response
// the server sent before it stopped reading (an early 413, say), as httpcore
// does; the connection closes after it.
func (c *h1Conn) earlyResponse(req *Request, werr error, out *Response) error {
	var te *Error
	if errors.As(werr, &te) && te.Kind != KindWrite {
		return werr
	}
	req.emit(Event{Kind: EventReceiveResponseHeaders})
	if err := c.readFinalHead(); err != nil {
		req.step(EventReceiveResponseHeaders, false, err)
		return err
	}
	return c.response(req, true, out)
}

// maxTrailerBytes bounds a chunk-size line and a trailer section: real
// servers send a few short trailer fields, if any.
const maxTrailerBytes = 8 << 10

// readFinalHead reads response heads up to the final one, skipping 1xx
// interim responses within the head size budget.
func (c *h1Conn) readFinalHead() error {
	budget := c.maxHead
	for {
		if err := h1.ReadHead(c.br, budget, &c.head); err != nil {
			return c.readError(err)
		}
		if s := c.head.Status; s >= 200 || s == 101 {
			return nil
		}
		budget -= headSize(&c.head)
		if budget <= 0 {
			return &Error{Kind: KindRemoteProtocol, Err: errors.New("too many interim (1xx) responses")}
		}
	}
}

// headSize is about the bytes a head took on the wire.
func headSize(h *h1.Head) int {
	n := len("HTTP/1.1 200 \r\n\r\n") + len(h.Reason)
	for _, f := range h.Fields {
		n += len(f.Name) + len(f.Value) + 4
	}
	return n
}

// response turns the head just read into out, with the body bound to the
// connection. closeAfter forces a close after it (a request body that was
// not sent whole).
func (c *h1Conn) response(req *Request, closeAfter bool, out *Response) error {
	f, err := h1.ResponseFraming(req.Method, &c.head)
	if err != nil {
		c.framing.Close = true
		c.finish(false)
		err = &Error{Kind: KindRemoteProtocol, Err: err}
		req.step(EventReceiveResponseHeaders, false, err)
		return err
	}
	f.Close = f.Close || closeAfter
	c.framing = f
	resp := out
	now := time.Now()
	tm := resp.Timings
	if !c.wrote.IsZero() {
		first := c.firstByte
		if first.IsZero() {
			first = now
		}
		tm.Wait = first.Sub(c.wrote)
	}
	c.awaiting = false
	*resp = Response{
		Status:  c.head.Status,
		Reason:  c.head.Reason,
		Proto:   protoName(&c.head),
		Header:  c.head.Fields,
		TLS:     c.tls,
		Reused:  c.served > 0,
		Timings: tm,
	}
	c.head.Fields = nil // the response owns them now
	if req.Observe != nil {
		req.Observe(Event{Kind: EventReceiveResponseHeaders, Stage: Complete, Response: resp})
		req.Observe(Event{Kind: EventReceiveResponseBody})
	}
	switch {
	case c.head.Status == 101:
		resp.Body = &upgradedConn{c: c, obs: req.Observe}
	case f.Kind == h1.NoBody, f.Kind == h1.Length && f.Length == 0:
		// Nothing to read: the connection is free now, whether or not
		// the caller reads or closes the body.
		c.finish(true)
		resp.Body = noBody{}
		if req.Observe != nil {
			req.step(EventReceiveResponseBody, false, nil)
			req.emit(Event{Kind: EventResponseClosed})
			req.step(EventResponseClosed, false, nil)
		}
	default:
		c.body.Reset(c.br, f, maxTrailerBytes)
		resp.body = responseBody{c: c, tm: &resp.Timings, from: now, obs: req.Observe}
		resp.Body = &resp.body
	}
	return nil
}

func protoName(h *h1.Head) string {
	if h.Major == 1 && h.Minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// readError types a failure while reading the response.
func (c *h1Conn) readError(err error) error {
	var pe *h1.ProtocolError
	switch {
	case c.interrupted.Load():
		return &Error{Kind: KindCanceled, Err: context.Cause(c.ctxOrBackground())}
	case c.pool.isClosed():
		// Engine.Close closed the connection under the request.
		return &Error{Kind: KindClosed, Err: withCause(ErrClosed, err)}
	case errors.As(err, &pe):
		return &Error{Kind: KindRemoteProtocol, Err: err}
	case errors.Is(err, h1.ErrDisconnected):
		return &Error{Kind: KindRemoteProtocol, Err: errDisconnected}
	case errors.Is(err, h1.ErrIncompleteBody):
		return &Error{Kind: KindRemoteProtocol, Err: err}
	case isTimeout(err):
		return &Error{Kind: KindReadTimeout, Err: err}
	}
	return &Error{Kind: KindRead, Err: err}
}

// writeError types a failure while writing the request.
func (c *h1Conn) writeError(err error) error {
	switch {
	case c.interrupted.Load():
		return &Error{Kind: KindCanceled, Err: context.Cause(c.ctxOrBackground())}
	case c.pool.isClosed():
		return &Error{Kind: KindClosed, Err: withCause(ErrClosed, err)}
	case isTimeout(err):
		return &Error{Kind: KindWriteTimeout, Err: err}
	}
	return &Error{Kind: KindWrite, Err: err}
}

func (c *h1Conn) ctxOrBackground() context.Context {
	if c.ctx != nil {
		return c.ctx
	}
	return context.Background()
}

// ErrNoResponse is in the chain of the error of a server that closed the
// connection before it sent a byte of a response: the request may not have
// been processed, which makes it safe to retry.
var ErrNoResponse = errors.New("Server disconnected without sending a response.")

var errDisconnected = ErrNoResponse

// responseBody reads a response body off its connection and gives the
// connection back at its end (or closes it on Close before the end).
type responseBody struct {
	c    *h1Conn
	done bool
	err  error
	tm   *Timings    // Read is set at the end
	from time.Time   // when the head was read
	obs  func(Event) // the request's Observe
}

func (b *responseBody) Read(p []byte) (int, error) {
	if b.done {
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n, err := b.c.body.Read(p)
	switch {
	case err == io.EOF:
		b.end(nil, true)
	case err != nil:
		b.end(b.c.readError(err), false)
		err = b.err
	}
	return n, err
}

// Close releases the connection: a body not read to its end closes it,
// one whose end was reached (if not yet reported) keeps it.
func (b *responseBody) Close() error {
	if !b.done {
		b.end(errBodyClosed, b.c.body.Done())
	}
	return nil
}

// end ends the body with err (nil at its end), notes the read time and
// gives the connection back (reusable or not).
func (b *responseBody) end(err error, reusable bool) {
	b.done, b.err = true, err
	b.tm.Read = time.Since(b.from)
	b.c.finish(reusable)
	if b.obs != nil {
		bodyEnded(b.obs, false, err)
	}
}

// bodyEnded emits the end of a response body and the closing of the
// response.
func bodyEnded(obs func(Event), http2 bool, err error) {
	ev := Event{Kind: EventReceiveResponseBody, Stage: Complete, HTTP2: http2}
	if err != nil {
		ev.Stage, ev.Err = Failed, err
	}
	obs(ev)
	obs(Event{Kind: EventResponseClosed, HTTP2: http2})
	obs(Event{Kind: EventResponseClosed, Stage: Complete, HTTP2: http2})
}

var errBodyClosed = errors.New("transport: read on a closed response body")

type noBody struct{}

func (noBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noBody) Close() error             { return nil }

// upgradedConn is the connection after a 101 Switching Protocols: bytes
// the server sent after the head first, then the raw stream. It is never
// pooled.
type upgradedConn struct {
	c      *h1Conn
	closed bool
	obs    func(Event)
}

func (u *upgradedConn) Read(p []byte) (int, error)  { return u.c.br.Read(p) }
func (u *upgradedConn) Write(p []byte) (int, error) { return u.c.nc.Write(p) }
func (u *upgradedConn) Close() error {
	if !u.closed {
		u.closed = true
		u.c.framing.Close = true
		u.c.finish(false)
		if u.obs != nil {
			bodyEnded(u.obs, false, nil)
		}
	}
	return nil
}
