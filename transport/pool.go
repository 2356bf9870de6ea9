package transport

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a Transport's connections, for tests and load
// tools.
type Stats struct {
	// Conns counts the connection slots taken: connections open or being
	// dialled, across all hosts. It never exceeds Config.MaxConns when set.
	Conns int
	// Idle counts open connections no request is using.
	Idle int
	// Waiting counts dials waiting for a free slot.
	Waiting int
}

// pool enforces Config.MaxConns across all hosts, which net/http cannot (it
// caps per host only). A slot is taken before a connection is dialled and
// given back when that connection closes (or the dial fails). When no slot
// is free, the oldest idle connection of a host no other request is waiting
// for is closed to free one, so idle connections to one host never starve a
// request for another; otherwise the dial waits, FIFO, up to the request's
// pool timeout.
//
// Closing an idle connection races, rarely, with net/http handing that very
// connection to a request of its host. That request then fails before
// writing a byte, which net/http retries on a new connection when the
// request is replayable — the same path as a keep-alive connection the
// server just closed.
type pool struct {
	max      int
	closedCh <-chan struct{}

	mu      sync.Mutex
	slots   int
	conns   map[*conn]struct{}
	waiters []*waiter
	closed  bool
	nwait   atomic.Int32 // len(waiters), readable without mu
}

// waiter is one dial waiting for a slot. ch receives nil when the slot is
// handed over, errAbandoned when the request no longer needs the dial.
type waiter struct {
	addr string
	ch   chan error
}

var errAbandoned = errors.New("transport: dial no longer needed")

func (p *pool) init(max int, closedCh <-chan struct{}) {
	p.max = max
	p.closedCh = closedCh
	p.conns = make(map[*conn]struct{})
}

// acquire takes a slot for a dial to addr on behalf of st (nil for dials
// that carry no request state). gen is st's GotConn count when the dial
// started; a later GotConn means the request found another connection.
func (p *pool) acquire(st *reqState, gen int32, addr string, timeout time.Duration) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return &Error{Kind: KindClosed, Err: ErrClosed}
	}
	if p.max <= 0 || p.slots < p.max {
		p.slots++
		p.mu.Unlock()
		return nil
	}
	w := &waiter{addr: addr, ch: make(chan error, 1)}
	p.waiters = append(p.waiters, w)
	p.nwait.Add(1)
	victim := p.victimLocked(w)
	p.mu.Unlock()
	if victim != nil {
		_ = victim.Close()
	}

	var done <-chan struct{}
	if st != nil {
		st.waiter.Store(w)
		if st.gotConns.Load() != gen || st.done.Load() {
			p.abandon(w)
		}
		done = st.Context.Done()
	}
	var timer <-chan time.Time
	if timeout > 0 {
		tm := time.NewTimer(timeout)
		defer tm.Stop()
		timer = tm.C
	}
	var err error
	received := false
	select {
	case err = <-w.ch:
		received = true
	case <-timer:
		err = &Error{Kind: KindPoolTimeout, Err: errPoolTimeout}
	case <-done:
		err = &Error{Kind: KindCanceled, Err: st.Context.Err()}
	case <-p.closedCh:
		err = &Error{Kind: KindClosed, Err: ErrClosed}
	}
	if st != nil {
		st.waiter.CompareAndSwap(w, nil)
	}
	if received {
		if err != nil {
			err = &Error{Kind: KindCanceled, Err: err}
		}
		return err
	}
	if !p.dequeue(w) {
		// The slot was handed over while we gave up: take the verdict the
		// pool sent, and give a granted slot straight back.
		if <-w.ch == nil {
			p.releaseSlot()
		}
	}
	return err
}

// victimLocked picks the connection to close for the dial w: the longest
// idle one of a host no other dial is waiting for. A host with a dial
// waiting is spared, as net/http hands that connection to the waiting
// request; w's own host is not, since w dials because net/http could not
// use that connection (it went idle a moment late, or serves another scheme
// on the same address).
func (p *pool) victimLocked(w *waiter) *conn {
	var best *conn
	for c := range p.conns {
		if c.state.Load() != stateIdle || p.wantedLocked(c.addr, w) {
			continue
		}
		if best == nil || c.idleAt.Load() < best.idleAt.Load() {
			best = c
		}
	}
	if best != nil && best.state.CompareAndSwap(stateIdle, stateReaping) {
		return best
	}
	return nil
}

// wantedLocked reports whether a dial to addr other than except is waiting.
func (p *pool) wantedLocked(addr string, except *waiter) bool {
	for _, w := range p.waiters {
		if w.addr == addr && w != except {
			return true
		}
	}
	return false
}

// wentIdle is called when c becomes idle. If a dial to another host is
// waiting for a slot, c is closed to free one. A dial to c's own host does
// not count: net/http hands idle connections to waiting requests of their
// host itself.
func (p *pool) wentIdle(c *conn) {
	if p.nwait.Load() == 0 {
		return
	}
	p.mu.Lock()
	reap := false
	if len(p.waiters) > 0 && !p.wantedLocked(c.addr, nil) {
		reap = c.state.CompareAndSwap(stateIdle, stateReaping)
	}
	p.mu.Unlock()
	if reap {
		_ = c.Close()
	}
}

// register records a dialled connection, which now owns its slot.
func (p *pool) register(c *conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// release gives the slot of a closed connection back.
func (p *pool) release(c *conn) {
	p.mu.Lock()
	if _, ok := p.conns[c]; ok {
		delete(p.conns, c)
		p.freeSlotLocked()
	}
	p.mu.Unlock()
}

// releaseSlot gives back the slot of a dial that produced no connection.
func (p *pool) releaseSlot() {
	p.mu.Lock()
	p.freeSlotLocked()
	p.mu.Unlock()
}

// freeSlotLocked hands a freed slot to the first waiter, or frees it.
func (p *pool) freeSlotLocked() {
	if len(p.waiters) > 0 && !p.closed {
		w := p.waiters[0]
		p.waiters[0] = nil
		p.waiters = p.waiters[1:]
		p.nwait.Add(-1)
		w.ch <- nil
		return
	}
	p.slots--
}

// dequeue removes w if it is still waiting and reports whether it was.
func (p *pool) dequeue(w *waiter) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.waiters {
		if x == w {
			copy(p.waiters[i:], p.waiters[i+1:])
			p.waiters[len(p.waiters)-1] = nil
			p.waiters = p.waiters[:len(p.waiters)-1]
			p.nwait.Add(-1)
			return true
		}
	}
	return false
}

// abandon wakes a waiting dial whose request no longer needs it.
func (p *pool) abandon(w *waiter) {
	if p.dequeue(w) {
		w.ch <- errAbandoned
	}
}

// stats counts under the lock.
func (p *pool) stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Conns: p.slots, Waiting: len(p.waiters)}
	for c := range p.conns {
		if c.state.Load() == stateIdle {
			s.Idle++
		}
	}
	return s
}

// closeAll marks the pool closed and returns the connections to close.
func (p *pool) closeAll() []*conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	conns := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	return conns
}
