package transport

import (
	"context"
	"sync"
	"time"
)

// Stats is a snapshot of an Engine's connections, for monitoring, tests
// and load tools.
type Stats struct {
	// Conns counts the connection slots taken: connections open or being
	// dialled, across all hosts. It never exceeds Config.MaxConns when set.
	Conns int
	// Idle counts open connections no request is using.
	Idle int
	// Waiting counts requests waiting for a free slot.
	Waiting int
}

// connPool owns every connection the Engine dials: it counts them against
// MaxConns (dialling ones included), keeps the idle ones per origin, hands
// them out newest first after a liveness probe, closes the expired and the
// surplus ones, and queues the requests that wait for a slot. One timer per
// pool closes idle connections as they expire; nothing runs per request.
type connPool struct {
	mu          sync.Mutex
	maxConns    int           // <= 0: no cap
	maxIdle     int           // 0: no cap
	idleTimeout time.Duration // 0: never expire
	keepAlive   bool

	total   int                     // open connections and dials in flight
	idle    map[connKey][]*h1Conn   // per key, oldest first
	nIdle   int                     // idle HTTP/1.1 and HTTP/2 connections
	all     map[pooledConn]struct{} // every open connection, for Close
	waiters []*poolWaiter           // FIFO
	closed  bool
	reaper  *time.Timer

	// HTTP/2: the connections per key, busy or not (one carries many
	// streams); the dials that may bring one, which requests for the same
	// key wait for instead of dialling too; the keys whose server chose
	// HTTP/1.1, which need not wait.
	h2      map[connKey][]*h2Conn
	dialing map[connKey]*h2Dial
	h1Only  map[connKey]bool
}

// pooledConn is an HTTP/1.1 or an HTTP/2 connection.
type pooledConn interface{ closeConn() }

// lease is what acquire hands out: an HTTP/1.1 connection, a stream
// reserved on an HTTP/2 connection, or neither (a slot to dial in).
type lease struct {
	h1     *h1Conn
	h2     *h2Conn
	reused bool // the HTTP/2 connection served a stream before
}

// h2Dial is a dial in flight that may bring an HTTP/2 connection; done
// closes when it ended, either way.
type h2Dial struct{ done chan struct{} }

// poolWaiter is a request waiting for a slot: it receives an idle
// connection of its key, or leave to dial (no connection, no error), or
// the error of a pool that closed.
type poolWaiter struct {
	key connKey
	ch  chan grant
}

type grant struct {
	lease
	err error
}

func (p *connPool) init(cfg *Config) {
	p.maxConns = cfg.MaxConns
	p.maxIdle = cfg.MaxIdleConns
	p.idleTimeout = cfg.IdleTimeout
	p.keepAlive = cfg.keepAlive()
	p.idle = map[connKey][]*h1Conn{}
	p.all = map[pooledConn]struct{}{}
	p.h2 = map[connKey][]*h2Conn{}
	p.dialing = map[connKey]*h2Dial{}
	p.h1Only = map[connKey]bool{}
}

// acquire returns a stream on an HTTP/2 connection for key, or an idle
// HTTP/1.1 connection that passed the liveness probe, or neither with a
// slot taken for the caller to dial. It waits up to timeout (0: no limit)
// for a slot when MaxConns connections are open. mayH2 says the key may
// be served over HTTP/2: then a request waits for a dial of its key in
// flight rather than dialling a connection of its own.
func (p *connPool) acquire(ctx context.Context, key connKey, timeout time.Duration, fresh, mayH2 bool) (lease, error) {
	// The pool timeout spans every wait of this call; its timer is made
	// only when a wait begins.
	limit := poolLimit{timeout: timeout}
	defer limit.stop()
	p.mu.Lock()
	for mayH2 && !fresh && !p.h1Only[key] {
		l, ok, dead := p.reserveH2Locked(key)
		if ok || dead != nil {
			p.mu.Unlock()
			for _, c := range dead {
				c.closeConn()
			}
			if ok {
				return l, nil
			}
			p.mu.Lock()
			continue
		}
		d := p.dialing[key]
		if d == nil {
			break
		}
		p.mu.Unlock()
		select {
		case <-d.done:
		case <-limit.expired():
			return lease{}, &Error{Kind: KindPoolTimeout, Err: errPoolTimeout}
		case <-ctx.Done():
			return lease{}, &Error{Kind: KindCanceled, Err: ctx.Err()}
		}
		p.mu.Lock()
	}
	for !fresh {
		c := p.popIdleLocked(key)
		if c == nil {
			break
		}
		p.mu.Unlock()
		if c.usable(time.Now(), p.idleTimeout) {
			return lease{h1: c}, nil
		}
		c.closeConn()
		p.mu.Lock()
		p.forgetLocked(c)
	}
	if p.closed {
		p.mu.Unlock()
		return lease{}, &Error{Kind: KindClosed, Err: ErrClosed}
	}
	if p.maxConns <= 0 || p.total < p.maxConns {
		p.total++
		p.mu.Unlock()
		return lease{}, nil
	}
	if v := p.victimLocked(); v != nil {
		// The slot of an idle connection of another origin goes to us.
		p.dropIdleLocked(v)
		delete(p.all, v)
		p.mu.Unlock()
		v.closeConn()
		return lease{}, nil
	}
	w := &poolWaiter{key: key, ch: make(chan grant, 1)}
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()
	return p.wait(ctx, w, limit.expired())
}

