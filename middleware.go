package httpx

import "context"

// SendFunc sends one logical request: the rest of a client's pipeline, as a
// Middleware's Send sees it.
type SendFunc func(ctx context.Context, req *Request) (*Response, error)

// Middleware wraps a client's sending at its two levels, for
// instrumentation such as tracing, metrics or logging (otelhttpx is built on
// it). HTTPX has no counterpart: it is the seam its event hooks and
// transports leave to wrapping a whole request. Either field may be nil.
type Middleware struct {
	// Send wraps each logical request: one call of Send, Get, Stream ...
	// with all its retries, redirect hops and auth round trips, and, unless
	// the request streams, the reading of the final body. It must call next
	// at most once; the context it passes is the one every physical request
	// sees. The response next returns is the final one, already read and
	// closed unless the request streams.
	Send func(ctx context.Context, req *Request, next SendFunc) (*Response, error)
	// Transport wraps each physical request (an attempt, a redirect hop,
	// an auth round trip): it is called in place of the transport chosen
	// for req, mounts included, which it is given as next and should call.
	// It sees the request as it goes out (hooks run, auth headers set) and
	// may add headers. The response next returns has an unread body, which
	// the client (or, when streaming, the caller) reads and closes later;
	// Response.OnClose tells when.
	Transport func(ctx context.Context, req *Request, next Transport) (*Response, error)
}

// WithMiddleware wraps the client's sending (see Middleware). Given more
// than once, the first given is the outermost.
func WithMiddleware(m Middleware) ClientOption {
	return clientOption(func(c *clientConfig) {
		c.middleware = chainMiddleware(c.middleware, m)
	})
}

// chainMiddleware makes outer then inner one Middleware.
func chainMiddleware(outer, inner Middleware) Middleware {
	out := outer
	switch {
	case outer.Send == nil:
		out.Send = inner.Send
	case inner.Send != nil:
		out.Send = func(ctx context.Context, req *Request, next SendFunc) (*Response, error) {
			return outer.Send(ctx, req, func(ctx context.Context, req *Request) (*Response, error) {
				return inner.Send(ctx, req, next)
			})
		}
	}
	switch {
	case outer.Transport == nil:
		out.Transport = inner.Transport
	case inner.Transport != nil:
		out.Transport = func(ctx context.Context, req *Request, next Transport) (*Response, error) {
			return outer.Transport(ctx, req, TransportFunc(func(ctx context.Context, req *Request) (*Response, error) {
				return inner.Transport(ctx, req, next)
			}))
		}
	}
	return out
}

// sendThrough runs the pipeline (next) under the Send middleware, so that a
// panicking middleware fails the request instead of the program.
func (c *Client) sendThrough(ctx context.Context, req *Request, next SendFunc) (resp *Response, err error) {
	defer func() {
		if pe := recovered("send middleware", recover()); pe != nil {
			resp, err = nil, newRequestError(ErrRequest, req, pe, "")
		}
	}()
	resp, err = c.middleware.Send(ctx, req, next)
	if resp == nil && err == nil {
		err = newRequestError(ErrRequest, req, nil, "the send middleware returned no response and no error")
	}
	return resp, err
}

// OnClose registers f to run once when the response is closed or its body
// fully read (at once if that has happened already): the moment a
// Middleware's Transport knows the exchange is over.
func (r *Response) OnClose(f func()) {
	if f != nil {
		r.onClose(f)
	}
}
