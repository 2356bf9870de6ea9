package transport_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

// newEngine builds an Engine closed at the end of the test.
func newEngine(t testing.TB, cfg transport.Config) *transport.Engine {
	t.Helper()
	e, err := transport.NewEngine(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// engineDo sends a request to rawURL's host under a test deadline.
func engineDo(t testing.TB, e *transport.Engine, method, rawURL string, body io.Reader, length int64, to transport.Timeouts, fields ...string) (*transport.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	t.Cleanup(cancel)
	return e.Do(ctx, engineRequest(t, method, rawURL, body, length, to, fields...))
}

func engineRequest(t testing.TB, method, rawURL string, body io.Reader, length int64, to transport.Timeouts, fields ...string) *transport.Request {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	require.True(t, ok)
	host, path, _ := strings.Cut(rest, "/")
	addr := host
	if _, _, err := net.SplitHostPort(host); err != nil {
		addr = net.JoinHostPort(host, map[string]string{"http": "80", "https": "443"}[scheme])
	}
	return &transport.Request{
		Method: method, Scheme: scheme, Addr: addr, Target: "/" + path,
		Header: append(transport.FieldList{"Host", host}, fields...),
		Body:   body, ContentLength: length, Timeouts: to,
	}
}

func readAll(t testing.TB, resp *transport.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return string(b)
}

func field(resp *transport.Response, name string) string {
	for _, f := range resp.Header {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

func TestEngineExchanges(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-TE", strings.Join(r.TransferEncoding, ","))
		w.Header().Set("X-CL", strconv.FormatInt(r.ContentLength, 10))
		w.Write(b)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			fmt.Fprintf(w, "part%d;", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/notmodified", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) })
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	})
	s := httptest.NewServer(mux)
	defer s.Close()
	e := newEngine(t, transport.Config{})
	big := strings.Repeat("0123456789", 10000)

	cases := []struct {
		name, method, path string
		body               string
		length             int64
		want               string
		check              func(t *testing.T, resp *transport.Response)
	}{
		{name: "GET", method: "GET", path: "/echo", want: "", check: func(t *testing.T, r *transport.Response) {
			assert.Equal(t, "GET", field(r, "X-Method"))
			assert.Equal(t, "0", field(r, "X-CL"))
		}},
		{name: "POST with a length", method: "POST", path: "/echo", body: big, length: int64(len(big)), want: big, check: func(t *testing.T, r *transport.Response) {
			assert.Equal(t, strconv.Itoa(len(big)), field(r, "X-CL"))
			assert.Empty(t, field(r, "X-TE"))
		}},
		{name: "POST chunked", method: "POST", path: "/echo", body: big, length: -1, want: big, check: func(t *testing.T, r *transport.Response) {
			assert.Equal(t, "chunked", field(r, "X-TE"))
		}},
		{name: "chunked response", method: "GET", path: "/chunked", want: "part0;part1;part2;"},
		{name: "HEAD", method: "HEAD", path: "/chunked", want: ""},
		{name: "204", method: "GET", path: "/empty", want: ""},
		{name: "304", method: "GET", path: "/notmodified", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, err := engineDo(t, e, tc.method, s.URL+tc.path, body, tc.length, transport.Timeouts{})
			require.NoError(t, err)
			assert.Equal(t, "HTTP/1.1", resp.Proto)
			assert.Equal(t, tc.want, readAll(t, resp))
			if tc.check != nil {
				tc.check(t, resp)
			}
		})
	}
	// Every exchange left its connection reusable, so one served them all.
	assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, e.Stats())

	resp, err := engineDo(t, e, "GET", s.URL+"/close", nil, 0, transport.Timeouts{})
	require.NoError(t, err)
	assert.Equal(t, "bye", readAll(t, resp))
	assert.Equal(t, transport.Stats{}, e.Stats(), "Connection: close closed it")
}

func TestEngineReusesConnections(t *testing.T) {
	var conns sync.Map
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conns.Store(r.RemoteAddr, true)
		io.WriteString(w, "ok")
	}))
	s.Start()
	defer s.Close()
	e := newEngine(t, transport.Config{})
	for i := range 5 {
		resp, err := engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
		require.NoError(t, err)
		assert.Equal(t, i > 0, resp.Reused)
		assert.Equal(t, "ok", readAll(t, resp))
	}
	n := 0
	conns.Range(func(any, any) bool { n++; return true })
	assert.Equal(t, 1, n)
}

