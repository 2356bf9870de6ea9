// Package transport is the network layer behind the root package's
// HTTPTransport.
//
// Engine is the connection engine of our own for HTTP/1.1: the strict
// codec of internal/h1, connections that do all the I/O of a request on
// the caller's goroutine under per-phase deadlines, and a pool that owns
// every connection. Transport is the older layer over net/http's
// Transport, which still carries HTTP/2 and forward and SOCKS proxies:
// per-request, per-phase timeouts that cost no goroutine on the HTTP/1
// fast path, a cap on connections across all hosts with a pool timeout,
// retries of connection setup. Both type their errors by phase (Kind),
// ready to be mapped onto HTTPX's exception tree.
//
// This package never imports the root package.
package transport
