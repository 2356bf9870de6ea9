package faultserver

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// maxHead bounds a request head, so a confused client cannot make the
// server buffer without end.
const maxHead = 1 << 20

// errClosed is the sticky error after Close, Reset or Server.Close.
var errClosed = errors.New("faultserver: connection closed")

// Conn is one accepted connection, handed to its Handler. Its methods are
// for the handler's goroutine only. Errors are sticky: the first one is kept
// (see Err) and every later method does nothing, so scripts need no checks.
type Conn struct {
	// Index numbers the server's connections in accept order, from 0.
	Index int

	srv *Server
	raw *net.TCPConn
	nc  net.Conn // raw, or TLS over raw
	br  *bufio.Reader
	err error

	last     *Request // the request whose body ReadBody reads
	requests int
}

func newConn(s *Server, raw *net.TCPConn, index int) *Conn {
	c := &Conn{Index: index, srv: s, raw: raw, nc: raw}
	if s.tls != nil {
		c.nc = tls.Server(raw, s.tls)
	}
	c.br = bufio.NewReader(c.nc)
	return c
}

// Request is a request head as the client sent it; Body is filled by
// ReadFullRequest or ReadBody.
type Request struct {
	Method, Target, Proto string
	Header                http.Header
	// ContentLength is -1 when the request is chunked or has no
	// Content-Length.
	ContentLength int64
	Chunked       bool
	Body          []byte
	bodyRead      bool
}

// Err returns the first error the connection met, nil if none.
func (c *Conn) Err() error { return c.err }

// Requests counts the request heads read on this connection.
func (c *Conn) Requests() int { return c.requests }

// ok reports whether the connection is still usable.
func (c *Conn) ok() bool {
	if c.err != nil {
		return false
	}
	select {
	case <-c.srv.done:
		c.err = errClosed
		return false
	default:
		return true
	}
}

func (c *Conn) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// Handshake completes the TLS handshake now (a no-op without TLS), so that
// a script can fail there on purpose or be sure the handshake is over.
func (c *Conn) Handshake() error {
	if !c.ok() {
		return c.err
	}
	if tc, ok := c.nc.(*tls.Conn); ok {
		if err := tc.Handshake(); err != nil {
			c.fail(err)
		}
	}
	return c.err
}

// ReadRequest reads the next request head, leaving its body unread; nil
// once the connection failed or the client closed it.
func (c *Conn) ReadRequest() *Request {
	if !c.ok() {
		return nil
	}
	if c.last != nil && !c.last.bodyRead {
		// Keep the framing: skip the previous request's unread body.
		c.ReadBody()
		if c.err != nil {
			return nil
		}
	}
	line, err := c.readLine()
	if err != nil {
		c.fail(err)
		return nil
	}
	parts := strings.SplitN(line, " ", 3)
	if len(parts) != 3 {
		c.fail(fmt.Errorf("faultserver: malformed request line %q", line))
		return nil
	}
	r := &Request{Method: parts[0], Target: parts[1], Proto: parts[2], Header: http.Header{}, ContentLength: -1}
	size := len(line)
	for {
		line, err := c.readLine()
		if err != nil {
			c.fail(err)
			return nil
		}
		if line == "" {
			break
		}
		if size += len(line); size > maxHead {
			c.fail(errors.New("faultserver: request head too large"))
			return nil
		}
		name, value, found := strings.Cut(line, ":")
		if !found {
			c.fail(fmt.Errorf("faultserver: malformed header line %q", line))
			return nil
		}
		r.Header.Add(textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)), strings.TrimSpace(value))
	}
	for _, te := range r.Header.Values("Transfer-Encoding") {
		if strings.Contains(strings.ToLower(te), "chunked") {
			r.Chunked = true
		}
	}
	if cl := r.Header.Get("Content-Length"); cl != "" && !r.Chunked {
		n, err := strconv.ParseInt(cl, 10, 64)
		if err != nil || n < 0 {
			c.fail(fmt.Errorf("faultserver: bad Content-Length %q", cl))
			return nil
		}
		r.ContentLength = n
	}
	if !r.Chunked && r.ContentLength <= 0 {
		r.bodyRead = true
	}
	c.last = r
	c.requests++
	return r
}

// readLine reads one CRLF- (or LF-) terminated line without its ending.
func (c *Conn) readLine() (string, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := c.br.ReadLine()
		if err != nil {
			return "", err
		}
		buf = append(buf, chunk...)
		if len(buf) > maxHead {
			return "", errors.New("faultserver: line too long")
		}
		if !isPrefix {
			return string(buf), nil
		}
	}
}

// ReadBody reads the body of the last request read, by its Content-Length
// or chunked framing, and returns it (also kept in Request.Body).
func (c *Conn) ReadBody() []byte {
	r := c.last
	if r == nil || r.bodyRead || !c.ok() {
		if r != nil {
			return r.Body
		}
		return nil
	}
	r.bodyRead = true
	var (
		body bytes.Buffer
		err  error
	)
	if r.Chunked {
		err = c.readChunked(&body)
	} else {
		_, err = io.CopyN(&body, c.br, r.ContentLength)
	}
	r.Body = body.Bytes()
	if err != nil {
		c.fail(err)
	}
	return r.Body
}

