package httpx

import "context"

// splitOptions sorts top-level options: client options (shared ones
// included, so that cookies go into the client's jar as in HTTPX) configure
// the one-off client, request-only ones the request.
func splitOptions(opts []Option) (client []ClientOption, request []RequestOption, send sendConfig) {
	for _, o := range opts {
		switch v := o.(type) {
		case nil:
			client = append(client, nil) // NewClient reports it

		case ClientOption:
			client = append(client, v)
		case RequestOption:
			request = append(request, v)
		case SendOption:
			v.applySend(&send)
		}
	}
	return client, request, send
}

// Do sends one request with a fresh client that is closed afterwards
// (httpx.request; Go cannot name it Request, the type's name). Options may be
// client or request options. Connections are not reused across calls: use a
// Client for that.
func Do(ctx context.Context, method, url string, opts ...Option) (*Response, error) {
	copts, ropts, send := splitOptions(opts)
	c := NewClient(copts...)
	if send.stream {
		return streamWith(ctx, c, method, url, ropts)
	}
	defer c.Close()
	return c.Request(ctx, method, url, ropts...)
}

// Stream is Do without reading the body; the one-off client is closed
// when the response is (httpx.stream).
func Stream(ctx context.Context, method, url string, opts ...Option) (*Response, error) {
	copts, ropts, _ := splitOptions(opts)
	return streamWith(ctx, NewClient(copts...), method, url, ropts)
}

func streamWith(ctx context.Context, c *Client, method, url string, ropts []RequestOption) (*Response, error) {
	resp, err := c.Stream(ctx, method, url, ropts...)
	if err != nil {
		c.Close()
		return nil, err
	}
	resp.onClose(func() { c.Close() })
	return resp, nil
}

// Get sends a GET request with a one-off client; see Do.
func Get(ctx context.Context, url string, opts ...Option) (*Response, error) {
	return Do(ctx, "GET", url, opts...)
}

// Head sends a HEAD request with a one-off client; see Do.
func Head(ctx context.Context, url string, opts ...Option) (*Response, error) {
	return Do(ctx, "HEAD", url, opts...)
}

// Options sends an OPTIONS request with a one-off client; see Do.
func Options(ctx context.Context, url string, opts ...Option) (*Response, error) {
	return Do(ctx, "OPTIONS", url, opts...)
}

// Delete sends a DELETE request with a one-off client; see Do.
func Delete(ctx context.Context, url string, opts ...Option) (*Response, error) {
	return Do(ctx, "DELETE", url, opts...)
}

// Post sends a POST request with a one-off client; see Do.
func Post(ctx context.Context, url string, opts ...Option) (*Response, error) {
	return Do(ctx, "POST", url, opts...)
}

// Put sends a PUT request with a one-off client; see Do.
func Put(ctx context.Context, url string, opts ...Option) (*Response, error) {
	return Do(ctx, "PUT", url, opts...)
}

// Patch sends a PATCH request with a one-off client; see Do.
func Patch(ctx context.Context, url string, opts ...Option) (*Response, error) {
	return Do(ctx, "PATCH", url, opts...)
}