// poolLimit is the pool timeout of one acquire, its timer made on first
// use.
type poolLimit struct {
	timeout time.Duration
	t       *time.Timer
}

// expired is the channel the timeout fires on; nil (never) without one.
func (l *poolLimit) expired() <-chan time.Time {
	if l.timeout <= 0 {
		return nil
	}
	if l.t == nil {
		l.t = time.NewTimer(l.timeout)
	}
	return l.t.C
}

func (l *poolLimit) stop() {
	if l.t != nil {
		l.t.Stop()
	}
}

// wait blocks until w is served, the pool timeout expires or ctx ends.
func (p *connPool) wait(ctx context.Context, w *poolWaiter, expired <-chan time.Time) (lease, error) {
	var err error
	select {
	case g := <-w.ch:
		return g.lease, g.err
	case <-expired:
		err = &Error{Kind: KindPoolTimeout, Err: errPoolTimeout}
	case <-ctx.Done():
		err = &Error{Kind: KindCanceled, Err: ctx.Err()}
	}
	p.mu.Lock()
	removed := p.removeWaiterLocked(w)
	p.mu.Unlock()
	if !removed {
		// Served while giving up: hand it on.
		switch g := <-w.ch; {
		case g.h1 != nil:
			p.release(g.h1, true)
		case g.h2 != nil:
			p.endStream(g.h2)
		case g.err == nil:
			p.releaseSlot()
		}
	}
	return lease{}, err
}

// release takes c back after a request. A reusable connection goes to a
// waiter of its origin, or closes to give its slot to a waiter of another,
// or becomes idle; any other is closed.
func (p *connPool) release(c *h1Conn, reusable bool) {
	p.mu.Lock()
	if !reusable || p.closed || !p.keepAlive {
		p.forgetLocked(c)
		p.mu.Unlock()
		c.closeConn()
		return
	}
	for i, w := range p.waiters {
		if w.key == c.key {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			p.mu.Unlock()
			w.ch <- grant{lease: lease{h1: c}}
			return
		}
	}
	if len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		delete(p.all, c)
		p.mu.Unlock()
		c.closeConn()
		w.ch <- grant{} // the slot is theirs
		return
	}
	c.idleAt = time.Now()
	p.idle[c.key] = append(p.idle[c.key], c)
	p.nIdle++
	surplus := p.wentIdleLocked()
	p.mu.Unlock()
	if surplus != nil {
		surplus.closeConn()
	}
}

// wentIdleLocked accounts for a connection that just became idle: the
// oldest idle one goes when there are more than MaxIdleConns (the caller
// closes it), and the reaper runs.
func (p *connPool) wentIdleLocked() pooledConn {
	var surplus pooledConn
	if p.maxIdle > 0 && p.nIdle > p.maxIdle {
		surplus = p.oldestIdleLocked()
		p.dropIdleLocked(surplus)
		p.forgetLocked(surplus)
	}
	if p.idleTimeout > 0 && p.reaper == nil {
		p.reaper = time.AfterFunc(p.idleTimeout, p.reap)
	}
	return surplus
}

// releaseSlot gives back a slot whose dial failed.
func (p *connPool) releaseSlot() {
	p.mu.Lock()
	p.total--
	p.grantLocked()
	p.mu.Unlock()
}

