package transport

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// HTTP/2 multiplexes streams on one connection, so per-connection deadlines
// cannot give each request its own read and write timeouts: a deadline on
// the socket would fail every stream, and frames keep arriving for other
// streams while ours stalls. Instead each HTTP/2 request gets a watchdog, one
// time.AfterFunc timer (no goroutine until it fires) created on first use
// and re-armed, not re-allocated, for every phase and every body read. When
// it fires it cancels the request's own context, which aborts just that
// stream. The trade-off: HTTP/2-capable requests with a read or write
// timeout pay for a context.WithCancelCause and, once on HTTP/2, a timer
// (about three allocations), and each body read resets the timer; HTTP/1
// requests on an HTTP/2-capable transport pay for the context only.
//
// Phases: from GotConn until the request is written, the write timeout
// guards progress of the request body (every read net/http makes from it
// re-arms the timer); then the read timeout guards the wait for the response
// headers; after RoundTrip returns it guards each body read.

// Watchdog phases.
const (
	phaseNone = iota
	phaseWrite
	phaseHeaders
	phaseBody
)

// h2state is the HTTP/2 part of a reqState.
type h2state struct {
	active atomic.Bool // the request went out as an HTTP/2 stream

	mu          sync.Mutex
	conn        *conn       // connection our stream is counted on, until the stream ends
	timer       *time.Timer // the watchdog, created on first use
	phase       int
	deadline    time.Time // when the current phase times out
	headersDone bool      // RoundTrip returned

	reqBody progressBody // request body wrapper, allocated with the reqState
}

// beginStream counts the stream on c and starts the write watchdog.
func (st *reqState) beginStream(c *conn) {
	c.beginStream()
	st.h2.mu.Lock()
	st.h2.active.Store(true)
	st.h2.conn = c
	if st.to.Write > 0 {
		st.armLocked(phaseWrite, st.to.Write)
	}
	st.h2.mu.Unlock()
}

// endStream uncounts the stream once (body done, or RoundTrip failed) and
// stops the watchdog.
func (st *reqState) endStream() {
	if !st.h2.active.Load() {
		return
	}
	st.h2.mu.Lock()
	c := st.h2.conn
	st.h2.conn = nil
	st.stopLocked()
	st.h2.mu.Unlock()
	if c != nil && c.endStream() {
		st.t.pool.wentIdle(c)
	}
}

// h2Wrote switches the watchdog from the write to the header timeout.
func (st *reqState) h2Wrote() {
	st.h2.mu.Lock()
	if !st.h2.headersDone && st.h2.conn != nil {
		if st.to.Read > 0 {
			st.armLocked(phaseHeaders, st.to.Read)
		} else {
			st.stopLocked()
		}
	}
	st.h2.mu.Unlock()
}

// h2HeadersDone stops the watchdog when RoundTrip returns.
func (st *reqState) h2HeadersDone() {
	if !st.h2.active.Load() {
		return
	}
	st.h2.mu.Lock()
	st.h2.headersDone = true
	st.stopLocked()
	st.h2.mu.Unlock()
}

// h2Read is one body read under the read watchdog.
func (st *reqState) h2Read(p []byte) (int, error) {
	guard := st.to.Read > 0 && st.cancel != nil
	if guard {
		st.h2.mu.Lock()
		st.armLocked(phaseBody, st.to.Read)
		st.h2.mu.Unlock()
	}
	n, err := st.body.Read(p)
	if guard {
		st.h2.mu.Lock()
		st.stopLocked()
		st.h2.mu.Unlock()
	}
	return n, err
}

// h2Progress re-arms the write watchdog while the request body moves.
func (st *reqState) h2Progress() {
	if !st.h2.active.Load() {
		return
	}
	st.h2.mu.Lock()
	if st.h2.phase == phaseWrite {
		st.armLocked(phaseWrite, st.to.Write)
	}
	st.h2.mu.Unlock()
}

// armLocked starts or re-arms the watchdog; without a cancelable context
// there is nothing it could do, so it stays off.
func (st *reqState) armLocked(phase int, d time.Duration) {
	if st.cancel == nil {
		return
	}
	st.h2.phase = phase
	st.h2.deadline = time.Now().Add(d)
	if st.h2.timer == nil {
		st.h2.timer = time.AfterFunc(d, st.h2Fire)
	} else {
		st.h2.timer.Reset(d)
	}
}

func (st *reqState) stopLocked() {
	st.h2.phase = phaseNone
	if st.h2.timer != nil {
		st.h2.timer.Stop()
	}
}

// h2Fire runs on the timer's goroutine. A firing that lost the race with a
// re-arm or a stop finds its deadline moved or the phase ended, and does
// nothing.
func (st *reqState) h2Fire() {
	st.h2.mu.Lock()
	phase := st.h2.phase
	if phase == phaseNone || time.Now().Before(st.h2.deadline) {
		st.h2.mu.Unlock()
		return
	}
	st.h2.phase = phaseNone
	st.h2.mu.Unlock()
	if phase == phaseWrite {
		st.fail(KindWriteTimeout, errStreamWriteTimeout)
	} else {
		st.fail(KindReadTimeout, errStreamReadTimeout)
	}
	st.cancel(st.failure())
}

// wrapRequestBody lets the write watchdog see the request body move. Only
// HTTP/2-capable requests with a write timeout get it; a body net/http
// replays through GetBody is wrapped too.
func (st *reqState) wrapRequestBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	st.h2.reqBody = progressBody{st: st, rc: r.Body}
	r.Body = &st.h2.reqBody
	if getBody := r.GetBody; getBody != nil {
		r.GetBody = func() (io.ReadCloser, error) {
			rc, err := getBody()
			if err != nil || rc == nil || rc == http.NoBody {
				return rc, err
			}
			return &progressBody{st: st, rc: rc}, nil
		}
	}
}

// progressBody reports every read of the request body to the watchdog.
type progressBody struct {
	st *reqState
	rc io.ReadCloser
}

func (b *progressBody) Read(p []byte) (int, error) {
	b.st.h2Progress()
	return b.rc.Read(p)
}

func (b *progressBody) Close() error { return b.rc.Close() }
