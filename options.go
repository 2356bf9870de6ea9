package httpx

import (
	"io"
	"log/slog"
	"net/http"
)

// Option is the common type of every option. The top-level functions (Get,
// Post, ...) take options of both kinds: client options configure the
// one-off client, request options the request.
type Option interface {
	option()
}

// ClientOption configures NewClient.
type ClientOption interface {
	Option
	applyClient(*clientConfig)
}

// RequestOption configures one request (the request methods, NewRequest,
// BuildRequest) and, where it makes sense, NewResponse.
type RequestOption interface {
	Option
	applyRequest(*requestConfig)
}

// SharedOption is accepted at both levels, as in HTTPX: headers, params and
// cookies combine the two levels; for the others the request-level value wins.
type SharedOption interface {
	ClientOption
	RequestOption
}

// SendOption configures Client.Send, which takes what HTTPX's send() does:
// auth, follow_redirects and stream.
type SendOption interface {
	Option
	applySend(*sendConfig)
}

// SharedSendOption is a SharedOption that Client.Send also accepts
// (WithAuth, WithFollowRedirects).
type SharedSendOption interface {
	SharedOption
	SendOption
}

type clientOption func(*clientConfig)

func (clientOption) option()                       {}
func (o clientOption) applyClient(c *clientConfig) { o(c) }

type requestOption func(*requestConfig)

func (requestOption) option()                         {}
func (o requestOption) applyRequest(c *requestConfig) { o(c) }

type sendOption func(*sendConfig)

func (sendOption) option()                   {}
func (o sendOption) applySend(c *sendConfig) { o(c) }

type sharedOption struct {
	client  func(*clientConfig)
	request func(*requestConfig)
	send    func(*sendConfig)
}

func (sharedOption) option()                         {}
func (o sharedOption) applyClient(c *clientConfig)   { o.client(c) }
func (o sharedOption) applyRequest(c *requestConfig) { o.request(c) }
func (o sharedOption) applySend(c *sendConfig) {
	if o.send != nil {
		o.send(c)
	}
}

// sendConfig is what Send takes besides the request.
type sendConfig struct {
	auth      Auth
	hasAuth   bool
	follow    bool
	hasFollow bool
	stream    bool
}

// requestConfig collects request options before a request (or a mock
// response) is built.
type requestConfig struct {
	headers    Headers
	params     QueryParams
	hasParams  bool
	cookies    map[string]string
	timeout    Timeout
	hasTimeout bool
	extensions map[string]any
	send       sendConfig
	body       bodySource
	progress   func(sent, total int64)
	maxSize    int64
	hasMaxSize bool
	retry      *RetryPolicy
}

// WithHeaders adds headers. At request level they replace client headers of
// the same name; map entries are applied in sorted name order.
func WithHeaders(h map[string]string) SharedOption {
	add := func(dst *Headers) {
		for _, k := range sortedKeys(h) {
			dst.Set(k, h[k])
		}
	}
	return sharedOption{
		client:  func(c *clientConfig) { add(&c.headers) },
		request: func(c *requestConfig) { add(&c.headers) },
	}
}

// WithHeader adds one header value; repeat it for several values of a name.
func WithHeader(key, value string) SharedOption {
	return sharedOption{
		client:  func(c *clientConfig) { c.headers.Add(key, value) },
		request: func(c *requestConfig) { c.headers.Add(key, value) },
	}
}

// WithParams adds query parameters (sorted by key). Client params come first,
// then request params, whose keys replace client keys; the URL's own query
// is kept and merged first.
func WithParams(p map[string]string) SharedOption {
	add := func(dst *QueryParams) {
		for _, k := range sortedKeys(p) {
			dst.Set(k, p[k])
		}
	}
	return sharedOption{
		client:  func(c *clientConfig) { add(&c.params) },
		request: func(c *requestConfig) { add(&c.params); c.hasParams = true },
	}
}

// WithParam adds one query parameter value; repeat it for several values.
func WithParam(key, value string) SharedOption {
	return sharedOption{
		client:  func(c *clientConfig) { c.params.Add(key, value) },
		request: func(c *requestConfig) { c.params.Add(key, value); c.hasParams = true },
	}
}

// WithCookies sets cookies. On a client they go into its jar for every host;
// on a request they are added to that request's Cookie header only (they do
// not survive a redirect, as in HTTPX).
func WithCookies(cookies map[string]string) SharedOption {
	return sharedOption{
		client: func(c *clientConfig) {
			for k, v := range cookies {
				c.cookies[k] = v
			}
		},
		request: func(c *requestConfig) {
			if c.cookies == nil {
				c.cookies = make(map[string]string, len(cookies))
			}
			for k, v := range cookies {
				c.cookies[k] = v
			}
		},
	}
}

