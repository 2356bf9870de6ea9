// Package faultserver is a misbehaving HTTP/1.1 server for tests: it speaks
// raw TCP (optionally under TLS) on loopback and does exactly what each
// connection's script says — read a request head, write arbitrary bytes,
// pause, trickle, half-close, reset — so that tests can provoke the network
// and protocol faults a well-behaved server (net/http's) never produces.
//
// A Server runs one Handler per accepted connection: the i-th connection gets
// handlers[i], the last handler serving every later connection. Handlers use
// the *Conn methods, whose errors are sticky: after the first failure (the
// client hung up, the server closed) every later call is a no-op, so a script
// reads as a list of steps without error checks. Script builds a Handler from
// Steps for table-driven tests.
//
// Only _test.go files import this package. Everything a Server starts is
// stopped by Close, which t.Cleanup calls: no goroutine outlives the test.
package faultserver

import (
	"crypto/tls"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Handler scripts one connection.
type Handler func(c *Conn)

// Server accepts connections on 127.0.0.1 and runs a Handler on each.
type Server struct {
	ln       net.Listener
	tls      *tls.Config
	handlers []Handler
	accepts  atomic.Int32

	done      chan struct{} // closed by Close: wakes sleeping and holding handlers
	closeOnce sync.Once
	wg        sync.WaitGroup
	mu        sync.Mutex
	conns     map[*Conn]struct{}
}

// New starts a plain TCP server on a free loopback port. Connection i runs
// handlers[min(i, len(handlers)-1)]; with no handler every connection is
// closed at once. t.Cleanup closes the server.
func New(t testing.TB, handlers ...Handler) *Server {
	t.Helper()
	return start(t, nil, handlers)
}

// NewTLS is New under TLS with the server configuration cfg. The handshake
// runs on the handler's first read or write, or explicitly with
// Conn.Handshake; a failed handshake fails the Conn like any other error.
func NewTLS(t testing.TB, cfg *tls.Config, handlers ...Handler) *Server {
	t.Helper()
	return start(t, cfg, handlers)
}

func start(t testing.TB, cfg *tls.Config, handlers []Handler) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultserver: listen: %v", err)
	}
	s := &Server{ln: ln, tls: cfg, handlers: handlers, done: make(chan struct{}), conns: map[*Conn]struct{}{}}
	s.wg.Add(1)
	go s.acceptLoop()
	t.Cleanup(s.Close)
	return s
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		i := int(s.accepts.Add(1)) - 1
		c := newConn(s, nc.(*net.TCPConn), i)
		s.mu.Lock()
		select {
		case <-s.done:
			s.mu.Unlock()
			_ = nc.Close()
			return
		default:
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

func (s *Server) serve(c *Conn) {
	defer s.wg.Done()
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	if len(s.handlers) == 0 {
		return
	}
	h := s.handlers[min(c.Index, len(s.handlers)-1)]
	if h != nil {
		h(c)
	}
}

// Addr is the listening address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the server's URL with path appended (http:// or https://).
func (s *Server) URL(path string) string {
	scheme := "http://"
	if s.tls != nil {
		scheme = "https://"
	}
	return scheme + s.Addr() + path
}

// Accepts counts the connections accepted so far: the way to tell whether a
// client reused a connection or opened a new one.
func (s *Server) Accepts() int { return int(s.accepts.Load()) }

// Close stops accepting, closes every connection and waits for the
// handlers to return. It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.done)
		conns := make([]*Conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		_ = s.ln.Close()
		for _, c := range conns {
			_ = c.raw.Close()
		}
		s.wg.Wait()
	})
}

// RefusedAddr returns a loopback address with nothing listening on it (a
// port that was just bound and released), for connection-refused tests.
func RefusedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultserver: listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return "127.0.0.1:" + strconv.Itoa(port)
}
