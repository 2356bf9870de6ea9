package transport_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

func TestEventNames(t *testing.T) {
	for _, tc := range []struct {
		ev   transport.Event
		want string
	}{
		{transport.Event{Kind: transport.EventConnectTCP}, "connection.connect_tcp.started"},
		{transport.Event{Kind: transport.EventStartTLS, Stage: transport.Failed, HTTP2: true}, "connection.start_tls.failed"},
		{transport.Event{Kind: transport.EventSendRequestHeaders, Stage: transport.Complete}, "http11.send_request_headers.complete"},
		{transport.Event{Kind: transport.EventReceiveResponseBody, HTTP2: true}, "http2.receive_response_body.started"},
		{transport.Event{Kind: transport.EventResponseClosed, Stage: transport.Complete, HTTP2: true}, "http2.response_closed.complete"},
		{transport.Event{Kind: 99}, "unknown"},
	} {
		assert.Equal(t, tc.want, tc.ev.Name())
	}
}

// A body closed before its end fails receive_response_body, and the
// response still closes; Read is timed at the close.
func TestEngineObserveEarlyClose(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 64<<10)))
	}))
	defer srv.Close()
	e := newEngine(t, transport.Config{})
	req := engineRequest(t, "GET", srv.URL+"/", nil, 0, transport.Timeouts{})
	var names []string
	req.Observe = func(ev transport.Event) { names = append(names, ev.Name()) }
	resp, err := e.Do(t.Context(), req)
	require.NoError(t, err)
	assert.False(t, resp.Reused)
	assert.Positive(t, resp.Timings.Connect)
	assert.Zero(t, resp.Timings.Read)
	buf := make([]byte, 10)
	_, err = resp.Body.Read(buf)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Positive(t, resp.Timings.Read)
	assert.Equal(t, []string{
		"connection.connect_tcp.started", "connection.connect_tcp.complete",
		"http11.send_request_headers.started", "http11.send_request_headers.complete",
		"http11.send_request_body.started", "http11.send_request_body.complete",
		"http11.receive_response_headers.started", "http11.receive_response_headers.complete",
		"http11.receive_response_body.started", "http11.receive_response_body.failed",
		"http11.response_closed.started", "http11.response_closed.complete",
	}, names)
}

// A server that answers before the 100: the steps still pair up and go in
// order, the body's send completing without the body.
func TestEngineObserveExpectContinueRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
	}()
	e := newEngine(t, transport.Config{})
	req := engineRequest(t, "POST", "http://"+ln.Addr().String()+"/", strings.NewReader("payload"), 7, transport.Timeouts{}, "Expect", "100-continue")
	req.ExpectContinue = true
	var names []string
	req.Observe = func(ev transport.Event) { names = append(names, ev.Name()) }
	resp, err := e.Do(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, 417, resp.Status)
	readAll(t, resp)
	<-done
	assert.Equal(t, []string{
		"connection.connect_tcp.started", "connection.connect_tcp.complete",
		"http11.send_request_headers.started", "http11.send_request_headers.complete",
		"http11.send_request_body.started", "http11.send_request_body.complete",
		"http11.receive_response_headers.started", "http11.receive_response_headers.complete",
		"http11.receive_response_body.started", "http11.receive_response_body.complete",
		"http11.response_closed.started", "http11.response_closed.complete",
	}, names)
}
