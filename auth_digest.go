package httpx

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gohttpx/httpx/auth"
)

// digestAuth is HTTP Digest authentication (httpx.DigestAuth).
type digestAuth struct {
	username, password string
	cache              auth.Cache // used when the flow runs outside a client
}

// DigestAuth authenticates with HTTP Digest (RFC 7616): MD5, SHA, SHA-256,
// SHA-512 (and their -SESS forms), qop auth and auth-int, RFC 2069 servers
// without qop. The first request to an origin goes without credentials;
// the 401 challenge is answered and remembered by the client, so later
// requests to that origin authenticate up front with an incremented nonce
// count. A stale=true challenge is retried once with the new nonce. A
// malformed challenge is an ErrRemoteProtocol error.
func DigestAuth(username, password string) Auth {
	return &digestAuth{username: username, password: password}
}

// Flow runs the exchange with the auth's own challenge cache.
func (a *digestAuth) Flow(ctx context.Context, req *Request, send func(*Request) (*Response, error)) (*Response, error) {
	return a.flow(req, send, &a.cache)
}

// flow answers up to two challenges: the first 401, and a second one only
// when the server says the nonce was stale.
func (a *digestAuth) flow(req *Request, send func(*Request) (*Response, error), cache *auth.Cache) (*Response, error) {
	// Challenges are remembered per origin and per credentials: another
	// user, or a wrong password, must not reuse a digest built for others.
	key := req.URL.Scheme() + "://" + req.URL.RawHost() + ":" + strconv.Itoa(req.URL.EffectivePort()) +
		"\x00" + a.username + "\x00" + a.password
	if d := cache.Get(key); d != nil {
		if err := a.authorize(req, d); err != nil {
			return nil, err
		}
	}
	resp, err := send(req)
	for attempt := 0; err == nil && attempt < 2 && resp.StatusCode == 401; attempt++ {
		value, ok := auth.FindChallenge(resp.Headers.Values("WWW-Authenticate"))
		if !ok {
			break
		}
		ch, perr := auth.ParseChallenge(value)
		if perr != nil {
			return nil, newRequestError(ErrRemoteProtocol, req, perr, perr.Error())
		}
		if attempt == 1 && !ch.Stale {
			break // the credentials were refused: give the caller the 401
		}
		d, derr := auth.NewDigest(a.username, a.password, ch)
		if derr != nil {
			return nil, newRequestError(ErrRemoteProtocol, req, derr, "cannot answer the digest challenge: "+derr.Error())
		}
		cache.Put(key, d)
		if err := a.authorize(req, d); err != nil {
			return nil, err
		}
		addResponseCookies(req, resp)
		resp, err = send(req)
	}
	return resp, err
}

// authorize sets the Authorization header, reading the body for auth-int.
func (a *digestAuth) authorize(req *Request, d *auth.Digest) error {
	var body []byte
	if d.QOP() == "auth-int" {
		b, err := req.Content()
		if err != nil {
			return err
		}
		body = b
	}
	h, err := d.Authorization(req.Method, req.URL.RawPath(), body)
	if err != nil {
		return newRequestError(ErrLocalProtocol, req, err, err.Error())
	}
	req.Headers.Set("Authorization", h)
	return nil
}

// addResponseCookies adds the cookies a challenge response set to the
// request's Cookie header, as HTTPX does before retrying.
func addResponseCookies(req *Request, resp *Response) {
	if !resp.Headers.Has("Set-Cookie") {
		return
	}
	extra := map[string]string{}
	for _, line := range resp.Headers.Values("Set-Cookie") {
		if k, err := http.ParseSetCookie(line); err == nil {
			extra[k.Name] = k.Value
		}
	}
	if len(extra) == 0 {
		return
	}
	var existing []*http.Cookie
	if h := req.Headers.Get("Cookie"); h != "" {
		existing, _ = http.ParseCookie(h)
	}
	req.Headers.Set("Cookie", cookieHeader(mergeCookies(existing, extra)))
}
