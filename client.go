package httpx

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gohttpx/httpx/auth"
	"github.com/gohttpx/httpx/internal/decode"
)

// Version is this library's version, sent in the default User-Agent.
const Version = "0.1.0"

// Client is an HTTP client with merged configuration in front of pluggable
// transports (httpx.Client). Create it with NewClient; close it with Close to
// release pooled connections.
//
// The exported fields hold the client-level configuration. They may be read
// and changed between requests (c.EventHooks.Response = ..., c.Headers.Set
// ...) but not while other goroutines send through the client. Once
// configured, a Client is safe for concurrent use.
type Client struct {
	// Headers are sent with every request; request headers of the same name
	// replace them. They start as HTTPX's defaults: Accept, Accept-Encoding
	// (exactly the encodings the client decodes), Connection and User-Agent.
	Headers Headers
	// Params are merged into every request's query, before request params.
	Params QueryParams
	// Cookies is the client's jar: it receives every response's cookies and
	// supplies the Cookie header of later requests.
	Cookies *Cookies
	// Auth authenticates every request unless the request sets its own.
	Auth Auth
	// Timeout is the default per-phase timeout (DefaultTimeout: 5 s each).
	Timeout Timeout
	// EventHooks are called for every request sent and response received.
	EventHooks EventHooks
	// BaseURL, when set, prefixes relative request URLs. NewClient stores it
	// with a trailing slash, as HTTPX does ("https://h/api" is kept as
	// "https://h/api/"); a value assigned later gets the slash when merged.
	BaseURL *URL
	// FollowRedirects makes the client follow redirects (off by default).
	FollowRedirects bool
	// MaxRedirects caps the redirects followed (default 20).
	MaxRedirects int
	// TrustEnv tells whether the environment was read at construction
	// (proxies, certificates, .netrc); changing it later has no effect on
	// the transports already built.
	TrustEnv bool

	transport       Transport
	mounts          *Mounts
	defaultEncoding string
	encodingFunc    func([]byte) string
	err             error
	closed          atomic.Bool
	closeOnce       sync.Once
	netrc           netrcCache
	digest          auth.Cache
	maxResponseSize int64
	retry           *RetryPolicy // WithRetry; a request's own replaces it
	redaction       redaction    // what output masks; read by the requests it stamps
	middleware      Middleware   // WithMiddleware
	logger          *slog.Logger // WithLogger; nil logs nothing
	debug           *debugSink   // WithDebug; nil dumps nothing
}

// defaultHeaders are HTTPX's four client defaults, in its order.
func defaultHeaders() Headers {
	return NewHeaders(
		"Accept", "*/*",
		"Accept-Encoding", decode.Supported,
		"Connection", "keep-alive",
		"User-Agent", "gohttpx/"+Version,
	)
}

// NewClient builds a client from options. It never fails: an invalid option
// (a malformed base URL, mount pattern or proxy URL, an unreadable CA file)
// is kept and returned by Err and by every request, so that the mistake is
// reported where the client is used.
func NewClient(opts ...ClientOption) *Client {
	cfg := clientConfig{
		cookies:      map[string]string{},
		timeout:      DefaultTimeout,
		maxRedirects: 20,
		trustEnv:     true,
	}
	optErr := applyClientOptions("NewClient", &cfg, opts)
	c := &Client{
		Headers:         defaultHeaders(),
		Params:          cfg.params,
		Cookies:         CookiesFromMap(cfg.cookies),
		Auth:            cfg.auth,
		Timeout:         cfg.timeout,
		EventHooks:      cfg.eventHooks,
		FollowRedirects: cfg.followRedirects,
		MaxRedirects:    cfg.maxRedirects,
		TrustEnv:        cfg.trustEnv,
		defaultEncoding: cfg.defaultEncoding,
		encodingFunc:    cfg.encodingFunc,
		maxResponseSize: cfg.maxResponseSize,
		retry:           cfg.retry,
		redaction:       cfg.redaction,
		middleware:      cfg.middleware,
		logger:          cfg.logger,
		debug:           cfg.debug,
	}
	c.Headers.Update(cfg.headers)
	var errs []error
	if err := checkCookies(cfg.cookies); err != nil {
		errs = append(errs, err)
	}
	for i := range c.Headers.fields {
		c.Headers.fields[i].canonical() // computed once, copied into every request
	}
	if err := cfg.timeout.validate(); err != nil {
		errs = append(errs, err)
	}
	if cfg.baseURL != "" {
		u, err := ParseURL(cfg.baseURL)
		if err == nil {
			u, err = enforceTrailingSlash(u)
		}
		if err != nil {
			errs = append(errs, err)
		}
		c.BaseURL = u
	}
	transport, mounts, err := buildTransports(&cfg)
	if err != nil {
		errs = append(errs, err)
	}
	c.transport, c.mounts = transport, mounts
	c.err = errors.Join(append([]error{optErr}, errs...)...)
	return c
}

