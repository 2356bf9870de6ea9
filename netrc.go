package httpx

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"

	"github.com/gohttpx/httpx/auth"
)

// netrcCache holds a client's parsed .netrc, read once on first use.
type netrcCache struct {
	once sync.Once
	rc   *auth.NetRC
	err  error
}

// load finds and parses the .netrc named by NETRC, else ~/.netrc, else
// ~/_netrc. No file is not an error; a malformed one is.
func (n *netrcCache) load() (*auth.NetRC, error) {
	n.once.Do(func() {
		home, _ := os.UserHomeDir()
		path := auth.FindNetRC(os.Getenv, home)
		if path == "" {
			return
		}
		n.rc, n.err = auth.LoadNetRC(path)
		if n.err != nil {
			n.err = &UsageError{Op: "netrc", Msg: n.err.Error(), Err: n.err}
		}
	})
	return n.rc, n.err
}

// netrcAuth returns basic auth from the .netrc for req's host when the
// client trusts the environment and the request carries no Authorization
// header (HTTPX's trust_env behaviour), else nil.
func (c *Client) netrcAuth(req *Request) (Auth, error) {
	if !c.TrustEnv || req.Headers.Has("Authorization") {
		return nil, nil
	}
	rc, err := c.netrc.load()
	if err != nil || rc == nil {
		return nil, err
	}
	if login, password, ok := rc.Credentials(req.URL.RawHost()); ok {
		return BasicAuth(login, password), nil
	}
	return nil, nil
}

type netrcAuth struct {
	path  string
	cache netrcCache
}

// NetRCAuth authenticates with the credentials a .netrc file holds for the
// request's host, falling back to its "default" entry (httpx.NetRCAuth).
// path "" means $NETRC, then ~/.netrc, then ~/_netrc. The file is read once,
// on first use; a missing or malformed file fails the request with an
// ErrUsage error naming the file. A host without an entry (or without a
// password) is sent unauthenticated.
func NetRCAuth(path string) Auth { return &netrcAuth{path: path} }

// Flow sets Basic credentials from the file, then sends.
func (a *netrcAuth) Flow(ctx context.Context, req *Request, send func(*Request) (*Response, error)) (*Response, error) {
	a.cache.once.Do(func() {
		path := a.path
		if path == "" {
			home, _ := os.UserHomeDir()
			path = auth.FindNetRC(os.Getenv, home)
		}
		if path == "" {
			a.cache.err = &UsageError{Op: "NetRCAuth", Msg: "no .netrc file found ($NETRC, ~/.netrc, ~/_netrc)", Err: fs.ErrNotExist}
			return
		}
		a.cache.rc, a.cache.err = auth.LoadNetRC(path)
		if a.cache.err != nil {
			msg := a.cache.err.Error()
			if errors.Is(a.cache.err, fs.ErrNotExist) {
				msg = "no .netrc file at " + path
			}
			a.cache.err = &UsageError{Op: "NetRCAuth", Msg: msg, Err: a.cache.err}
		}
	})
	if a.cache.err != nil {
		return nil, a.cache.err
	}
	if login, password, ok := a.cache.rc.Credentials(req.URL.RawHost()); ok {
		req.Headers.Set("Authorization", basicAuthHeader(login, password))
	}
	return send(req)
}
