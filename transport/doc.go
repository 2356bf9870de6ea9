// Package transport is the network layer behind the root package's
// HTTPTransport: an http.Transport with HTTPX's semantics on top.
//
// It adds what net/http lacks for an HTTPX port: per-request, per-phase
// timeouts (connect, each read, each write, pool) that cost no goroutine,
// timer or context on the HTTP/1 fast path; a cap on connections across all
// hosts with a pool timeout; retries of connection setup; and errors typed
// by phase (Kind), ready to be mapped onto HTTPX's exception tree.
//
// The root package converts its request to an *http.Request, calls
// RoundTrip with the request's Timeouts, and maps *Error values with
// errors.As. This package never imports the root package.
package transport
