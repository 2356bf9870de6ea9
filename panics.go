package httpx

import (
	"fmt"
	"io"
	"runtime/debug"
)

// PanicError is the cause of the error a panicking user callback produces:
// an event hook, an auth flow or AuthFunc, a TransportFunc or MockTransport,
// a request body reader (WithBody, a File's Content) or upload-progress
// callback, a mock response's body reader, or a default-encoding func. The
// panic is recovered where the callback runs, on whichever goroutine, so it
// never takes the process down; the request fails with an error matching
// ErrRequest that wraps the PanicError, and the connection it held is
// released. A panicking http.Handler gives a HandlerPanicError instead.
type PanicError struct {
	Where string // the callback that panicked, e.g. "response hook"
	Value any    // what it panicked with
	Stack []byte // the stack of the panicking goroutine
}

func (e *PanicError) Error() string { return fmt.Sprintf("%s panicked: %v", e.Where, e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recovered turns a recovered panic value into a *PanicError, or nil.
func recovered(where string, p any) *PanicError {
	if p == nil {
		return nil
	}
	return &PanicError{Where: where, Value: p, Stack: debug.Stack()}
}

// guard calls f, turning a panic into a *PanicError named by where.
func guard(where string, f func() error) (err error) {
	defer func() {
		if pe := recovered(where, recover()); pe != nil {
			err = pe
		}
	}()
	return f()
}

// guardedReader runs a user reader (and the progress callback, when there
// is one) so that a panic in either becomes a read error: transports call
// Read on goroutines of their own (net/http's and x/net/http2's writers),
// where a panic would end the process.
type guardedReader struct {
	r     io.Reader
	where string
	sent  int64
	total int64
	fn    func(sent, total int64) // upload progress, or nil
}

func (g *guardedReader) Read(p []byte) (n int, err error) {
	where := g.where
	defer func() {
		if pe := recovered(where, recover()); pe != nil {
			n, err = 0, pe
		}
	}()
	n, err = g.r.Read(p)
	if n > 0 && g.fn != nil {
		where = "upload progress callback"
		g.sent += int64(n)
		g.fn(g.sent, g.total)
	}
	return n, err
}
