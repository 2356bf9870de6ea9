package httpx

import (
	"fmt"
	"time"
)

// Timeout holds HTTPX's four per-phase timeouts. A zero field means no limit
// for that phase. Read and Write limit each single read or write (an idle
// timer), not the whole transfer: a download that keeps trickling data never
// times out, one that stalls does. For an overall deadline, use the context.
type Timeout struct {
	// Connect limits establishing a connection: the TCP connect and the TLS
	// handshake, also to a proxy. Exceeding it gives ErrConnectTimeout.
	Connect time.Duration
	// Read limits waiting for any one read of the response: the headers or a
	// body chunk. Exceeding it gives ErrReadTimeout.
	Read time.Duration
	// Write limits any one write of the request. Exceeding it gives ErrWriteTimeout.
	Write time.Duration
	// Pool limits waiting for a free connection when the pool is full.
	// Exceeding it gives ErrPoolTimeout.
	Pool time.Duration
}

// Timeouts returns a Timeout with all four phases set to d (httpx.Timeout(d)).
func Timeouts(d time.Duration) Timeout { return Timeout{Connect: d, Read: d, Write: d, Pool: d} }

// DefaultTimeout is HTTPX's default: five seconds for every phase.
var DefaultTimeout = Timeouts(5 * time.Second)

// NoTimeout disables every phase timeout (httpx.Timeout(None)).
var NoTimeout = Timeout{}

// String reads like HTTPX's repr: Timeout(timeout=5s) when all four phases
// agree, else each phase listed.
func (t Timeout) String() string {
	if t.Connect == t.Read && t.Read == t.Write && t.Write == t.Pool {
		return fmt.Sprintf("Timeout(timeout=%v)", t.Connect)
	}
	return fmt.Sprintf("Timeout(connect=%v, read=%v, write=%v, pool=%v)", t.Connect, t.Read, t.Write, t.Pool)
}
