package httpx

// buildRedirectRequest builds the request that follows a redirect response,
// with HTTPX's rules for the method, URL, headers, body and cookies.
func (c *Client) buildRedirectRequest(req *Request, resp *Response) (*Request, error) {
	u, err := redirectURL(req, resp)
	if err != nil {
		return nil, err
	}
	method := redirectMethod(req.Method, resp.StatusCode)
	next := &Request{
		Method:     method,
		URL:        u,
		Headers:    req.Headers.Clone(),
		Extensions: req.Extensions,
		body:       req.body,
		timeout:    req.timeout,
		hasTimeout: req.hasTimeout,
		maxSize:    req.maxSize,
		hasMaxSize: req.hasMaxSize,
	}
	if !sameOrigin(req.URL, u) {
		// Credentials are for the origin that asked for them; an upgrade of
		// the same host to https keeps Authorization, as HTTPX does.
		if !isHTTPSUpgrade(req.URL, u) {
			next.Headers.Del("Authorization")
		}
		next.Headers.Del("Proxy-Authorization")
		next.Headers.Set("Host", u.Netloc())
	}
	if method != req.Method && method == "GET" {
		next.Headers.Del("Content-Length")
		next.Headers.Del("Transfer-Encoding")
		next.body = memoryBody(nil)
	}
	// Cookies are recomputed from the jar for every hop: a request's own
	// cookies do not follow, cookies set by the redirect response do.
	next.Headers.Del("Cookie")
	if h := c.cookieHeader(u, nil); h != "" {
		next.Headers.Add("Cookie", h)
	}
	return next, nil
}

// redirectMethod applies HTTPX's (browser) rules: 303 and 302 turn anything
// but HEAD into GET, 301 turns POST into GET, 307 and 308 keep the method.
func redirectMethod(method string, status int) string {
	switch {
	case status == 303 && method != "HEAD",
		status == 302 && method != "HEAD",
		status == 301 && method == "POST":
		return "GET"
	}
	return method
}

// redirectURL resolves the Location header against the request URL; a
// scheme without a host takes the request's host, and the request's
// fragment carries over when the new URL has none.
func redirectURL(req *Request, resp *Response) (*URL, error) {
	location := resp.Headers.Get("Location")
	u, err := ParseURL(location)
	if err != nil {
		return nil, newRequestError(ErrRemoteProtocol, req, err, "Invalid URL in location header: "+err.Error())
	}
	if u.Scheme() != "" && u.RawHost() == "" {
		if u, err = u.CopyWith(URLComponents{Host: req.URL.RawHost()}); err != nil {
			return nil, newRequestError(ErrRemoteProtocol, req, err, "Invalid URL in location header: "+err.Error())
		}
	}
	if u.IsRelative() {
		if u, err = req.URL.Join(location); err != nil {
			return nil, newRequestError(ErrRemoteProtocol, req, err, "Invalid URL in location header: "+err.Error())
		}
	}
	if f := req.URL.Fragment(); f != "" && u.Fragment() == "" {
		if u, err = u.CopyWith(URLComponents{Fragment: f}); err != nil {
			return nil, newRequestError(ErrRemoteProtocol, req, err, "Invalid URL in location header: "+err.Error())
		}
	}
	return u, nil
}

// sameOrigin compares scheme, host and effective port.
func sameOrigin(a, b *URL) bool {
	return a.Scheme() == b.Scheme() && a.RawHost() == b.RawHost() && a.EffectivePort() == b.EffectivePort()
}

// isHTTPSUpgrade reports a redirect from http to https on the same host with
// default ports, which keeps the Authorization header.
func isHTTPSUpgrade(from, to *URL) bool {
	return from.RawHost() == to.RawHost() &&
		from.Scheme() == "http" && from.EffectivePort() == 80 &&
		to.Scheme() == "https" && to.EffectivePort() == 443
}
