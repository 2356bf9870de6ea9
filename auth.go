package httpx

import (
	"context"
	"encoding/base64"
	"slices"
)

// Auth is an authentication scheme (httpx.Auth). Flow sends req, possibly
// modified, through send as often as the scheme needs, and returns the final
// response; send returns the response to each attempt. Every response that
// the flow moves past (by calling send again) is read, closed and kept in
// the final response's History; one the flow has already read from or
// closed is kept as it is and not read again.
//
// An Auth may also implement RequiresRequestBody() bool, to have a
// streaming request body read into memory before the flow starts (so it can
// be signed and resent), and RequiresResponseBody() bool, to have each
// response read before send returns it (so the flow can use its content).
// A Flow must not keep req or the responses past its return.
type Auth interface {
	Flow(ctx context.Context, req *Request, send func(*Request) (*Response, error)) (*Response, error)
}

// AuthFunc is a one-step scheme that modifies the request once (HTTPX's
// FunctionAuth, and what a plain callable becomes).
type AuthFunc func(*Request) error

// Flow applies f, then sends the request; a nil f is an ErrUsage error.
func (f AuthFunc) Flow(ctx context.Context, req *Request, send func(*Request) (*Response, error)) (*Response, error) {
	if f == nil {
		return nil, usageError("AuthFunc", "the function is nil")
	}
	if err := f(req); err != nil {
		return nil, err
	}
	return send(req)
}

type basicAuth struct {
	header string
}

// BasicAuth sets "Authorization: Basic base64(username:password)" on every
// request, replacing any Authorization header (httpx.BasicAuth; what a
// (user, pass) tuple becomes in HTTPX).
func BasicAuth(username, password string) Auth {
	return basicAuth{header: basicAuthHeader(username, password)}
}

func basicAuthHeader(username, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
}

// Flow sets the header and sends once.
func (a basicAuth) Flow(ctx context.Context, req *Request, send func(*Request) (*Response, error)) (*Response, error) {
	req.Headers.Set("Authorization", a.header)
	return send(req)
}

// resolveAuth returns the scheme to use for req: the explicit one, else
// basic auth from the URL's userinfo, else .netrc credentials when the
// client trusts the environment.
func (c *Client) resolveAuth(auth Auth, req *Request) (Auth, error) {
	if auth != nil {
		return auth, nil
	}
	if req.URL.Userinfo() != "" {
		return BasicAuth(req.URL.Username(), req.URL.Password()), nil
	}
	return c.netrcAuth(req)
}

// sendHandlingAuth runs the auth flow. Each call of send goes through
// redirect handling; the response the flow moves past is read, closed and
// appended to the history.
func (c *Client) sendHandlingAuth(ctx context.Context, req *Request, auth Auth, follow bool) (*Response, error) {
	if a, ok := auth.(interface{ RequiresRequestBody() bool }); ok && a.RequiresRequestBody() {
		if _, err := req.Content(); err != nil {
			return nil, asRequestError(err, req)
		}
	}
	needBody := false
	if a, ok := auth.(interface{ RequiresResponseBody() bool }); ok {
		needBody = a.RequiresResponseBody()
	}
	var (
		history []*Response
		last    *Response
	)
	send := func(r *Request) (*Response, error) {
		if r == nil || r.URL == nil {
			return nil, usageError("Auth.Flow", "send was called without a request")
		}
		if last != nil {
			prev := last
			last = nil
			err := prev.keep()
			prev.Close()
			if err != nil {
				return nil, err
			}
			prev.History = slices.Clone(history)
			history = append(history, prev)
		}
		if !r.hasTimeout {
			r.timeout, r.hasTimeout = req.timeout, true
		}
		resp, err := c.sendHandlingRedirects(ctx, r, follow, history)
		if err != nil {
			return nil, err
		}
		if needBody {
			if err := resp.keep(); err != nil {
				resp.Close()
				return nil, err
			}
		}
		last = resp
		return resp, nil
	}
	var resp *Response
	err := guard("auth flow", func() (err error) {
		if d, ok := auth.(*digestAuth); ok {
			resp, err = d.flow(req, send, &c.digest) // challenges remembered per client
		} else {
			resp, err = auth.Flow(ctx, req, send)
		}
		return err
	})
	if last != nil && last != resp {
		last.Close()
	}
	if err != nil {
		if resp != nil && resp != last {
			resp.Close()
		}
		return nil, userError(err, req)
	}
	if resp == nil {
		return nil, usageError("Auth.Flow", "the auth flow returned no response and no error")
	}
	return resp, nil
}