// scriptServer answers each connection with script, reading one request head
// per answer; answers[i] is written for the i-th request on a connection.
func scriptServer(t *testing.T, answer func(n int, conn net.Conn, req *http.Request)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				for n := 0; ; n++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					answer(n, conn, req)
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestEngineNeverReusesAfterExtraBytes(t *testing.T) {
	cases := []struct {
		name, method, answer string
	}{
		{"after a Content-Length body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"after a 204", "GET", "HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\nevil"},
		{"after a HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"after a chunked body", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
		{"after a 1xx and the response", "GET", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var first atomic.Bool
			url := scriptServer(t, func(n int, conn net.Conn, req *http.Request) {
				if n == 0 && first.CompareAndSwap(false, true) {
					io.WriteString(conn, tc.answer)
					return
				}
				io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nreuse")
			})
			e := newEngine(t, transport.Config{})
			resp, err := engineDo(t, e, tc.method, url+"/", nil, 0, transport.Timeouts{})
			require.NoError(t, err)
			readAll(t, resp)
			resp, err = engineDo(t, e, "GET", url+"/", nil, 0, transport.Timeouts{})
			require.NoError(t, err)
			assert.NotEqual(t, "evil", readAll(t, resp), "a smuggled response was read as the answer")
			assert.False(t, resp.Reused, "the first connection had unread bytes")
		})
	}
}

func TestEngineDiscardsConnectionsTheServerClosed(t *testing.T) {
	for _, unsolicited := range []bool{false, true} {
		t.Run(fmt.Sprintf("unsolicited bytes %v", unsolicited), func(t *testing.T) {
			closed := make(chan struct{}, 1)
			url := scriptServer(t, func(n int, conn net.Conn, req *http.Request) {
				io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				if unsolicited {
					time.Sleep(20 * time.Millisecond)
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")
				} else {
					conn.(*net.TCPConn).CloseWrite()
				}
				closed <- struct{}{}
				time.Sleep(50 * time.Millisecond)
				conn.Close()
			})
			e := newEngine(t, transport.Config{})
			resp, err := engineDo(t, e, "GET", url+"/", nil, 0, transport.Timeouts{})
			require.NoError(t, err)
			assert.Equal(t, "ok", readAll(t, resp))
			<-closed
			time.Sleep(20 * time.Millisecond)
			resp, err = engineDo(t, e, "GET", url+"/", nil, 0, transport.Timeouts{})
			require.NoError(t, err)
			assert.Equal(t, "ok", readAll(t, resp))
			assert.False(t, resp.Reused, "the probe discarded the connection")
		})
	}
}

func TestEngineRetriesStaleConnectionOnce(t *testing.T) {
	// The server closes each connection after its first response, without
	// saying so: a request racing the close is sent again on a new one.
	url := scriptServer(t, func(n int, conn net.Conn, req *http.Request) {
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		conn.Close()
	})
	e := newEngine(t, transport.Config{})
	for range 3 {
		resp, err := engineDo(t, e, "GET", url+"/", nil, 0, transport.Timeouts{})
		require.NoError(t, err)
		assert.Equal(t, "ok", readAll(t, resp))
	}
}

func TestEngineStrictParsing(t *testing.T) {
	cases := []struct {
		name, answer string
		kind         transport.Kind
	}{
		{"status below 100", "HTTP/1.1 099 Nope\r\n\r\n", transport.KindRemoteProtocol},
		{"space in a field name", "HTTP/1.1 200 OK\r\nX Y: 1\r\nContent-Length: 0\r\n\r\n", transport.KindRemoteProtocol},
		{"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", transport.KindRemoteProtocol},
		{"unknown coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok", transport.KindRemoteProtocol},
		{"nothing at all", "", transport.KindRemoteProtocol},
		{"half a head", "HTTP/1.1 200 OK\r\nContent-Le", transport.KindRemoteProtocol},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := scriptServer(t, func(n int, conn net.Conn, req *http.Request) {
				io.WriteString(conn, tc.answer)
				conn.Close()
			})
			e := newEngine(t, transport.Config{})
			_, err := engineDo(t, e, "GET", url+"/", nil, 0, transport.Timeouts{})
			var te *transport.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tc.kind, te.Kind, "%v", err)
			assert.Zero(t, e.Stats().Conns, "the connection was closed")
		})
	}
}

