package transport

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idleConn registers an idle connection to addr that went idle at idleAt,
// taking a slot of p for it.
func idleConn(t *testing.T, p *pool, addr string, idleAt time.Time) *conn {
	t.Helper()
	require.NoError(t, p.acquire(nil, 0, addr, 0))
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := newConn(p, a, addr)
	c.state.Store(stateIdle)
	c.idleAt.Store(idleAt.UnixNano())
	require.True(t, p.register(c))
	return c
}

// queueWaiter puts a dial to addr in p's queue, as a request of that host
// waiting for a slot does.
func queueWaiter(p *pool, addr string) *waiter {
	w := &waiter{addr: addr, ch: make(chan error, 1)}
	p.mu.Lock()
	p.waiters = append(p.waiters, w)
	p.nwait.Add(1)
	p.mu.Unlock()
	return w
}

// TestPoolSparesIdleConnOfWaitingHost: a dial that needs a slot has an idle
// connection closed for it, but never one of a host another request is
// waiting for, since that request is about to reuse it.
func TestPoolSparesIdleConnOfWaitingHost(t *testing.T) {
	old, recent := time.Now().Add(-time.Minute), time.Now()
	for _, tc := range []struct {
		name    string
		idle    map[string]time.Time // idle connections by host
		waiting []string             // hosts with a request waiting
		dial    string               // the host the new dial is for
		evicted string               // "" = none, the dial waits
	}{
		{"oldest idle goes", map[string]time.Time{"a:1": old, "b:1": recent}, nil, "c:1", "a:1"},
		{"waited-for host spared though older", map[string]time.Time{"a:1": old, "b:1": recent}, []string{"a:1"}, "c:1", "b:1"},
		{"only idle conn is waited for", map[string]time.Time{"a:1": old}, []string{"a:1"}, "c:1", ""},
		{"the dial's own host does not count", map[string]time.Time{"a:1": old}, nil, "a:1", "a:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			closedCh := make(chan struct{})
			var p pool
			p.init(len(tc.idle), closedCh)
			conns := map[string]*conn{}
			for addr, at := range tc.idle {
				conns[addr] = idleConn(t, &p, addr, at)
			}
			for _, addr := range tc.waiting {
				queueWaiter(&p, addr)
			}

			err := p.acquire(nil, 0, tc.dial, 100*time.Millisecond)
			for addr, c := range conns {
				assert.Equal(t, addr == tc.evicted, c.closed.Load(), "connection to %s closed", addr)
			}
			if tc.evicted == "" {
				var te *Error
				require.ErrorAs(t, err, &te)
				assert.Equal(t, KindPoolTimeout, te.Kind)
				return
			}
			if len(tc.waiting) == 0 {
				require.NoError(t, err, "the freed slot goes to the dial")
			}
		})
	}
}
