package transport_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

// rawServer answers every connection with respond, after reading the
// request head.
func rawServer(t *testing.T, respond func(c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				respond(c)
			}()
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return "http://" + l.Addr().String()
}

func writeAndClose(s string) func(net.Conn) {
	return func(c net.Conn) { io.WriteString(c, s) }
}

// errNoDNS is what the tests' resolver answers every lookup with.
var errNoDNS = errors.New("test resolver: no DNS in tests")

// noDNSDialer dials TCP with a resolver that fails every lookup locally, so
// that a test of name resolution failing never asks the system's DNS.
func noDNSDialer() *net.Dialer {
	return &net.Dialer{Resolver: &net.Resolver{
		PreferGo: true,
		Dial:     func(context.Context, string, string) (net.Conn, error) { return nil, errNoDNS },
	}}
}

func TestErrorKinds(t *testing.T) {
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		return "http://" + l.Addr().String()
	}()

	for _, tc := range []struct {
		name   string
		url    func(t *testing.T) string
		req    func(*http.Request)
		cfg    transport.Config
		inBody bool // the error surfaces while reading the body
		kind   transport.Kind
	}{
		{name: "connection refused", url: func(*testing.T) string { return refused }, kind: transport.KindConnect},
		{name: "unknown host", url: func(*testing.T) string { return "http://no-such-host.invalid/" },
			cfg: transport.Config{DialContext: noDNSDialer().DialContext}, kind: transport.KindConnect},
		// The Engine checks the head as it writes it, on a connection.
		{name: "invalid header", url: func(t *testing.T) string {
			return rawServer(t, writeAndClose("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
		},
			req: func(r *http.Request) { r.Header["Bad\nName"] = []string{"x"} }, kind: transport.KindLocalProtocol},
		{name: "invalid method", url: func(t *testing.T) string {
			return rawServer(t, writeAndClose("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
		},
			req: func(r *http.Request) { r.Method = "BAD METHOD" }, kind: transport.KindLocalProtocol},
		{name: "malformed status line", url: func(t *testing.T) string { return rawServer(t, writeAndClose("HTTP/1.1 abc\r\n\r\n")) },
			kind: transport.KindRemoteProtocol},
		{name: "malformed header", url: func(t *testing.T) string {
			return rawServer(t, writeAndClose("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"))
		}, kind: transport.KindRemoteProtocol},
		{name: "oversized headers", url: func(t *testing.T) string {
			return rawServer(t, writeAndClose("HTTP/1.1 200 OK\r\nX-Big: "+strings.Repeat("a", 8192)+"\r\n\r\n"))
		}, cfg: transport.Config{MaxResponseHeaderBytes: 1024}, kind: transport.KindRemoteProtocol},
		{name: "disconnect without response", url: func(t *testing.T) string { return rawServer(t, func(net.Conn) {}) },
			kind: transport.KindRemoteProtocol},
		{name: "truncated Content-Length body", url: func(t *testing.T) string {
			return rawServer(t, writeAndClose("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
		}, inBody: true, kind: transport.KindRemoteProtocol},
		{name: "truncated chunked body", url: func(t *testing.T) string {
			return rawServer(t, writeAndClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc"))
		}, inBody: true, kind: transport.KindRemoteProtocol},
		{name: "bad chunk size", url: func(t *testing.T) string {
			return rawServer(t, writeAndClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"))
		}, inBody: true, kind: transport.KindRemoteProtocol},
		{name: "reset mid-body", url: func(t *testing.T) string {
			return rawServer(t, func(c net.Conn) {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nabc")
				time.Sleep(20 * time.Millisecond)
				c.(*net.TCPConn).SetLinger(0) // close with RST
			})
		}, inBody: true, kind: transport.KindRead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(t, tc.cfg)
			req, err := http.NewRequest("GET", tc.url(t), nil)
			require.NoError(t, err)
			if tc.req != nil {
				tc.req(req)
			}
			resp, err := tr.RoundTrip(req, transport.Timeouts{Connect: 2 * time.Second, Read: 2 * time.Second})
			if tc.inBody {
				require.NoError(t, err)
				defer resp.Body.Close()
				_, err = io.ReadAll(resp.Body)
			}
			requireKind(t, err, tc.kind)
			assert.Equal(t, tc.kind, transport.Classify(err))
			if tc.cfg.DialContext != nil {
				var dnsErr *net.DNSError
				assert.ErrorAs(t, err, &dnsErr, "the lookup failed in the test resolver")
				assert.ErrorContains(t, err, errNoDNS.Error())
			}
		})
	}
}

func TestProxyUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	pu := &url.URL{Scheme: "http", Host: l.Addr().String()}
	l.Close()
	tr := newTransport(t, transport.Config{ProxyURL: pu})
	_, err = do(t, tr, "GET", "http://example.test/", nil, transport.Timeouts{Connect: time.Second})
	requireKind(t, err, transport.KindConnect) // HTTPX raises ConnectError here
}

func TestClassifyForeignErrors(t *testing.T) {
	timeoutOp := func(op string) error {
		return &net.OpError{Op: op, Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	for _, tc := range []struct {
		err  error
		kind transport.Kind
	}{
		{&transport.Error{Kind: transport.KindPoolTimeout}, transport.KindPoolTimeout},
		{fmt.Errorf("wrapped: %w", &transport.Error{Kind: transport.KindProxy}), transport.KindProxy},
		{timeoutOp("dial"), transport.KindConnectTimeout},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, transport.KindConnect},
		{timeoutOp("read"), transport.KindReadTimeout},
		{&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, transport.KindRead},
		{timeoutOp("write"), transport.KindWriteTimeout},
		{&net.OpError{Op: "write", Err: errors.New("broken pipe")}, transport.KindWrite},
		{&net.OpError{Op: "proxyconnect", Err: errors.New("boom")}, transport.KindProxy},
		{&net.OpError{Op: "proxyconnect", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}, transport.KindConnect},
		{&net.DNSError{Err: "no such host", Name: "x"}, transport.KindConnect},
		{errors.New("socks connect tcp 1.2.3.4:1080->x:443: username/password authentication failed"), transport.KindProxy},
		{errors.New("net/http: TLS handshake timeout"), transport.KindConnectTimeout},
		{errors.New("net/http: timeout awaiting response headers"), transport.KindReadTimeout},
		{errors.New("http2: server sent GOAWAY and closed the connection"), transport.KindRemoteProtocol},
		{errors.New("stream error: stream ID 1; PROTOCOL_ERROR"), transport.KindRemoteProtocol},
		{errors.New(`unsupported protocol scheme "ftp"`), transport.KindUnsupportedProtocol},
		{context.Canceled, transport.KindCanceled},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), transport.KindCanceled},
		{io.ErrUnexpectedEOF, transport.KindRemoteProtocol},
		{errors.New("something else"), transport.KindOther},
		{nil, transport.KindOther},
	} {
		name := "nil"
		if tc.err != nil {
			name = tc.err.Error()
		}
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.kind.String(), transport.Classify(tc.err).String())
		})
	}
}

func TestErrorMethods(t *testing.T) {
	e := &transport.Error{Kind: transport.KindReadTimeout, Err: os.ErrDeadlineExceeded}
	assert.Equal(t, "read timeout: i/o timeout", e.Error())
	assert.True(t, e.Timeout())
	assert.ErrorIs(t, e, os.ErrDeadlineExceeded)
	var ne net.Error
	assert.True(t, errors.As(error(e), &ne), "*Error is a net.Error")
	assert.False(t, (&transport.Error{Kind: transport.KindCanceled, Err: context.DeadlineExceeded}).Timeout())
	assert.Equal(t, "unknown kind", transport.Kind(99).String())
}

// failAfterFirstRead is a connection (a tunnel, say) whose reads after the
// first fail with an error of its own, not a net one.
type failAfterFirstRead struct {
	net.Conn
	reads int
	err   error
}

func (c *failAfterFirstRead) Read(p []byte) (int, error) {
	if c.reads++; c.reads > 1 {
		return 0, c.err
	}
	return c.Conn.Read(p)
}

// TestForeignErrorMidBody: a body cut by an error the classifier does not
// know is KindRead, its cause kept, whatever the error's type.
func TestForeignErrorMidBody(t *testing.T) {
	url := rawServer(t, func(c net.Conn) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc") // one segment
		time.Sleep(100 * time.Millisecond)
	})
	cause := errors.New("tunnel broke")
	var d net.Dialer
	tr := newTransport(t, transport.Config{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &failAfterFirstRead{Conn: c, err: cause}, nil
	}})
	resp, err := do(t, tr, "GET", url, nil, transport.Timeouts{Connect: time.Second, Read: time.Second})
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	requireKind(t, err, transport.KindRead)
	assert.ErrorIs(t, err, cause)
}
