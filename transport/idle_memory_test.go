package transport_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/transport"
)

// TestIdleConnectionHoldsNoBuffers checks what an idle pooled HTTP/1.1
// connection keeps alive on the heap: its buffers go back to a shared pool
// (and from there to the collector), so it costs well under their 8 KiB.
// The server is a bare loop whose own cost per connection is a few hundred
// bytes of heap, so the figure is the client's.
func TestIdleConnectionHoldsNoBuffers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var buf [512]byte
				for {
					if _, err := c.Read(buf[:]); err != nil {
						return
					}
					if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
						return
					}
				}
			}()
		}
	}()
	const n = 100
	host := ln.Addr().String()
	e, err := transport.NewEngine(transport.Config{MaxConns: n, MaxIdleConns: n})
	require.NoError(t, err)
	defer e.Close()

	// Warm the buffer pools and the runtime up with one exchange first.
	get := func() *transport.Response {
		resp, err := e.Do(context.Background(), &transport.Request{Method: "GET", Scheme: "http", Addr: host, Target: "/", Header: transport.FieldList{"Host", host}})
		require.NoError(t, err)
		return resp
	}
	r := get()
	_, _ = io.Copy(io.Discard, r.Body)
	require.NoError(t, r.Body.Close())
	heap := func() uint64 {
		for range 4 {
			runtime.GC()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	resps := make([]*transport.Response, 0, n)
	for range n {
		resps = append(resps, get())
	}
	for _, r := range resps {
		_, _ = io.Copy(io.Discard, r.Body)
		require.NoError(t, r.Body.Close())
	}
	resps = nil
	require.Equal(t, n, e.Stats().Idle, "every connection is idle in the pool")
	perConn := (int64(heap()) - int64(before)) / n
	t.Logf("%d B of live heap per idle connection, the server's included", perConn)
	assert.Less(t, perConn, int64(4096), "an idle connection keeps its read or write buffer (bufio %d B each)", bufio.NewReader(nil).Size())
}
