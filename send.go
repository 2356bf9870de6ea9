package httpx

import (
	"cmp"
	"context"
	"errors"
	"time"
)

// Send sends req as it is: unlike the request methods it does not merge the
// client's headers, params or cookies (build the request with BuildRequest
// for that), but it does apply the client's timeout when the request has
// none, and the client's auth, redirect, hook and cookie-jar handling. The
// body is read before Send returns unless WithStream(true) is given.
func (c *Client) Send(ctx context.Context, req *Request, opts ...SendOption) (*Response, error) {
	var cfg sendConfig
	if err := applySendOptions(&cfg, opts); err != nil {
		return nil, err
	}
	return c.send(ctx, req, &cfg)
}

// send is the pipeline HTTPX's send() runs: auth flow around redirect
// handling around hooks around the transport; then, unless streaming, the
// body is read (and on any error the response is closed).
func (c *Client) send(ctx context.Context, req *Request, cfg *sendConfig) (*Response, error) {
	if c == nil {
		return nil, errNilClient("Send")
	}
	if ctx == nil {
		return nil, usageError("Send", "the context is nil (use context.Background())")
	}
	if c.closed.Load() {
		return nil, usageError("Send", "cannot send a request, as the client has been closed")
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.transport == nil {
		return nil, usageError("Send", "the client was not created with NewClient")
	}
	if req == nil || req.URL == nil {
		return nil, usageError("Send", "the request has no URL")
	}
	if !req.hasTimeout {
		req.timeout, req.hasTimeout = c.Timeout, true
	}
	follow := c.FollowRedirects
	if cfg.hasFollow {
		follow = cfg.follow
	}
	auth := c.Auth
	if cfg.hasAuth {
		auth = cfg.auth
	}
	auth, err := c.resolveAuth(auth, req)
	if err != nil {
		return nil, err
	}
	if c.middleware.Send == nil {
		return c.sendLogical(ctx, req, cfg, auth, follow)
	}
	return c.sendThrough(ctx, req, func(ctx context.Context, req *Request) (*Response, error) {
		return c.sendLogical(ctx, req, cfg, auth, follow)
	})
}

// sendLogical is one logical request: retries around the auth flow and
// redirects, then the body read unless streaming.
func (c *Client) sendLogical(ctx context.Context, req *Request, cfg *sendConfig, auth Auth, follow bool) (resp *Response, err error) {
	attempt := func() (*Response, error) {
		if auth == nil {
			return c.sendHandlingRedirects(ctx, req, follow, nil)
		}
		return c.sendHandlingAuth(ctx, req, auth, follow)
	}
	if p := cmp.Or(req.retry, c.retry); p != nil {
		resp, err = c.sendRetrying(ctx, req, p, attempt)
	} else {
		resp, err = attempt()
	}
	if err != nil {
		return nil, err
	}
	if !cfg.stream {
		if err := resp.keep(); err != nil {
			resp.Close()
			return nil, err
		}
	}
	return resp, nil
}

// sendHandlingRedirects sends req, runs the hooks, and follows redirects
// when asked. history holds the responses that led here (auth
// intermediates); redirect hops are added to a copy of it, as HTTPX does.
func (c *Client) sendHandlingRedirects(ctx context.Context, req *Request, follow bool, history []*Response) (*Response, error) {
	for {
		if len(history) > c.MaxRedirects {
			return nil, newRequestError(ErrTooManyRedirects, req, nil, "Exceeded maximum allowed redirects.")
		}
		for i, hook := range c.EventHooks.Request {
			if hook == nil {
				return nil, usageError("EventHooks", "request hook %d is nil", i+1)
			}
			if err := guard("request hook", func() error { return hook(req) }); err != nil {
				return nil, userError(err, req)
			}
		}
		resp, err := c.sendSingle(ctx, req)
		if err != nil {
			return nil, err
		}
		next, err := c.afterResponse(resp, req, follow, history)
		if err != nil {
			resp.Close()
			return nil, err
		}
		if next == nil {
			return resp, nil
		}
		c.logRedirect(ctx, resp, next)
		history = append(history[:len(history):len(history)], resp)
		req = next
	}
}

// afterResponse runs the response hooks and decides about a redirect: it
// returns the next request to send, or nil when resp is the final answer.
func (c *Client) afterResponse(resp *Response, req *Request, follow bool, history []*Response) (*Request, error) {
	for i, hook := range c.EventHooks.Response {
		if hook == nil {
			return nil, usageError("EventHooks", "response hook %d is nil", i+1)
		}
		if err := guard("response hook", func() error { return hook(resp) }); err != nil {
			return nil, userError(err, req)
		}
	}
	if len(history) > 0 {
		resp.History = history[:len(history):len(history)]
	}
	if !resp.HasRedirectLocation() {
		return nil, nil
	}
	next, err := c.buildRedirectRequest(req, resp)
	if err != nil {
		return nil, err
	}
	if !follow {
		resp.nextRequest = next
		return nil, nil
	}
	if err := resp.keep(); err != nil {
		return nil, err
	}
	return next, nil
}

// sendSingle hands one request to its transport and records the response's
// cookies.
func (c *Client) sendSingle(ctx context.Context, req *Request) (*Response, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, classifyError(err, req)
	}
	req.client = c // what Curl needs: the redaction policy and the transport
	var dump *requestDump
	if c.debug != nil {
		dump = c.newRequestDump(req)
	}
	req.dump = dump
	start := time.Now()
	resp, err := c.handle(ctx, req)
	req.dump = nil
	if err == nil && resp == nil {
		err = newRequestError(ErrTransport, req, nil, "the transport returned no response and no error")
	}
	if err != nil {
		if resp != nil {
			resp.Close()
		}
		err = asRequestError(err, req)
		if dump != nil {
			dump.afterSend(nil, err)
		}
		return nil, err
	}
	resp.Request = req
	resp.start = start
	if resp.body.head.Body == nil {
		// Not the engine, which times the phases itself: the transport's
		// whole call is the wait for the head.
		resp.wait = time.Since(start)
	}
	c.logRequest(ctx, req, resp)
	if dump != nil {
		dump.afterSend(resp, nil)
	}
	resp.defaultEncoding, resp.encodingFunc = c.defaultEncoding, c.encodingFunc
	resp.body.limit = req.maxSize
	if !req.hasMaxSize {
		resp.body.limit = c.maxResponseSize
	}
	c.Cookies.extract(resp)
	return resp, nil
}

// handle hands req to its transport; a panicking transport (a
// TransportFunc, a MockTransport, anyone's) fails the request instead.
func (c *Client) handle(ctx context.Context, req *Request) (resp *Response, err error) {
	defer func() {
		if pe := recovered("transport", recover()); pe != nil {
			resp, err = nil, pe
		}
	}()
	t := c.transportFor(req.URL)
	if c.middleware.Transport != nil {
		return c.middleware.Transport(ctx, req, t)
	}
	return t.HandleRequest(ctx, req)
}

// userError keeps an error from user code (a hook, an auth flow) that is
// already in the tree, and wraps any other as ErrRequest, so it joins the
// tree while errors.Is/As still reach the original.
func userError(err error, req *Request) error {
	if errors.Is(err, ErrHTTP) || errors.Is(err, ErrStream) || errors.Is(err, ErrUsage) ||
		errors.Is(err, ErrInvalidURL) || errors.Is(err, ErrCookieConflict) {
		return err
	}
	return newRequestError(ErrRequest, req, err, "")
}