func TestEngineBodyCutShort(t *testing.T) {
	url := scriptServer(t, func(n int, conn net.Conn, req *http.Request) {
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
		conn.Close()
	})
	e := newEngine(t, transport.Config{})
	resp, err := engineDo(t, e, "GET", url+"/", nil, 0, transport.Timeouts{})
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	var te *transport.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, transport.KindRemoteProtocol, te.Kind)
	require.NoError(t, resp.Body.Close())
	assert.Zero(t, e.Stats().Conns)
}

func TestEnginePoolTimeoutAndHandOver(t *testing.T) {
	release := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		if r.URL.Path == "/hold" {
			<-release
		}
	}))
	defer s.Close()
	defer close(release)
	e := newEngine(t, transport.Config{MaxConns: 1})
	held, err := engineDo(t, e, "GET", s.URL+"/hold", nil, 0, transport.Timeouts{})
	require.NoError(t, err)
	_, err = engineDo(t, e, "GET", s.URL+"/other", nil, 0, transport.Timeouts{Pool: 100 * time.Millisecond})
	var te *transport.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, transport.KindPoolTimeout, te.Kind)

	// A waiter gets the connection once the held response is closed.
	got := make(chan error, 1)
	go func() {
		resp, err := engineDo(t, e, "GET", s.URL+"/other", nil, 0, transport.Timeouts{Pool: 5 * time.Second})
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		got <- err
	}()
	require.Eventually(t, func() bool { return e.Stats().Waiting == 1 }, 5*time.Second, time.Millisecond)
	held.Body.Close()
	require.NoError(t, <-got)
	assert.LessOrEqual(t, e.Stats().Conns, 1)
}

func TestEngineKeepAliveLimits(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer s.Close()
	e := newEngine(t, transport.Config{MaxIdleConns: 2, IdleTimeout: 100 * time.Millisecond})
	var resps []*transport.Response
	for range 4 {
		resp, err := engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
		require.NoError(t, err)
		resps = append(resps, resp)
	}
	for _, r := range resps {
		readAll(t, r)
	}
	assert.Equal(t, transport.Stats{Conns: 2, Idle: 2}, e.Stats(), "two kept, two closed")
	require.Eventually(t, func() bool { return e.Stats() == transport.Stats{} }, 5*time.Second, 10*time.Millisecond, "expired connections closed")
}

func TestEngineTimeouts(t *testing.T) {
	stall := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/head":
			<-stall
		case "/body":
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "abc")
			w.(http.Flusher).Flush()
			<-stall
		case "/upload":
			<-stall // never reads the body
		}
	}))
	defer s.Close()
	defer close(stall)
	e := newEngine(t, transport.Config{})
	short := transport.Timeouts{Read: 100 * time.Millisecond, Write: 100 * time.Millisecond}

	_, err := engineDo(t, e, "GET", s.URL+"/head", nil, 0, short)
	assertKind(t, err, transport.KindReadTimeout)

	resp, err := engineDo(t, e, "GET", s.URL+"/body", nil, 0, short)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	assertKind(t, err, transport.KindReadTimeout)
	resp.Body.Close()

	_, err = engineDo(t, e, "POST", s.URL+"/upload", io.LimitReader(zeroReader{}, 256<<20), 256<<20, short)
	assertKind(t, err, transport.KindWriteTimeout)
}

func TestEngineContextCancel(t *testing.T) {
	stall := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stall }))
	defer s.Close()
	defer close(stall)
	e := newEngine(t, transport.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Do(ctx, engineRequest(t, "GET", s.URL+"/", nil, 0, transport.Timeouts{}))
	assertKind(t, err, transport.KindCanceled)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Zero(t, e.Stats().Conns)
}