// register records a dialled connection; false when the pool closed
// meanwhile (the caller closes it and gives the slot back). An HTTP/2
// connection comes with one stream leased to its dialler; the requests
// waiting for its key get theirs.
func (p *connPool) register(c pooledConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.all[c] = struct{}{}
	if c2, ok := c.(*h2Conn); ok {
		c2.streams = 1
		c2.cc.ReserveNewRequest()
		p.h2[c2.key] = append(p.h2[c2.key], c2)
		p.serveH2WaitersLocked(c2)
	}
	return true
}

// startDial marks a dial for key that may bring HTTP/2, unless one is
// marked already; it returns the mark for endDial (nil: none).
func (p *connPool) startDial(key connKey) *h2Dial {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dialing[key] != nil || p.h1Only[key] {
		return nil
	}
	d := &h2Dial{done: make(chan struct{})}
	p.dialing[key] = d
	return d
}

// endDial lifts the mark of a dial: the requests waiting for it look
// again. h1 says the server chose HTTP/1.1, so later requests of key do
// not wait for dials.
func (p *connPool) endDial(key connKey, d *h2Dial, h1 bool) {
	p.mu.Lock()
	if h1 {
		p.h1Only[key] = true
	}
	if d != nil && p.dialing[key] == d {
		delete(p.dialing, key)
		close(d.done)
	}
	p.mu.Unlock()
}

// reserveH2Locked leases a stream on an HTTP/2 connection of key that can
// take one. The idle connections that went away (closed, or told to by a
// GOAWAY) leave the pool instead, returned for the caller to close
// outside the lock.
func (p *connPool) reserveH2Locked(key connKey) (l lease, ok bool, dead []*h2Conn) {
	list := p.h2[key]
	for i := len(list) - 1; i >= 0; i-- {
		c := list[i]
		if !c.cc.ReserveNewRequest() {
			if c.streams == 0 && !c.cc.CanTakeNewRequest() {
				p.dropIdleLocked(c)
				p.forgetLocked(c)
				dead = append(dead, c)
			}
			continue
		}
		if c.streams == 0 {
			p.nIdle--
		}
		c.streams++
		return lease{h2: c, reused: c.served > 0}, true, dead
	}
	return lease{}, false, dead
}

// serveH2WaitersLocked gives waiters of c's key streams on c while it can
// take them.
func (p *connPool) serveH2WaitersLocked(c *h2Conn) {
	for i := 0; i < len(p.waiters); {
		w := p.waiters[i]
		if w.key != c.key || !c.cc.ReserveNewRequest() {
			i++
			continue
		}
		p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
		if c.streams == 0 {
			p.nIdle--
		}
		c.streams++
		w.ch <- grant{lease: lease{h2: c, reused: c.served > 0}}
	}
}

// endStream takes a stream of an HTTP/2 connection back: it goes to a
// waiter of the connection's key, or the connection, now without streams,
// becomes idle, or closes when it can take no more (or to give its slot to
// a waiter of another key).
func (p *connPool) endStream(c *h2Conn) {
	p.mu.Lock()
	c.streams--
	c.served++
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.serveH2WaitersLocked(c)
	if c.streams > 0 {
		p.mu.Unlock()
		return
	}
	if !c.cc.CanTakeNewRequest() || !p.keepAlive || len(p.waiters) > 0 {
		p.removeH2Locked(c)
		p.forgetLocked(c)
		p.mu.Unlock()
		c.closeConn()
		return
	}
	c.idleAt = time.Now()
	p.nIdle++
	surplus := p.wentIdleLocked()
	p.mu.Unlock()
	if surplus != nil {
		surplus.closeConn()
	}
}

