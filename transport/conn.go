package transport

import (
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Protocol of a connection, learnt at the handshake or at its first use.
const (
	protoUnknown int32 = iota
	protoH1
	protoH2
)

// Pool state of a connection. Reserved: dialled for a request that has not
// picked it up yet. Busy: a request (HTTP/1) or at least one stream (HTTP/2)
// uses it. Idle: nothing uses it, so it may be closed to free a slot.
// Reaping: chosen to be closed for a slot.
const (
	stateReserved int32 = iota
	stateBusy
	stateIdle
	stateReaping
)

// conn wraps every connection the Transport dials, under TLS when there is
// TLS. It gives HTTP/1 requests their per-operation deadlines, gives the
// connection's slot back to the pool when closed, and tells the pool whether
// the connection is idle.
//
// HTTP/1 deadlines follow the request that uses the connection: GotConn arms
// the write timeout, WroteRequest the read timeout, and Read and Write push
// their deadline forward, so the limit applies to each operation. Pushing
// is lazy: a deadline is set to now+9d/8 and only moved again once less
// than d is left, so a large transfer costs a time.Now per operation and a
// SetReadDeadline (a runtime timer update) only every d/8 of time instead
// of on every read; a stall still times out after between d and 9d/8. No
// allocation, no goroutine. PutIdleConn disarms and clears the deadlines
// before net/http's read loop parks its next Peek on the idle connection, so
// an idle connection never times out as if a request were waiting.
type conn struct {
	net.Conn
	pool *pool
	addr string // the address net/http dialled: host:port of the target or proxy

	owner atomic.Pointer[reqState] // HTTP/1 request the deadlines belong to
	rto   atomic.Int64             // armed read timeout (ns), 0 = none
	wto   atomic.Int64             // armed write timeout (ns), 0 = none
	rdl   atomic.Int64             // read deadline set (unix ns), 0 = none known
	wdl   atomic.Int64             // write deadline set (unix ns), 0 = none known

	mu    sync.Mutex // serialises arm, startRead and disarm
	setup bool       // a setup deadline (proxy CONNECT, TLS) is still set
	dirty bool       // the owner's timeouts may have left deadlines set

	proto   atomic.Int32
	state   atomic.Int32
	streams atomic.Int32 // open HTTP/2 streams
	idleAt  atomic.Int64 // unix nanoseconds when it last went idle
	closed  atomic.Bool
}

func newConn(p *pool, nc net.Conn, addr string) *conn {
	return &conn{Conn: nc, pool: p, addr: addr}
}

// Read pushes the read deadline forward when a request armed one, and
// records a timeout against that request.
func (c *conn) Read(b []byte) (int, error) {
	if d := c.rto.Load(); d > 0 {
		pushDeadline(&c.rdl, d, c.Conn.SetReadDeadline)
	}
	n, err := c.Conn.Read(b)
	if err != nil && c.rto.Load() > 0 && isTimeout(err) {
		if st := c.owner.Load(); st != nil {
			st.fail(KindReadTimeout, err)
		}
	}
	return n, err
}

// Write is Read's counterpart for the write timeout. conn deliberately has
// no ReadFrom: a sendfile/splice fast path would bypass the per-write
// deadline.
func (c *conn) Write(b []byte) (int, error) {
	if d := c.wto.Load(); d > 0 {
		pushDeadline(&c.wdl, d, c.Conn.SetWriteDeadline)
	}
	n, err := c.Conn.Write(b)
	if err != nil && c.wto.Load() > 0 && isTimeout(err) {
		if st := c.owner.Load(); st != nil {
			st.fail(KindWriteTimeout, err)
		}
	}
	return n, err
}

// pushDeadline moves the deadline recorded in dl to now+9d/8 when less than
// d is left before it (see conn).
func pushDeadline(dl *atomic.Int64, d int64, set func(time.Time) error) {
	now := time.Now().UnixNano()
	if dl.Load()-now >= d {
		return
	}
	next := now + d + d/8
	dl.Store(next)
	_ = set(time.Unix(0, next))
}

// Close closes the connection and gives its slot back, once.
func (c *conn) Close() error {
	err := c.Conn.Close()
	if c.closed.CompareAndSwap(false, true) {
		c.pool.release(c)
	}
	return err
}

// setSetupDeadline bounds what net/http does on a fresh connection after the
// dialer returns it (proxy CONNECT, TLS to the target through the tunnel);
// the first request's arm clears it.
func (c *conn) setSetupDeadline(d time.Time) {
	c.mu.Lock()
	c.setup = true
	c.rdl.Store(0)
	c.wdl.Store(0)
	_ = c.Conn.SetDeadline(d)
	c.mu.Unlock()
}

// clearSetupLocked removes the setup deadline; c.mu is held.
func (c *conn) clearSetupLocked() {
	if c.setup {
		c.setup = false
		c.rdl.Store(0)
		c.wdl.Store(0)
		_ = c.Conn.SetDeadline(time.Time{})
	}
}

// clearDeadlinesLocked removes the deadlines an owner's timeouts set; c.mu
// is held.
func (c *conn) clearDeadlinesLocked() {
	if c.dirty {
		c.dirty = false
		c.rdl.Store(0)
		c.wdl.Store(0)
		_ = c.Conn.SetDeadline(time.Time{}) // both in one runtime call
	}
}

// arm hands the HTTP/1 connection to st (httptrace GotConn). Writes are
// limited from now on; reads only once the request is written, as in
// HTTPX, where the response is read after the request was sent.
func (c *conn) arm(st *reqState) {
	c.mu.Lock()
	c.clearSetupLocked()
	// Normally the previous owner disarmed already; but net/http may hand
	// the connection over before the previous owner's PutIdleConn runs.
	c.clearDeadlinesLocked()
	c.dirty = st.to.Read > 0 || st.to.Write > 0
	c.owner.Store(st)
	c.rto.Store(0)
	c.wto.Store(int64(st.to.Write))
	c.wdl.Store(0)
	c.state.Store(stateBusy)
	c.mu.Unlock()
}

// startRead arms the read timeout once st's request is written (httptrace
// WroteRequest). Setting the deadline here, not only in Read, also reaches
// the Peek net/http's read loop already has pending on the connection.
func (c *conn) startRead(st *reqState) {
	d := st.to.Read
	if d <= 0 {
		return
	}
	c.mu.Lock()
	if c.owner.Load() == st {
		c.rto.Store(int64(d))
		c.rdl.Store(0)
		pushDeadline(&c.rdl, int64(d), c.Conn.SetReadDeadline)
	}
	c.mu.Unlock()
}

// disarm ends st's use of the connection (httptrace PutIdleConn). The owner
// check matters: net/http may already have handed the connection to the
// next request, whose arm must not be undone.
func (c *conn) disarm(st *reqState) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner.Load() != st {
		return false
	}
	c.owner.Store(nil)
	c.rto.Store(0)
	c.wto.Store(0)
	c.clearDeadlinesLocked()
	c.idleAt.Store(time.Now().UnixNano())
	c.state.Store(stateIdle)
	return true
}

