package httpx

import (
	"fmt"
	"time"
)

// Timeout holds HTTPX's four per-phase timeouts.
//
// A zero field means NO LIMIT for that phase. A struct literal that names
// one phase therefore leaves the other three unlimited: HTTPX's
// httpx.Timeout(10.0, connect=60.0) is Timeouts(10*time.Second).WithConnect(60*time.Second),
// not Timeout{Connect: 60 * time.Second}. Build timeouts with Timeouts and the
// With methods. A negative duration in any phase is refused with ErrUsage
// (by NewClient's Err, and by every request that would use it).
//
// Read and Write limit each single read or write (an idle timer), not the
// whole transfer: a download that keeps trickling data never times out, one
// that stalls does. For an overall deadline, use the context.
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

// WithConnect returns t with the connect phase set to d (HTTPX's connect=).
func (t Timeout) WithConnect(d time.Duration) Timeout { t.Connect = d; return t }

// WithRead returns t with the read phase set to d (HTTPX's read=).
func (t Timeout) WithRead(d time.Duration) Timeout { t.Read = d; return t }

// WithWrite returns t with the write phase set to d (HTTPX's write=).
func (t Timeout) WithWrite(d time.Duration) Timeout { t.Write = d; return t }

// WithPool returns t with the pool phase set to d (HTTPX's pool=).
func (t Timeout) WithPool(d time.Duration) Timeout { t.Pool = d; return t }

// validate refuses negative phases, which would otherwise silently mean
// "no limit" further down.
func (t Timeout) validate() error {
	for _, p := range [...]struct {
		name string
		d    time.Duration
	}{{"connect", t.Connect}, {"read", t.Read}, {"write", t.Write}, {"pool", t.Pool}} {
		if p.d < 0 {
			return usageError("Timeout", "the %s timeout is negative (%v); use 0 for no limit", p.name, p.d)
		}
	}
	return nil
}

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
