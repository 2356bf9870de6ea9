package transport

import (
	"context"
	"sync"
	"time"
)

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

	total   int                   // open connections and dials in flight
	idle    map[connKey][]*h1Conn // per key, oldest first
	nIdle   int
	all     map[*h1Conn]struct{} // every open connection, for Close
	waiters []*poolWaiter        // FIFO
	closed  bool
	reaper  *time.Timer
}

// poolWaiter is a request waiting for a slot: it receives an idle
// connection of its key, or leave to dial (no connection, no error), or
// the error of a pool that closed.
type poolWaiter struct {
	key connKey
	ch  chan grant
}

type grant struct {
	c   *h1Conn
	err error
}

func (p *connPool) init(cfg *Config) {
	p.maxConns = cfg.MaxConns
	p.maxIdle = cfg.MaxIdleConns
	p.idleTimeout = cfg.IdleTimeout
	p.keepAlive = cfg.keepAlive()
	p.idle = map[connKey][]*h1Conn{}
	p.all = map[*h1Conn]struct{}{}
}

// acquire returns an idle connection for key that passed the liveness
// probe, or nil with a slot taken for the caller to dial. It waits up to
// timeout (0: no limit) for a slot when MaxConns connections are open.
func (p *connPool) acquire(ctx context.Context, key connKey, timeout time.Duration, fresh bool) (*h1Conn, error) {
	p.mu.Lock()
	for !fresh {
		c := p.popIdleLocked(key)
		if c == nil {
			break
		}
		p.mu.Unlock()
		if c.usable(time.Now(), p.idleTimeout) {
			return c, nil
		}
		c.closeConn()
		p.mu.Lock()
		p.forgetLocked(c)
	}
	if p.closed {
		p.mu.Unlock()
		return nil, &Error{Kind: KindClosed, Err: ErrClosed}
	}
	if p.maxConns <= 0 || p.total < p.maxConns {
		p.total++
		p.mu.Unlock()
		return nil, nil
	}
	if v := p.victimLocked(); v != nil {
		// The slot of an idle connection of another origin goes to us.
		p.removeIdleLocked(v)
		delete(p.all, v)
		p.mu.Unlock()
		v.closeConn()
		return nil, nil
	}
	w := &poolWaiter{key: key, ch: make(chan grant, 1)}
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()
	return p.wait(ctx, w, timeout)
}

// wait blocks until w is served, the pool timeout passes or ctx ends.
func (p *connPool) wait(ctx context.Context, w *poolWaiter, timeout time.Duration) (*h1Conn, error) {
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	var err error
	select {
	case g := <-w.ch:
		return g.c, g.err
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
		case g.c != nil:
			p.release(g.c, true)
		case g.err == nil:
			p.releaseSlot()
		}
	}
	return nil, err
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
			w.ch <- grant{c: c}
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
	var surplus *h1Conn
	if p.maxIdle > 0 && p.nIdle > p.maxIdle {
		surplus = p.oldestIdleLocked()
		p.removeIdleLocked(surplus)
		p.forgetLocked(surplus)
	}
	if p.idleTimeout > 0 && p.reaper == nil {
		p.reaper = time.AfterFunc(p.idleTimeout, p.reap)
	}
	p.mu.Unlock()
	if surplus != nil {
		surplus.closeConn()
	}
}

// releaseSlot gives back a slot whose dial failed.
func (p *connPool) releaseSlot() {
	p.mu.Lock()
	p.total--
	p.grantLocked()
	p.mu.Unlock()
}

// register records a dialled connection; false when the pool closed
// meanwhile (the caller closes it and gives the slot back).
func (p *connPool) register(c *h1Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.all[c] = struct{}{}
	return true
}

// forgetLocked drops a closed connection and lets a waiter dial in its slot.
func (p *connPool) forgetLocked(c *h1Conn) {
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
func (p *connPool) oldestIdleLocked() *h1Conn {
	var oldest *h1Conn
	for _, list := range p.idle {
		if len(list) == 0 {
			continue
		}
		if c := list[0]; oldest == nil || c.idleAt.Before(oldest.idleAt) {
			oldest = c
		}
	}
	return oldest
}

// victimLocked picks the idle connection to close for a slot: the oldest
// of an origin no waiting request wants.
func (p *connPool) victimLocked() *h1Conn {
	var victim *h1Conn
	for key, list := range p.idle {
		if len(list) == 0 || p.wantedLocked(key) {
			continue
		}
		if c := list[0]; victim == nil || c.idleAt.Before(victim.idleAt) {
			victim = c
		}
	}
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
	var dead []*h1Conn
	p.mu.Lock()
	p.reaper = nil
	var next time.Time
	for key, list := range p.idle {
		if len(list) == 0 {
			delete(p.idle, key)
		}
		for _, c := range list {
			at := c.idleAt.Add(p.idleTimeout)
			if !at.After(now) {
				dead = append(dead, c)
			} else if next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	for _, c := range dead {
		p.removeIdleLocked(c)
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
	conns := make([]*h1Conn, 0, len(p.all))
	for c := range p.all {
		conns = append(conns, c)
	}
	p.idle, p.nIdle = map[connKey][]*h1Conn{}, 0
	p.all, p.total = map[*h1Conn]struct{}{}, 0
	waiters := p.waiters
	p.waiters = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.closeConn()
	}
	for _, w := range waiters {
		w.ch <- grant{err: &Error{Kind: KindClosed, Err: ErrClosed}}
	}
}

// stats reports the pool at one moment.
func (p *connPool) stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Conns: p.total, Idle: p.nIdle, Waiting: len(p.waiters)}
}