// beginStream counts an HTTP/2 stream on the connection.
func (c *conn) beginStream() {
	if c.streams.Add(1) == 1 {
		c.mu.Lock()
		c.clearSetupLocked()
		c.mu.Unlock()
	}
	c.state.Store(stateBusy)
}

// endStream uncounts an HTTP/2 stream and reports whether the connection
// went idle.
func (c *conn) endStream() bool {
	if c.streams.Add(-1) > 0 {
		return false
	}
	c.idleAt.Store(time.Now().UnixNano())
	return c.state.CompareAndSwap(stateBusy, stateIdle)
}

// unreserve marks a connection nobody picked up as idle, and reports whether
// it was still reserved.
func (c *conn) unreserve() bool {
	c.idleAt.Store(time.Now().UnixNano())
	return c.state.CompareAndSwap(stateReserved, stateIdle)
}

// protocol tells HTTP/1 from HTTP/2, asking the TLS state of connections the
// dialer could not label (TLS set up by net/http through a proxy tunnel).
func (c *conn) protocol(nc net.Conn) int32 {
	if p := c.proto.Load(); p != protoUnknown {
		return p
	}
	p := protoH1
	if tc, ok := nc.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol == "h2" {
		p = protoH2
	}
	c.proto.Store(p)
	return p
}

// connOf finds the *conn under a connection net/http reports in GotConn: the
// conn itself, a *tls.Conn over it, or net/http's wrapper for h2c.
func connOf(nc net.Conn) *conn {
	for i := 0; i < 4 && nc != nil; i++ {
		switch v := nc.(type) {
		case *conn:
			return v
		case *tls.Conn:
			nc = v.NetConn()
		case interface{ UnencryptedNetConn() net.Conn }:
			nc = v.UnencryptedNetConn()
		default:
			return nil
		}
	}
	return nil
}