// WithAuth sets the authentication scheme; nil at request level removes the
// client's (URL credentials still apply, as in HTTPX).
func WithAuth(a Auth) SharedSendOption {
	return sharedOption{
		client:  func(c *clientConfig) { c.auth = a },
		request: func(c *requestConfig) { c.send.auth, c.send.hasAuth = a, true },
		send:    func(c *sendConfig) { c.auth, c.hasAuth = a, true },
	}
}

// WithTimeout sets the per-phase timeouts; NoTimeout disables them.
func WithTimeout(t Timeout) SharedOption {
	return sharedOption{
		client:  func(c *clientConfig) { c.timeout = t },
		request: func(c *requestConfig) { c.timeout, c.hasTimeout = t, true },
	}
}

// WithMaxResponseSize caps the decoded size of response bodies at n bytes:
// reading past it fails with ErrResponseTooLarge (an ErrDecoding), which
// stops decompression bombs and runaway responses. 0 means no limit (the
// default).
func WithMaxResponseSize(n int64) SharedOption {
	return sharedOption{
		client:  func(c *clientConfig) { c.maxResponseSize = n },
		request: func(c *requestConfig) { c.maxSize, c.hasMaxSize = n, true },
	}
}

// WithFollowRedirects turns redirect following on or off (off by default).
func WithFollowRedirects(follow bool) SharedSendOption {
	return sharedOption{
		client:  func(c *clientConfig) { c.followRedirects = follow },
		request: func(c *requestConfig) { c.send.follow, c.send.hasFollow = follow, true },
		send:    func(c *sendConfig) { c.follow, c.hasFollow = follow, true },
	}
}

// WithStream makes Send return before reading the body (HTTPX's
// send(stream=True)); the caller reads and closes the response.
func WithStream(stream bool) SendOption {
	return sendOption(func(c *sendConfig) { c.stream = stream })
}

// WithContent sets the body to b, with a Content-Length.
func WithContent(b []byte) RequestOption {
	return requestOption(func(c *requestConfig) { c.body = bodySource{kind: bodyContent, content: b} })
}

// WithText sets a UTF-8 text body with Content-Type "text/plain; charset=utf-8"
// (HTTPX's Response(text=...)).
func WithText(s string) RequestOption {
	return requestOption(func(c *requestConfig) {
		c.body = bodySource{kind: bodyContent, content: []byte(s), contentType: "text/plain; charset=utf-8"}
	})
}

// WithHTML sets an HTML body with Content-Type "text/html; charset=utf-8"
// (HTTPX's Response(html=...)).
func WithHTML(s string) RequestOption {
	return requestOption(func(c *requestConfig) {
		c.body = bodySource{kind: bodyContent, content: []byte(s), contentType: "text/html; charset=utf-8"}
	})
}

// WithBody streams the body from r without buffering it. The length is sent
// as Content-Length when it can be known (*bytes.Reader, *bytes.Buffer,
// *strings.Reader, regular *os.File), else the body is sent chunked. A
// seekable reader can be replayed on a 307/308 redirect or an auth retry;
// any other reader can be sent once (ErrStreamConsumed after that). The
// caller keeps ownership of r: it is never closed by the client.
func WithBody(r io.Reader) RequestOption {
	return requestOption(func(c *requestConfig) { c.body = bodySource{kind: bodyReader, reader: r} })
}

// WithJSON sets a JSON body (compact, HTML characters not escaped, as
// Python's json.dumps) with Content-Type application/json.
func WithJSON(v any) RequestOption {
	return requestOption(func(c *requestConfig) { c.body = bodySource{kind: bodyJSON, json: v} })
}

// WithForm sets an application/x-www-form-urlencoded body (keys sorted).
// Combined with WithFiles, the fields become multipart form fields.
func WithForm(data map[string]string) RequestOption {
	return requestOption(func(c *requestConfig) {
		var p QueryParams
		for _, k := range sortedKeys(data) {
			p.Add(k, data[k])
		}
		c.body.setForm(p)
	})
}

// WithFormParams is WithForm with repeated or ordered fields.
func WithFormParams(data QueryParams) RequestOption {
	return requestOption(func(c *requestConfig) { c.body.setForm(data.Clone()) })
}

// WithFiles sends a multipart/form-data body with these files (after any
// WithForm fields). Each file's content is streamed, never buffered whole.
func WithFiles(files ...File) RequestOption {
	return requestOption(func(c *requestConfig) { c.body.setFiles(files) })
}

// WithUploadProgress calls fn as the request body is sent, with the bytes
// sent so far and the total (-1 when unknown); a replayed body (a 307
// redirect, an auth retry) starts again from zero. fn runs on the goroutine
// that writes the body and must be quick.
func WithUploadProgress(fn func(sent, total int64)) RequestOption {
	return requestOption(func(c *requestConfig) { c.progress = fn })
}

// WithExtensions sets request extensions (HTTPX's extensions=), such as
// "timeout" (a Timeout), "sni_hostname" or "target" (see Request.Extensions).
func WithExtensions(ext map[string]any) RequestOption {
	return requestOption(func(c *requestConfig) {
		if c.extensions == nil {
			c.extensions = make(map[string]any, len(ext))
		}
		for k, v := range ext {
			c.extensions[k] = v
		}
	})
}

