package transport

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idleConn puts an idle HTTP/1.1 connection to addr into p, gone idle at
// idleAt, in a slot of its own.
func idleConn(t *testing.T, p *connPool, addr string, idleAt time.Time) *h1Conn {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := &h1Conn{pool: p, key: connKey{"http", addr, ""}, nc: a, raw: a, idleAt: idleAt}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total++
	p.all[c] = struct{}{}
	p.idle[c.key] = append(p.idle[c.key], c)
	p.nIdle++
	return c
}

// queueWaiter puts a request for addr in p's queue, as a request of that
// origin waiting for a slot does.
func queueWaiter(p *connPool, addr string) {
	p.mu.Lock()
	p.waiters = append(p.waiters, &poolWaiter{key: connKey{"http", addr, ""}, ch: make(chan grant, 1)})
	p.mu.Unlock()
}

// TestPoolSparesIdleConnOfWaitingOrigin: a request that needs a slot has
// an idle connection of another origin closed for it, the oldest, but
// never one of an origin another request is waiting for, since that
// request is about to reuse it.
func TestPoolSparesIdleConnOfWaitingOrigin(t *testing.T) {
	old, recent := time.Now().Add(-time.Minute), time.Now()
	for _, tc := range []struct {
		name    string
		idle    map[string]time.Time // idle connections by origin
		waiting []string             // origins with a request waiting
		dial    string               // the origin of the new request
		evicted string               // "" = none, the request waits
	}{
		{"oldest idle goes", map[string]time.Time{"a:1": old, "b:1": recent}, nil, "c:1", "a:1"},
		{"waited-for origin spared though older", map[string]time.Time{"a:1": old, "b:1": recent}, []string{"a:1"}, "c:1", "b:1"},
		{"only idle conn is waited for", map[string]time.Time{"a:1": old}, []string{"a:1"}, "c:1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p connPool
			p.init(&Config{MaxConns: len(tc.idle)})
			t.Cleanup(p.close)
			conns := map[string]*h1Conn{}
			for addr, at := range tc.idle {
				conns[addr] = idleConn(t, &p, addr, at)
			}
			for _, addr := range tc.waiting {
				queueWaiter(&p, addr)
			}

			l, err := p.acquire(context.Background(), connKey{"http", tc.dial, ""}, 100*time.Millisecond, false, false)
			for addr, c := range conns {
				assert.Equal(t, addr == tc.evicted, c.closed.Load(), "connection to %s closed", addr)
			}
			if tc.evicted == "" {
				var te *Error
				require.ErrorAs(t, err, &te)
				assert.Equal(t, KindPoolTimeout, te.Kind)
				return
			}
			require.NoError(t, err, "the freed slot goes to the request")
			assert.Equal(t, lease{}, l, "a slot to dial in, no connection")
			assert.Equal(t, len(tc.idle), p.stats().Conns, "the slot changed hands")
		})
	}
}
