package httpx

import "time"

// Timings are the durations of the phases of one request (HTTPX has no
// counterpart; it is the figure curl's -w timings and net/http/httptrace
// give). A phase that did not happen is zero: a request sent on a reused
// connection has no DNS, Connect or TLS, and says Reused.
type Timings struct {
	// Pool is the wait for a connection from the pool (an idle one, or a
	// slot to dial in).
	Pool time.Duration
	// DNS is the name lookup: zero for an IP address, a Unix socket, a
	// proxy or a custom dialer (their dial counts as Connect).
	DNS time.Duration
	// Connect is the TCP connect (to the proxy, through its tunnel).
	Connect time.Duration
	// TLS is the TLS handshake.
	TLS time.Duration
	// Write is the sending of the request head and body. Over HTTP/2 it
	// covers the body only: zero for a request without one.
	Write time.Duration
	// Wait is the time from the request written to the first byte of the
	// response (over HTTP/2, to its head): the server's think time.
	Wait time.Duration
	// Read is the reading of the body: set once the body was read to its
	// end or closed, zero before.
	Read time.Duration
	// Reused reports a connection that had carried a request before.
	Reused bool
}

// Timings returns the phases of the request that produced r, as
// HTTPTransport measured them on its own engine. A response from any other
// transport (MockTransport, HandlerTransport, FromRoundTripper) reports
// what applies to an exchange the client cannot see into: Wait is the time
// the transport took to hand over the response head (the handler's time,
// or net/http's whole round trip), Read the reading of the body once it
// ended or was closed, and the connection phases are zero.
func (r *Response) Timings() Timings {
	h := &r.body.head
	if h.Body == nil {
		t := Timings{Wait: r.wait}
		if r.body.closed && r.elapsed > r.wait {
			t.Read = r.elapsed - r.wait
		}
		return t
	}
	t := h.Timings
	return Timings{Pool: t.Pool, DNS: t.DNS, Connect: t.Connect, TLS: t.TLS, Write: t.Write, Wait: t.Wait, Read: t.Read, Reused: h.Reused}
}