// Err returns the configuration error NewClient kept, or nil.
// A nil *Client reports an ErrUsage error, as all its methods do.
func (c *Client) Err() error {
	if c == nil {
		return errNilClient("Err")
	}
	return c.err
}

// Close closes the transports the client holds (the default one and every
// mounted one that is an io.Closer), releasing pooled connections. Requests
// after Close fail with ErrUsage. Close is idempotent.
func (c *Client) Close() error {
	if c == nil {
		return errNilClient("Close")
	}
	var err error
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		err = closeTransports(c.transport, c.mounts)
	})
	return err
}

// IsClosed reports whether Close was called; a nil *Client counts as closed.
func (c *Client) IsClosed() bool { return c == nil || c.closed.Load() }

// Get sends a GET request; see Request.
func (c *Client) Get(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return c.Request(ctx, "GET", url, opts...)
}

// Head sends a HEAD request; see Request.
func (c *Client) Head(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return c.Request(ctx, "HEAD", url, opts...)
}

// Options sends an OPTIONS request; see Request.
func (c *Client) Options(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return c.Request(ctx, "OPTIONS", url, opts...)
}

// Delete sends a DELETE request; see Request.
func (c *Client) Delete(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return c.Request(ctx, "DELETE", url, opts...)
}

// Post sends a POST request; see Request.
func (c *Client) Post(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return c.Request(ctx, "POST", url, opts...)
}

// Put sends a PUT request; see Request.
func (c *Client) Put(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return c.Request(ctx, "PUT", url, opts...)
}

// Patch sends a PATCH request; see Request.
func (c *Client) Patch(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return c.Request(ctx, "PATCH", url, opts...)
}

// Request builds a request from the client's configuration merged with opts,
// sends it, and reads the whole body before returning, so the response is
// already closed. On error the response is nil.
func (c *Client) Request(ctx context.Context, method, url string, opts ...RequestOption) (*Response, error) {
	return c.request(ctx, method, url, false, opts)
}

// Stream is Request without reading the body: the caller reads the response
// (Read, IterBytes, IterLines ...) and must Close it.
func (c *Client) Stream(ctx context.Context, method, url string, opts ...RequestOption) (*Response, error) {
	return c.request(ctx, method, url, true, opts)
}

func (c *Client) request(ctx context.Context, method, url string, stream bool, opts []RequestOption) (*Response, error) {
	cfg := requestConfig{}
	if err := applyRequestOptions("Request", &cfg, opts); err != nil {
		return nil, err
	}
	req, err := c.buildRequest(method, url, &cfg)
	if err != nil {
		return nil, err
	}
	cfg.send.stream = stream
	return c.send(ctx, req, &cfg.send)
}

// BuildRequest merges the client's configuration with opts into a Request
// without sending it, so it can be modified first (then use Send).
func (c *Client) BuildRequest(method, url string, opts ...RequestOption) (*Request, error) {
	cfg := requestConfig{}
	if err := applyRequestOptions("BuildRequest", &cfg, opts); err != nil {
		return nil, err
	}
	req, err := c.buildRequest(method, url, &cfg)
	if err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	return req, nil
}

