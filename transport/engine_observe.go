package transport

import (
	"crypto/tls"
	"net"
	"sync/atomic"
	"time"
)

// Timings are the durations of one request's phases as the Engine measured
// them, read off the monotonic clock at the phase boundaries only. A phase
// that did not happen is zero: a reused connection has no DNS, Connect or
// TLS.
type Timings struct {
	// Pool is the wait for a connection (an idle one, or a slot to dial in).
	Pool time.Duration
	// DNS is the name lookup of a dial: zero for an IP address, and when
	// Config.DialContext, UDS or a proxy tunnel dials (Connect then holds
	// the whole dial).
	DNS time.Duration
	// Connect is the TCP (or tunnel, or Unix socket) connect.
	Connect time.Duration
	// TLS is the TLS handshake.
	TLS time.Duration
	// Write is the sending of the request, head and body. Over HTTP/2 it
	// ends when the body was handed to the stream (zero without a body).
	Write time.Duration
	// Wait is from the request written to the first byte of the response
	// (over HTTP/2, to its head).
	Wait time.Duration
	// Read is the reading of the body, set when it was read to its end or
	// closed.
	Read time.Duration
}

// EventKind is a step of a request that an Observer sees, one of
// httpcore's traced steps (HTTPX's "trace" extension names them).
type EventKind uint8

// The steps, in the order a request goes through them.
const (
	EventConnectTCP             EventKind = iota // connection.connect_tcp
	EventStartTLS                                // connection.start_tls
	EventSendRequestHeaders                      // http11/http2.send_request_headers
	EventSendRequestBody                         // http11/http2.send_request_body
	EventReceiveResponseHeaders                  // http11/http2.receive_response_headers
	EventReceiveResponseBody                     // http11/http2.receive_response_body
	EventResponseClosed                          // http11/http2.response_closed
	numEventKinds
)

// Stage says whether a step started, completed or failed.
type Stage uint8

// The stages of a step: a step that started ends once, complete or
// failed, by the time its response is closed.
const (
	Started Stage = iota
	Complete
	Failed
)

// Event is one step of a request, as an Observer sees it.
type Event struct {
	Kind  EventKind
	Stage Stage
	// HTTP2 marks the request steps of an HTTP/2 stream (http2.* rather
	// than http11.*).
	HTTP2 bool
	// Addr is the host:port dialled (EventConnectTCP), or the TLS server
	// name (EventStartTLS).
	Addr string
	// Conn is the connection made (EventConnectTCP and EventStartTLS,
	// Complete).
	Conn net.Conn
	// TLS is the handshake's outcome (EventStartTLS, Complete).
	TLS *tls.ConnectionState
	// Response is the head received (EventReceiveResponseHeaders,
	// Complete).
	Response *Response
	// Err is why the step failed (Failed).
	Err error
}

// Name is httpcore's name of the event: "connection.connect_tcp.started",
// "http11.send_request_headers.complete", "http2.response_closed.failed"...
func (e Event) Name() string {
	if e.Kind >= numEventKinds || e.Stage > Failed {
		return "unknown"
	}
	proto := 0
	if e.HTTP2 {
		proto = 1
	}
	return eventNames[proto][e.Kind][e.Stage]
}

var eventNames = func() (names [2][numEventKinds][3]string) {
	steps := [numEventKinds]string{"connect_tcp", "start_tls", "send_request_headers", "send_request_body", "receive_response_headers", "receive_response_body", "response_closed"}
	for p, proto := range [2]string{"http11", "http2"} {
		for k, step := range steps {
			prefix := proto
			if EventKind(k) <= EventStartTLS {
				prefix = "connection"
			}
			for s, stage := range [3]string{"started", "complete", "failed"} {
				names[p][k][s] = prefix + "." + step + "." + stage
			}
		}
	}
	return names
}()

// emit hands an event to the request's observer, if it has one.
func (req *Request) emit(ev Event) {
	if req.Observe != nil {
		req.Observe(ev)
	}
}

// step emits a step's end: Complete, or Failed with err.
func (req *Request) step(kind EventKind, http2 bool, err error) {
	if req.Observe == nil {
		return
	}
	ev := Event{Kind: kind, Stage: Complete, HTTP2: http2}
	if err != nil {
		ev.Stage, ev.Err = Failed, err
	}
	req.Observe(ev)
}

// resolvedAt records, from the dialer's control hook, when the first
// address of a dial was resolved and its connect began, as nanoseconds
// since the dial started; the hook may run on several goroutines (Happy
// Eyeballs), so the first one wins.
type resolvedAt struct {
	start time.Time
	d     atomic.Int64
}

func (r *resolvedAt) mark() {
	r.d.CompareAndSwap(0, int64(max(time.Since(r.start), 1)))
}
