package faultserver_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpx/httpx/internal/faultserver"
	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func dial(t *testing.T, s *faultserver.Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	return c
}

func TestServeAndAcceptCount(t *testing.T) {
	got := make(chan *faultserver.Request, 2)
	s := faultserver.New(t,
		func(c *faultserver.Conn) {
			r := c.ReadFullRequest()
			got <- r
			c.Respond(200, "first", "X-Conn: 0")
			c.Serve("again")
		},
		faultserver.Script(faultserver.Serve("later")),
	)
	assert.Equal(t, "http://"+s.Addr()+"/p", s.URL("/p"))

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	get := func(body io.Reader) string {
		req, err := http.NewRequest("POST", s.URL("/x"), body)
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	// An io.Reader of unknown size goes chunked.
	assert.Equal(t, "first", get(io.MultiReader(strings.NewReader("chunked "), strings.NewReader("body"))))
	r := <-got
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/x", r.Target)
	assert.True(t, r.Chunked)
	assert.Equal(t, "chunked body", string(r.Body))
	assert.Equal(t, "again", get(strings.NewReader("sized")))
	assert.Equal(t, 1, s.Accepts())

	c := dial(t, s)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "later", string(b))
	assert.Equal(t, 2, s.Accepts())
}

func TestUnreadBodyIsSkipped(t *testing.T) {
	targets := make(chan string, 2)
	s := faultserver.New(t, func(c *faultserver.Conn) {
		for r := c.ReadRequest(); r != nil; r = c.ReadRequest() { // bodies never read
			targets <- r.Target
		}
	})
	c := dial(t, s)
	_, err := io.WriteString(c, "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"+
		"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"+
		"GET /c HTTP/1.1\r\n\r\n")
	require.NoError(t, err)
	assert.Equal(t, "/a", <-targets)
	assert.Equal(t, "/b", <-targets)
	assert.Equal(t, "/c", <-targets)
}

func TestReset(t *testing.T) {
	s := faultserver.New(t, faultserver.Script(faultserver.ReadRequest(), faultserver.Reset()))
	c := dial(t, s)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
	require.NoError(t, err)
	_, err = c.Read(make([]byte, 1))
	assert.ErrorIs(t, err, syscall.ECONNRESET)
}

func TestCloseWriteKeepsReading(t *testing.T) {
	got := make(chan string, 1)
	s := faultserver.New(t, func(c *faultserver.Conn) {
		c.ReadRequest()
		c.Write("partial")
		c.CloseWrite()
		got <- string(c.ReadBody())
	})
	c := dial(t, s)
	_, err := io.WriteString(c, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n")
	require.NoError(t, err)
	b, err := io.ReadAll(c) // EOF after the half-close
	require.NoError(t, err)
	assert.Equal(t, "partial", string(b))
	_, err = io.WriteString(c, "late")
	require.NoError(t, err)
	assert.Equal(t, "late", <-got)
}

func TestTrickleAndReceived(t *testing.T) {
	got := make(chan int64, 1)
	s := faultserver.New(t, func(c *faultserver.Conn) {
		c.Trickle([]byte("abcdef"), 2, 10*time.Millisecond)
		got <- c.Received(100 * time.Millisecond)
		c.Serve("x") // the timeout of Received did not spoil the connection
	})
	c := dial(t, s)
	buf := make([]byte, 6)
	_, err := io.ReadFull(c, buf)
	require.NoError(t, err)
	assert.Equal(t, "abcdef", string(buf))
	_, err = io.WriteString(c, "xyz")
	require.NoError(t, err)
	assert.Equal(t, int64(3), <-got)
	_, err = io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestCloseStopsBlockedHandlers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	never := make(chan struct{})
	entered := make(chan struct{}, 4)
	s := faultserver.New(t,
		func(c *faultserver.Conn) { entered <- struct{}{}; c.Sleep(time.Hour) },
		func(c *faultserver.Conn) { entered <- struct{}{}; c.Hold() },
		func(c *faultserver.Conn) { entered <- struct{}{}; c.Wait(never) },
		func(c *faultserver.Conn) { entered <- struct{}{}; c.ReadRequest() },
	)
	for range 4 {
		dial(t, s)
		<-entered
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the handlers")
	}
	s.Close() // idempotent
	_, err := net.Dial("tcp", s.Addr())
	assert.Error(t, err)
}

func TestRefusedAddr(t *testing.T) {
	_, err := net.Dial("tcp", faultserver.RefusedAddr(t))
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
}

func TestStickyErrors(t *testing.T) {
	errs := make(chan error, 1)
	s := faultserver.New(t, func(c *faultserver.Conn) {
		c.Close()
		c.Write("ignored")
		assert.Nil(t, c.ReadRequest())
		errs <- c.Err()
	})
	dial(t, s)
	assert.Error(t, <-errs)
}

func TestTLS(t *testing.T) {
	ca := testenv.NewCA(t)
	cert := ca.Issue(t, testenv.CertOptions{})
	s := faultserver.NewTLS(t, &tls.Config{Certificates: []tls.Certificate{cert.TLS}},
		faultserver.Script(faultserver.Handshake(), faultserver.Serve("secure")))
	assert.True(t, strings.HasPrefix(s.URL("/"), "https://127.0.0.1:"))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(s.URL("/"))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "secure", string(b))

	// A client that does not trust the CA fails the server's handshake too.
	hs := make(chan error, 1)
	s2 := faultserver.NewTLS(t, &tls.Config{Certificates: []tls.Certificate{cert.TLS}},
		func(c *faultserver.Conn) { hs <- c.Handshake() })
	tc, err := tls.Dial("tcp", s2.Addr(), &tls.Config{})
	if err == nil {
		tc.Close()
	}
	var uerr *tls.CertificateVerificationError
	assert.True(t, errors.As(err, &uerr), "client: %v", err)
	assert.Error(t, <-hs)
}
