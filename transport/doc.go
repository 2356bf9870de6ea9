// Package transport is the network layer behind the root package's
// HTTPTransport.
//
// Engine is the connection engine, the only HTTP transport: HTTP/1.1 on
// the strict codec of internal/h1, on connections that do all the I/O of a
// request on the caller's goroutine under per-phase deadlines; HTTP/2
// through x/net/http2 on connections it dialled itself; and one pool that
// owns every connection of both (a cap across all hosts, a pool timeout,
// keep-alive limits and expiry). It dials directly, over a Unix socket,
// through HTTP and HTTPS proxies (forwarding or CONNECT) and SOCKS5, with
// retries of connection setup, and types its errors by phase (Kind),
// ready to be mapped onto HTTPX's exception tree.
//
// This package never imports the root package.
package transport
