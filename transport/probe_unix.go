//go:build unix

package transport

import (
	"syscall"
)

// Results of the idle probe.
const (
	probeAlive = iota // nothing to read: idle and open
	probeDead         // readable (bytes or EOF) or failed
)

// probe peeks at an idle connection's socket without blocking: one
// recvfrom(MSG_PEEK|MSG_DONTWAIT). EAGAIN means alive and idle; a byte
// means the server sent something unasked, zero bytes that it closed, any
// other error that the connection failed: all three discard it. A socket
// that cannot be probed (not a syscall.Conn) is trusted.
func probe(c *h1Conn) bool {
	if c.probeConn == nil {
		sc, ok := c.raw.(syscall.Conn)
		if !ok {
			return true
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return false
		}
		c.probeConn = rc
	}
	if c.probeFunc == nil {
		c.probeFunc = func(fd uintptr) bool {
			var b [1]byte
			n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if err == syscall.EAGAIN || err == syscall.EWOULDBLOCK || err == syscall.EINTR {
				c.probeRes = probeAlive
			} else {
				_ = n
				c.probeRes = probeDead
			}
			return true
		}
	}
	c.probeRes = probeDead
	if err := c.probeConn.Read(c.probeFunc); err != nil {
		return false
	}
	return c.probeRes == probeAlive
}
