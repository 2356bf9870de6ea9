package httpx

import (
	"fmt"
	"time"
)

// NoLimit, as a Limits count, removes that cap (HTTPX's None).
const NoLimit = -1

// Limits configures the connection pool of an HTTPTransport (httpx.Limits).
// A zero field takes the value from DefaultLimits, so Limits{} means the
// defaults and Limits{MaxConnections: 10} changes only the cap.
type Limits struct {
	// MaxConnections caps the connections open at once across all hosts;
	// NoLimit removes the cap. A request that finds the pool full waits for a
	// free connection up to Timeout.Pool, then fails with ErrPoolTimeout.
	MaxConnections int
	// MaxKeepaliveConnections caps the idle connections kept for reuse;
	// NoLimit keeps any number (up to MaxConnections).
	MaxKeepaliveConnections int
	// KeepaliveExpiry closes a connection idle for this long. A negative value
	// disables keep-alive: every connection is closed after its request.
	KeepaliveExpiry time.Duration
}

// DefaultLimits are HTTPX's defaults: 100 connections, 20 kept alive, 5 s expiry.
var DefaultLimits = Limits{MaxConnections: 100, MaxKeepaliveConnections: 20, KeepaliveExpiry: 5 * time.Second}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxConnections == 0 {
		l.MaxConnections = DefaultLimits.MaxConnections
	}
	if l.MaxKeepaliveConnections == 0 {
		l.MaxKeepaliveConnections = DefaultLimits.MaxKeepaliveConnections
	}
	if l.KeepaliveExpiry == 0 {
		l.KeepaliveExpiry = DefaultLimits.KeepaliveExpiry
	}
	return l
}

// String reads like HTTPX's repr.
func (l Limits) String() string {
	return fmt.Sprintf("Limits(max_connections=%d, max_keepalive_connections=%d, keepalive_expiry=%v)",
		l.MaxConnections, l.MaxKeepaliveConnections, l.KeepaliveExpiry)
}