func TestEngineExpectContinue(t *testing.T) {
	var gotBody sync.Map
	// A server that refuses the body: the body is never sent.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.WriteString(conn, "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
		conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		b, _ := io.ReadAll(br)
		gotBody.Store(req.Method, len(b))
	}()
	e := newEngine(t, transport.Config{})
	req := engineRequest(t, "POST", "http://"+ln.Addr().String()+"/", strings.NewReader("payload"), 7, transport.Timeouts{}, "Expect", "100-continue")
	req.ExpectContinue = true
	resp, err := e.Do(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, 417, resp.Status)
	readAll(t, resp)
	require.Eventually(t, func() bool { _, ok := gotBody.Load("POST"); return ok }, 5*time.Second, 10*time.Millisecond)
	n, _ := gotBody.Load("POST")
	assert.Zero(t, n, "the body was held back")
}

func TestEngineTLSAndServerName(t *testing.T) {
	var names sync.Map
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		names.Store(r.TLS.ServerName, true)
		io.WriteString(w, "secure")
	}))
	s.StartTLS()
	defer s.Close()
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	e := newEngine(t, transport.Config{TLSConfig: tlsConfigWithRoots(pool)})
	// httptest's certificate is valid for example.com and 127.0.0.1.
	for _, name := range []string{"", "example.com"} {
		req := engineRequest(t, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
		req.ServerName = name
		resp, err := e.Do(context.Background(), req)
		require.NoError(t, err)
		require.NotNil(t, resp.TLS)
		assert.Equal(t, "secure", readAll(t, resp))
	}
	_, ok := names.Load("example.com")
	assert.True(t, ok)
	assert.Equal(t, 2, e.Stats().Idle, "a connection per server name")
}

func TestEngineCloseFailsLaterRequests(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer s.Close()
	e := newEngine(t, transport.Config{})
	resp, err := engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
	require.NoError(t, err)
	readAll(t, resp)
	require.NoError(t, e.Close())
	assert.Equal(t, transport.Stats{}, e.Stats())
	_, err = engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
	assertKind(t, err, transport.KindClosed)
}

func TestEngineRefusesInjection(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("the request reached the server") }))
	defer s.Close()
	e := newEngine(t, transport.Config{})
	cases := map[string]func(r *transport.Request){
		"CRLF in a value": func(r *transport.Request) { r.Header = transport.FieldList{"Host", "h", "X", "a\r\nEvil: 1"} },
		"LF in a value":   func(r *transport.Request) { r.Header = transport.FieldList{"Host", "h", "X", "a\nEvil: 1"} },
		"NUL in a value":  func(r *transport.Request) { r.Header = transport.FieldList{"Host", "h", "X", "a\x00"} },
		"space in a name": func(r *transport.Request) { r.Header = transport.FieldList{"Host", "h", "X Y", "a"} },
		"CRLF in a name":  func(r *transport.Request) { r.Header = transport.FieldList{"Host", "h", "X\r\nEvil", "a"} },
		"space in target": func(r *transport.Request) { r.Target = "/a b" },
		"CRLF in target":  func(r *transport.Request) { r.Target = "/a\r\nEvil: 1" },
		"CRLF in method":  func(r *transport.Request) { r.Method = "GET\r\n" },
		"space in method": func(r *transport.Request) { r.Method = "G T" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			req := engineRequest(t, "GET", s.URL+"/", nil, 0, transport.Timeouts{})
			mutate(req)
			_, err := e.Do(context.Background(), req)
			assertKind(t, err, transport.KindLocalProtocol)
		})
	}
}

func assertKind(t *testing.T, err error, kind transport.Kind) {
	t.Helper()
	var te *transport.Error
	if assert.True(t, errors.As(err, &te), "%v is not a *transport.Error", err) {
		assert.Equal(t, kind, te.Kind, "%v", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// A head larger than the connection's write buffer goes out whole.
func TestEngineLargeRequestHead(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strconv.Itoa(len(r.Header.Get("X-Big"))))
	}))
	defer s.Close()
	e := newEngine(t, transport.Config{})
	big := strings.Repeat("b", 20000)
	resp, err := engineDo(t, e, "GET", s.URL+"/", nil, 0, transport.Timeouts{}, "X-Big", big)
	require.NoError(t, err)
	assert.Equal(t, "20000", readAll(t, resp))
	assert.Equal(t, transport.Stats{Conns: 1, Idle: 1}, e.Stats())
}
