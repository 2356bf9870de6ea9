package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpx/httpx/transport"
)

// scriptConn is a connection to a server that answers with fixed bytes:
// reads return them (then EOF), writes are kept. It is not a syscall.Conn,
// so the engine cannot probe it while idle and must trust its own framing.
type scriptConn struct {
	mu      sync.Mutex
	answer  *bytes.Reader
	written bytes.Buffer
	closed  bool
}

func (c *scriptConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.answer.Read(p)
}

func (c *scriptConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.written.Write(p)
}

func (c *scriptConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}

// unread is how many answer bytes the engine has not taken off the
// connection.
func (c *scriptConn) unread() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answer.Len()
}

// wire is what the engine wrote.
func (c *scriptConn) wire() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written.String()
}

func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// scriptedEngine is an Engine whose one connection answers with answer.
func scriptedEngine(t testing.TB, answer []byte) (*transport.Engine, *scriptConn) {
	t.Helper()
	conn := &scriptConn{answer: bytes.NewReader(answer)}
	dialed := false
	e, err := transport.NewEngine(transport.Config{
		MaxConns:     1,
		MaxIdleConns: 1,
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			if dialed {
				return nil, errors.New("one connection only")
			}
			dialed = true
			return conn, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, conn
}

// FuzzEngineResponse sends one request to a server whose answer is the
// fuzzer's bytes. Whatever they are, the engine must not panic or hang,
// must fail with a typed error, and must pool the connection only after a
// response it read to its exact end, without error, with nothing left over
// that it took off the connection.
func FuzzEngineResponse(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\n\r\nread until close",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",
		"HTTP/1.1 099 Low\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nraw",
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
		"HTTP/1.1 200",
		"",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, answer []byte, head bool) {
		e, conn := scriptedEngine(t, answer)
		defer e.Close()
		method := "GET"
		if head {
			method = "HEAD"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := e.Do(ctx, &transport.Request{Method: method, Scheme: "http", Addr: "fuzz.test:80", Target: "/", Header: transport.FieldList{"Host", "fuzz.test"}})
		if err != nil {
			if k := transport.Classify(err); k == transport.KindOther {
				t.Fatalf("untyped error %v", err)
			}
			if s := e.Stats(); s.Conns != 0 {
				t.Fatalf("a failed exchange left its connection: %+v", s)
			}
			return
		}
		if resp.Status < 100 || resp.Status > 999 {
			t.Fatalf("status %d", resp.Status)
		}
		body, readErr := io.ReadAll(resp.Body)
		if readErr != nil && transport.Classify(readErr) == transport.KindOther {
			t.Fatalf("untyped body error %v", readErr)
		}
		if err := resp.Body.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		if ctx.Err() != nil {
			t.Fatal("the exchange hung")
		}
		s := e.Stats()
		switch {
		case s.Idle == 0 && s.Conns != 0:
			t.Fatalf("a finished exchange holds its connection: %+v", s)
		case s.Idle == 1:
			if readErr != nil {
				t.Fatalf("pooled after a body error: %v", readErr)
			}
			if resp.Status == 101 {
				t.Fatal("pooled an upgraded connection")
			}
			// What the engine took off the connection is exactly one
			// response: net/http reads the same bytes to the same end.
			taken := answer[:len(answer)-conn.unread()]
			checkOneResponse(t, taken, method, body)
		}
	})
}

// checkOneResponse checks that b holds exactly one response to method,
// interim 1xx heads aside, whose body is body, with no byte after it: the
// bytes a pooled connection consumed.
func checkOneResponse(t *testing.T, b []byte, method string, body []byte) {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(b))
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			// net/http refuses some heads the engine takes (it is the
			// stricter on some rules, the looser on others); the
			// differential fuzz of internal/h1 compares the parsers.
			return
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 {
			continue
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			return
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("pooled after a body of %q, net/http reads %q", body, got)
		}
		if rest, _ := io.ReadAll(br); len(rest) > 0 {
			t.Fatalf("pooled with %q taken off the connection after the response", rest)
		}
		return
	}
}

// FuzzEngineRequestHead writes a request with the fuzzer's method, target
// and one header field. The engine either refuses it (a local protocol
// error, nothing written) or writes exactly one well-formed head that says
// what it was given: no CR, LF or NUL of the input reaches the wire
// outside the framing, so nothing can be smuggled into a second request.
func FuzzEngineRequestHead(f *testing.F) {
	for _, s := range [][4]string{
		{"GET", "/", "X-A", "b"},
		{"POST", "/p?q=1", "Content-Type", "text/plain"},
		{"GET", "/\r\nX: injected", "X-A", "b"},
		{"GET", "/", "X-A", "b\r\nX-Injected: 1"},
		{"GET", "/", "X-A\r\n", "b"},
		{"GET", "/", "X A", "b"},
		{"GET", "/", "X-A", "b\x00c"},
		{"GE T", "/", "X-A", "b"},
		{"GET", "/ HTTP/1.1\r\n\r\nGET /smuggled", "X-A", "b"},
		{"OPTIONS", "*", "X-A", " padded "},
		{"GET", "http://proxy.test/abs", "X-A", "\tb"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, method, target, name, value string) {
		e, conn := scriptedEngine(t, []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
		defer e.Close()
		resp, err := e.Do(context.Background(), &transport.Request{
			Method: method, Scheme: "http", Addr: "fuzz.test:80", Target: target,
			Header: transport.FieldList{"Host", "fuzz.test", name, value},
		})
		wire := conn.wire()
		if err != nil {
			if k := transport.Classify(err); k != transport.KindLocalProtocol {
				t.Fatalf("a refused request is a local protocol error, got %v (%v)", k, err)
			}
			if wire != "" {
				t.Fatalf("a refused request wrote %q", wire)
			}
			return
		}
		_ = resp.Body.Close()
		head, ok := strings.CutSuffix(wire, "\r\n\r\n")
		if !ok {
			t.Fatalf("the head does not end with a blank line: %q", wire)
		}
		lines := strings.Split(head, "\r\n")
		for _, l := range lines {
			if strings.ContainsAny(l, "\r\n\x00") {
				t.Fatalf("CR, LF or NUL inside line %q of %q", l, wire)
			}
		}
		if want := method + " " + target + " HTTP/1.1"; lines[0] != want {
			t.Fatalf("request line %q, want %q", lines[0], want)
		}
		if strings.Count(lines[0], " ") != 2 {
			t.Fatalf("request line %q has more than two spaces", lines[0])
		}
		if len(lines) != 3 || lines[1] != "Host: fuzz.test" {
			t.Fatalf("want Host and one field, got %q", lines[1:])
		}
		if want := name + ": " + value; lines[2] != want {
			t.Fatalf("field line %q, want %q", lines[2], want)
		}
	})
}