// buildRequest applies HTTPX's merging rules: the URL joined to the base URL,
// client headers then request headers (replacing by name), the URL's query
// then client params then request params, client cookies plus request
// cookies, the request timeout over the client's.
func (c *Client) buildRequest(method, rawURL string, cfg *requestConfig) (*Request, error) {
	if c == nil {
		return nil, errNilClient("BuildRequest")
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.transport == nil {
		return nil, usageError("BuildRequest", "the client was not created with NewClient")
	}
	u, err := c.mergeURL(rawURL)
	if err != nil {
		return nil, err
	}
	if c.Params.Len() > 0 || cfg.params.Len() > 0 {
		params := c.Params.Clone()
		params.Merge(cfg.params)
		u = u.CopyMergeParams(params)
	}
	req := &Request{Method: strings.ToUpper(method), URL: u, Headers: c.Headers.cloneCap(cfg.headers.Len() + 4)}
	req.Headers.Update(cfg.headers)
	if !req.Headers.Has("Cookie") {
		if h := c.cookieHeader(u, cfg.cookies); h != "" {
			req.Headers.Add("Cookie", h)
		}
	}
	req.client = c
	req.timeout, req.hasTimeout = c.Timeout, true
	req.maxSize, req.hasMaxSize = c.maxResponseSize, true
	if err := req.finish(cfg); err != nil {
		return nil, err
	}
	return req, nil
}

// mergeURL parses rawURL and, when it is relative and the client has a base
// URL, appends its raw path to the base's path (with a trailing slash
// enforced), exactly as HTTPX does.
func (c *Client) mergeURL(rawURL string) (*URL, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if c.BaseURL == nil || u.IsAbsolute() {
		return u, nil
	}
	// The field may have been reassigned since NewClient, so the slash is
	// enforced again. The relative URL's fragment is kept (HTTPX drops it,
	// appending only the raw path), else the base's.
	base, err := enforceTrailingSlash(c.BaseURL)
	if err != nil {
		return nil, err
	}
	return base.CopyWith(URLComponents{RawPath: base.RawPath() + strings.TrimLeft(u.RawPath(), "/"), Fragment: u.Fragment()})
}

// enforceTrailingSlash appends "/" to u's raw path (path and query) unless it
// ends with one, as HTTPX stores a base URL: "https://h/api" becomes
// "https://h/api/", so that joining appends to the last segment instead of
// replacing it.
func enforceTrailingSlash(u *URL) (*URL, error) {
	if strings.HasSuffix(u.RawPath(), "/") {
		return u, nil
	}
	return u.CopyWith(URLComponents{RawPath: u.RawPath() + "/"})
}

// cookieHeader builds the Cookie header for u from the client's jar plus
// request cookies, which win by name.
func (c *Client) cookieHeader(u *URL, extra map[string]string) string {
	if c.Cookies.empty() && len(extra) == 0 {
		return ""
	}
	cookies := c.Cookies.forURL(u)
	if len(extra) > 0 {
		cookies = mergeCookies(cookies, extra)
	}
	return cookieHeader(cookies)
}

// transportFor returns the transport mounted for u, or the default one.
func (c *Client) transportFor(u *URL) Transport {
	if c.mounts != nil {
		if t, ok := c.mounts.lookup(u); ok {
			if t == nil {
				return c.transport
			}
			return t
		}
	}
	return c.transport
}

// closeTransports closes every distinct transport that is an io.Closer.
func closeTransports(def Transport, m *Mounts) error {
	var (
		errs   []error
		closed []io.Closer
	)
	closeOne := func(t Transport) {
		cl, ok := t.(io.Closer)
		if !ok {
			return
		}
		// A transport mounted twice is closed once; only comparable values
		// can be told apart (comparing a func-typed transport would panic).
		if reflect.TypeOf(cl).Comparable() && slices.Contains(closed, cl) {
			return
		}
		closed = append(closed, cl)
		if err := cl.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	closeOne(def)
	if m != nil {
		for _, t := range m.transports() {
			closeOne(t)
		}
	}
	return errors.Join(errs...)
}