func (c *Conn) readChunked(dst *bytes.Buffer) error {
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		sizeHex, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("faultserver: bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers
				line, err := c.readLine()
				if err != nil {
					return err
				}
				if line == "" {
					return nil
				}
			}
		}
		if _, err := io.CopyN(dst, c.br, n); err != nil {
			return err
		}
		if line, err := c.readLine(); err != nil || line != "" {
			if err == nil {
				err = errors.New("faultserver: chunk not followed by CRLF")
			}
			return err
		}
	}
}

// ReadFullRequest reads a request head and its body.
func (c *Conn) ReadFullRequest() *Request {
	r := c.ReadRequest()
	if r != nil {
		c.ReadBody()
	}
	if c.err != nil {
		return nil
	}
	return r
}

// Write writes s as it is: any bytes, valid HTTP or not.
func (c *Conn) Write(s string) { c.WriteBytes([]byte(s)) }

// WriteBytes writes b as it is.
func (c *Conn) WriteBytes(b []byte) {
	if !c.ok() {
		return
	}
	if _, err := c.nc.Write(b); err != nil {
		c.fail(err)
	}
}

// Respond writes a complete HTTP/1.1 response with a Content-Length.
// headers are "Name: value" lines added as they are.
func (c *Conn) Respond(status int, body string, headers ...string) {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nContent-Length: %d\r\n", status, http.StatusText(status), len(body))
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	c.Write(b.String())
}

// Serve answers every further request on the connection with a 200 whose
// body is body (its Content-Length alone for HEAD), until the client closes it or the server stops. It is how
// a test tells a reused connection (body "reused", say) from a new one.
func (c *Conn) Serve(body string) {
	for r := c.ReadFullRequest(); r != nil; r = c.ReadFullRequest() {
		if r.Method == http.MethodHead {
			c.Write(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body)))
			continue
		}
		c.Respond(http.StatusOK, body)
	}
}

// Trickle writes b in pieces of chunk bytes with a pause of every between
// them, for bodies that are slow but never stall. It returns the longest
// time that actually passed between two writes, which on a loaded machine
// can be well over every: a test can tell its own stall from the client's.
func (c *Conn) Trickle(b []byte, chunk int, every time.Duration) (longest time.Duration) {
	last := time.Now()
	for len(b) > 0 && c.ok() {
		n := min(chunk, len(b))
		c.WriteBytes(b[:n])
		now := time.Now()
		longest = max(longest, now.Sub(last))
		last = now
		b = b[n:]
		if len(b) > 0 {
			c.Sleep(every)
		}
	}
	return longest
}

// Sleep pauses the script for d, returning early (and failing the Conn)
// when the server closes.
func (c *Conn) Sleep(d time.Duration) {
	if !c.ok() {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.srv.done:
		c.fail(errClosed)
	}
}

// Wait pauses the script until ch is closed (or receives), so that a test
// can let the server go on exactly when the client reached some point.
func (c *Conn) Wait(ch <-chan struct{}) {
	if !c.ok() {
		return
	}
	select {
	case <-ch:
	case <-c.srv.done:
		c.fail(errClosed)
	}
}

// Hold keeps the connection open, reading nothing, until the server
// closes: a peer that accepted a request and then went silent.
func (c *Conn) Hold() {
	if !c.ok() {
		return
	}
	<-c.srv.done
	c.fail(errClosed)
}

// Drain reads and discards until the client closes the connection (or
// the server stops) and returns the byte count.
func (c *Conn) Drain() int64 {
	if !c.ok() {
		return 0
	}
	n, err := io.Copy(io.Discard, c.br)
	if err == nil {
		err = io.EOF
	}
	c.fail(err)
	return n
}

// Received reads for up to d and returns how many bytes arrived, stopping
// early when the client closes: the way to check that a client did not send
// something (a body held back by "Expect: 100-continue").
func (c *Conn) Received(d time.Duration) int64 {
	if !c.ok() {
		return 0
	}
	if err := c.nc.SetReadDeadline(time.Now().Add(d)); err != nil {
		c.fail(err)
		return 0
	}
	n, err := io.Copy(io.Discard, c.br)
	_ = c.nc.SetReadDeadline(time.Time{})
	var ne net.Error
	if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
		c.fail(err)
	}
	return n
}

// CloseWrite half-closes the connection: the client reads EOF while the
// server can still read (under TLS a close_notify alert precedes the FIN).
func (c *Conn) CloseWrite() {
	if !c.ok() {
		return
	}
	if tc, ok := c.nc.(*tls.Conn); ok {
		if err := tc.CloseWrite(); err != nil {
			c.fail(err)
			return
		}
	}
	if err := c.raw.CloseWrite(); err != nil {
		c.fail(err)
	}
}

// Reset aborts the connection with a TCP RST (SO_LINGER 0, then close), so
// the client's next read or write fails with ECONNRESET rather than EOF.
func (c *Conn) Reset() {
	if c.err == errClosed {
		return
	}
	_ = c.raw.SetLinger(0)
	_ = c.raw.Close()
	c.err = errClosed
}

// Close closes the connection gracefully (FIN). The server closes every
// connection when its handler returns, so scripts call Close only to close
// before doing something else.
func (c *Conn) Close() {
	if c.err == errClosed {
		return
	}
	_ = c.nc.Close()
	c.err = errClosed
}