// clientConfig collects client options.
type clientConfig struct {
	headers         Headers
	params          QueryParams
	cookies         map[string]string
	auth            Auth
	timeout         Timeout
	followRedirects bool
	maxRedirects    int
	eventHooks      EventHooks
	baseURL         string
	transport       Transport
	mounts          map[string]Transport
	app             http.Handler
	trustEnv        bool
	defaultEncoding string
	encodingFunc    func([]byte) string
	settings        transportSettings
	proxies         map[string]Proxy
	maxResponseSize int64
	retry           *RetryPolicy
	redaction       redaction
	middleware      Middleware
	logger          *slog.Logger
	debug           *debugSink
	errs            []error // invalid option values, kept for Client.Err
}

// WithBaseURL prefixes relative request URLs with u (HTTPX's base_url): a
// trailing "/" is added to u's path, then the request path is appended.
func WithBaseURL(u string) ClientOption {
	return clientOption(func(c *clientConfig) { c.baseURL = u })
}

// WithTransport replaces the default HTTPTransport. It also disables
// environment proxies, as in HTTPX. A nil t is an ErrUsage error (where
// HTTPX's transport=None means the default): a mock left nil by mistake
// must not send real traffic.
func WithTransport(t Transport) ClientOption {
	return clientOption(func(c *clientConfig) {
		if isNil(t) {
			c.errs = append(c.errs, usageError("WithTransport", "the transport is nil"))
			return
		}
		c.transport = t
	})
}

// WithMounts routes requests by URL pattern ("all://", "https://",
// "all://*example.com", "http://host:8080" ...) to transports; the most
// specific pattern wins and a nil value means the default transport.
func WithMounts(m map[string]Transport) ClientOption {
	return clientOption(func(c *clientConfig) {
		if c.mounts == nil {
			c.mounts = make(map[string]Transport, len(m))
		}
		for k, v := range m {
			c.mounts[k] = v
		}
	})
}

// WithApp sends every request to h in process (HTTPX's Client(app=...)),
// through a HandlerTransport. A nil h is an ErrUsage error, for the reason
// WithTransport gives.
func WithApp(h http.Handler) ClientOption {
	return clientOption(func(c *clientConfig) {
		if isNil(h) {
			c.errs = append(c.errs, usageError("WithApp", "the handler is nil"))
			return
		}
		c.app = h
	})
}

// WithMaxRedirects caps the redirects followed (default 20); one more gives
// ErrTooManyRedirects.
func WithMaxRedirects(n int) ClientOption {
	return clientOption(func(c *clientConfig) { c.maxRedirects = n })
}

// WithEventHooks installs request and response hooks.
func WithEventHooks(h EventHooks) ClientOption {
	return clientOption(func(c *clientConfig) {
		c.eventHooks.Request = append(c.eventHooks.Request, h.Request...)
		c.eventHooks.Response = append(c.eventHooks.Response, h.Response...)
	})
}

// WithTrustEnv turns reading the environment (proxies, SSL_CERT_FILE,
// SSL_CERT_DIR, SSLKEYLOGFILE, .netrc) on or off; on by default.
func WithTrustEnv(trust bool) ClientOption {
	return clientOption(func(c *clientConfig) { c.trustEnv = trust })
}

// WithDefaultEncoding sets the text encoding used when a response names no
// known charset (default "utf-8").
func WithDefaultEncoding(enc string) ClientOption {
	return clientOption(func(c *clientConfig) { c.defaultEncoding, c.encodingFunc = enc, nil })
}

// WithDefaultEncodingFunc sets a function that picks the encoding from the
// body when the response names no known charset (for example a charset
// detector); it must return a known encoding name, or "" for utf-8.
func WithDefaultEncodingFunc(detect func(body []byte) string) ClientOption {
	return clientOption(func(c *clientConfig) { c.encodingFunc = detect })
}

// WithRedactHeaders masks the values of these headers (compared without
// regard to case), in addition to DefaultRedactedHeaders, in every output the
// client produces: Request.Curl, logs, debug dumps. API keys often travel in
// headers of their own (X-Api-Key), which no default list can know.
func WithRedactHeaders(names ...string) ClientOption {
	return clientOption(func(c *clientConfig) { c.redaction.extra = append(c.redaction.extra, names...) })
}

// WithShowSecrets(true) turns masking off in every output the client
// produces (Request.Curl, logs, debug dumps): header values, URL and proxy
// passwords appear as they are. It is the explicit opt-in for debugging
// against a test server; per call, Request.CurlWithSecrets does the same for
// one command. Error messages stay masked, as they travel further than the
// debugging session that asked.
func WithShowSecrets(show bool) ClientOption {
	return clientOption(func(c *clientConfig) { c.redaction.show = show })
}