func (p *connPool) removeH2Locked(c *h2Conn) {
	list := p.h2[c.key]
	for i, x := range list {
		if x == c {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(p.h2, c.key)
	} else {
		p.h2[c.key] = list
	}
}

// dropIdleLocked removes an idle connection from the idle ones.
func (p *connPool) dropIdleLocked(pc pooledConn) {
	switch c := pc.(type) {
	case *h1Conn:
		p.removeIdleLocked(c)
	case *h2Conn:
		if c.streams == 0 {
			p.nIdle--
		}
		p.removeH2Locked(c)
	}
}

// forgetLocked drops a closed connection and lets a waiter dial in its slot.
func (p *connPool) forgetLocked(c pooledConn) {
	if _, ok := p.all[c]; !ok {
		return
	}
	delete(p.all, c)
	p.total--
	p.grantLocked()
}

// grantLocked lets the first waiter dial if a slot is free.
func (p *connPool) grantLocked() {
	if len(p.waiters) == 0 || (p.maxConns > 0 && p.total >= p.maxConns) {
		return
	}
	w := p.waiters[0]
	p.waiters = p.waiters[1:]
	p.total++
	w.ch <- grant{}
}

// eachIdleLocked calls f with every idle connection, HTTP/1.1 ones oldest
// first per key, and when it went idle.
func (p *connPool) eachIdleLocked(f func(c pooledConn, key connKey, at time.Time)) {
	for key, list := range p.idle {
		for _, c := range list {
			f(c, key, c.idleAt)
		}
	}
	for key, list := range p.h2 {
		for _, c := range list {
			if c.streams == 0 {
				f(c, key, c.idleAt)
			}
		}
	}
}

func (p *connPool) popIdleLocked(key connKey) *h1Conn {
	list := p.idle[key]
	if len(list) == 0 {
		return nil
	}
	c := list[len(list)-1]
	list[len(list)-1] = nil
	// An emptied list stays in the map, so that the next release of this
	// origin does not allocate; reap drops the empty ones.
	p.idle[key] = list[:len(list)-1]
	p.nIdle--
	return c
}

func (p *connPool) removeIdleLocked(c *h1Conn) {
	list := p.idle[c.key]
	for i, x := range list {
		if x == c {
			list = append(list[:i], list[i+1:]...)
			p.nIdle--
			break
		}
	}
	if len(list) == 0 {
		delete(p.idle, c.key)
	} else {
		p.idle[c.key] = list
	}
}

// oldestIdleLocked is the idle connection that went idle first.
func (p *connPool) oldestIdleLocked() pooledConn {
	var (
		oldest pooledConn
		when   time.Time
	)
	p.eachIdleLocked(func(c pooledConn, _ connKey, at time.Time) {
		if oldest == nil || at.Before(when) {
			oldest, when = c, at
		}
	})
	return oldest
}

// victimLocked picks the idle connection to close for a slot: the oldest
// of an origin no waiting request wants.
func (p *connPool) victimLocked() pooledConn {
	var (
		victim pooledConn
		when   time.Time
	)
	p.eachIdleLocked(func(c pooledConn, key connKey, at time.Time) {
		if (victim == nil || at.Before(when)) && !p.wantedLocked(key) {
			victim, when = c, at
		}
	})
	return victim
}

func (p *connPool) wantedLocked(key connKey) bool {
	for _, w := range p.waiters {
		if w.key == key {
			return true
		}
	}
	return false
}

func (p *connPool) removeWaiterLocked(w *poolWaiter) bool {
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// reap closes the idle connections that expired and rearms itself for the
// next one to expire.
func (p *connPool) reap() {
	now := time.Now()
	var dead []pooledConn
	p.mu.Lock()
	p.reaper = nil
	var next time.Time
	for key, list := range p.idle {
		if len(list) == 0 {
			delete(p.idle, key)
		}
	}
	p.eachIdleLocked(func(c pooledConn, _ connKey, idleAt time.Time) {
		at := idleAt.Add(p.idleTimeout)
		if !at.After(now) {
			dead = append(dead, c)
		} else if next.IsZero() || at.Before(next) {
			next = at
		}
	})
	for _, c := range dead {
		p.dropIdleLocked(c)
		p.forgetLocked(c)
	}
	if !next.IsZero() && !p.closed {
		p.reaper = time.AfterFunc(next.Sub(now), p.reap)
	}
	p.mu.Unlock()
	for _, c := range dead {
		c.closeConn()
	}
}

// close closes every connection, idle or in use, and fails the waiters.
func (p *connPool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.reaper != nil {
		p.reaper.Stop()
		p.reaper = nil
	}
	conns := make([]pooledConn, 0, len(p.all))
	for c := range p.all {
		conns = append(conns, c)
	}
	p.idle, p.nIdle = map[connKey][]*h1Conn{}, 0
	p.all, p.total = map[pooledConn]struct{}{}, 0
	p.h2 = map[connKey][]*h2Conn{}
	waiters := p.waiters
	p.waiters = nil
	for key, d := range p.dialing {
		delete(p.dialing, key)
		close(d.done)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.closeConn()
	}
	for _, w := range waiters {
		w.ch <- grant{err: &Error{Kind: KindClosed, Err: ErrClosed}}
	}
}

// isClosed reports whether the Engine closed the pool, for the requests in
// flight to tell an error of theirs from their connection closed under
// them.
func (p *connPool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// stats reports the pool at one moment.
func (p *connPool) stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Conns: p.total, Idle: p.nIdle, Waiting: len(p.waiters)}
}
