package faultserver

import "time"

// Step is one action of a Script.
type Step func(c *Conn)

// Script runs steps in order on a connection; like the Conn methods they
// stand for, the steps after a failure do nothing.
func Script(steps ...Step) Handler {
	return func(c *Conn) {
		for _, s := range steps {
			s(c)
		}
	}
}

// ReadRequest reads a request head (Conn.ReadRequest).
func ReadRequest() Step { return func(c *Conn) { c.ReadRequest() } }

// ReadFullRequest reads a request head and body (Conn.ReadFullRequest).
func ReadFullRequest() Step { return func(c *Conn) { c.ReadFullRequest() } }

// Write writes raw bytes (Conn.Write).
func Write(s string) Step { return func(c *Conn) { c.Write(s) } }

// Respond writes a complete response (Conn.Respond).
func Respond(status int, body string, headers ...string) Step {
	return func(c *Conn) { c.Respond(status, body, headers...) }
}

// Serve answers every further request with body (Conn.Serve).
func Serve(body string) Step { return func(c *Conn) { c.Serve(body) } }

// Trickle writes b slowly (Conn.Trickle).
func Trickle(b string, chunk int, every time.Duration) Step {
	return func(c *Conn) { c.Trickle([]byte(b), chunk, every) }
}

// Sleep pauses (Conn.Sleep).
func Sleep(d time.Duration) Step { return func(c *Conn) { c.Sleep(d) } }

// Wait pauses until ch is closed (Conn.Wait).
func Wait(ch <-chan struct{}) Step { return func(c *Conn) { c.Wait(ch) } }

// Hold keeps the connection open and silent (Conn.Hold).
func Hold() Step { return func(c *Conn) { c.Hold() } }

// Drain reads until the client closes (Conn.Drain).
func Drain() Step { return func(c *Conn) { c.Drain() } }

// Handshake completes the TLS handshake (Conn.Handshake).
func Handshake() Step { return func(c *Conn) { _ = c.Handshake() } }

// CloseWrite half-closes (Conn.CloseWrite).
func CloseWrite() Step { return func(c *Conn) { c.CloseWrite() } }

// Reset aborts with a TCP RST (Conn.Reset).
func Reset() Step { return func(c *Conn) { c.Reset() } }

// Close closes gracefully (Conn.Close).
func Close() Step { return func(c *Conn) { c.Close() } }
