package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/gohttpx/httpx"
	"github.com/imroc/req/v3"
	"github.com/valyala/fasthttp"
)

// maxConns is every client's connection pool size, open and idle alike.
const maxConns = 100

// setup says what a scenario's clients talk to.
type setup struct {
	tls *tls.Config       // trust for the TLS server; nil for plain HTTP
	h2  bool              // HTTP/2 over TLS by ALPN
	mem http.RoundTripper // in-memory mode: no sockets, canned responses
	// hdrs are extra request header fields every small GET sends (the
	// header sweep), set per request in each library's own way.
	hdrs [][2]string
	// pool overrides maxConns (the memory scenarios open more connections).
	pool int
}

// conns is the pool size for s.
func (s setup) conns() int {
	if s.pool > 0 {
		return s.pool
	}
	return maxConns
}

// client is one library configured for one scenario. Every operation reads
// the response body to the end and closes it.
type client struct {
	name     string
	get      func(ctx context.Context, url string) (protoMajor int, err error)
	download func(ctx context.Context, url string) (int64, error)
	upload   func(ctx context.Context, url string, body io.Reader) error
	close    func()
}

// clientNames are the clients of the table, in order; net/http first, as
// the baseline.
var clientNames = []string{"net/http", "httpx", "resty v2", "req v3", "fasthttp"}

// extraClients run only when named in -clients: variants that explain a
// difference rather than compare libraries.
var extraClients = []string{"httpx-notimeout", "net/http-headers"}

// constructors build each client, by name, for a setup.
var constructors = map[string]func(setup) *client{
	"net/http": newNetHTTP,
	"httpx":    func(s setup) *client { return newHTTPX(s, "httpx") },
	"resty v2": newResty,
	"req v3":   newReq,
	"fasthttp": newFastHTTP,
	// httpx without its default 5 s per-phase timeouts, which cost
	// connection deadlines on every read and write.
	"httpx-notimeout": func(s setup) *client { return newHTTPX(s, "httpx-notimeout", httpx.WithTimeout(httpx.Timeout{})) },
	// net/http sending httpx's four default headers.
	"net/http-headers": func(s setup) *client {
		return newNetHTTPWith(s, "net/http-headers", withHeaders{stdTransport(s)})
	},
}

// newClients builds the clients named in names for s, in table order;
// fasthttp has no HTTP/2.
func newClients(s setup, names []string) []*client {
	var cs []*client
	for _, name := range append(clientNames[:len(clientNames):len(clientNames)], extraClients...) {
		if slices.Contains(names, name) && !(s.h2 && name == "fasthttp") {
			cs = append(cs, constructors[name](s))
		}
	}
	return cs
}

func errStatus(code int) error { return fmt.Errorf("status %d", code) }

func checkSmall(b []byte) error {
	if string(b) != smallBody {
		return fmt.Errorf("unexpected body %q", b)
	}
	return nil
}

// stdTransport is the http.Transport that net/http and resty use: the pool
// limits of the other clients, net/http defaults otherwise.
func stdTransport(s setup) http.RoundTripper {
	if s.mem != nil {
		return s.mem
	}
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     s.tls,
		ForceAttemptHTTP2:   s.h2,
		MaxIdleConns:        s.conns(),
		MaxIdleConnsPerHost: s.conns(),
		MaxConnsPerHost:     s.conns(),
		IdleConnTimeout:     90 * time.Second,
	}
}

func newNetHTTP(s setup) *client { return newNetHTTPWith(s, "net/http", stdTransport(s)) }

// defaultHeaders are the four fields httpx sends on every request, for a
// net/http client that sends the same (instructions per request compare
// like with like).
var defaultHeaders = [][2]string{{"Accept", "*/*"}, {"Accept-Encoding", "gzip, deflate, br, zstd"}, {"Connection", "keep-alive"}, {"User-Agent", "gohttpx/bench"}}

// withHeaders sets defaultHeaders on each request it sends.
type withHeaders struct{ rt http.RoundTripper }

func (w withHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, f := range defaultHeaders {
		r.Header.Set(f[0], f[1])
	}
	return w.rt.RoundTrip(r)
}

func newNetHTTPWith(s setup, name string, rt http.RoundTripper) *client {
	hc := &http.Client{Transport: rt}
	do := func(req *http.Request) (*http.Response, error) {
		resp, err := hc.Do(req)
		if err == nil && resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, errStatus(resp.StatusCode)
		}
		return resp, err
	}
	return &client{
		name: name,
		get: func(ctx context.Context, url string) (int, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
			if err != nil {
				return 0, err
			}
			for _, h := range s.hdrs {
				req.Header.Set(h[0], h[1])
			}
			resp, err := do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				return 0, err
			}
			return resp.ProtoMajor, checkSmall(b)
		},
		download: func(ctx context.Context, url string) (int64, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
			if err != nil {
				return 0, err
			}
			resp, err := do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			return io.Copy(io.Discard, resp.Body)
		},
		upload: func(ctx context.Context, url string, body io.Reader) error {
			req, err := http.NewRequestWithContext(ctx, "POST", url, body)
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, err = io.Copy(io.Discard, resp.Body)
			return err
		},
		close: hc.CloseIdleConnections,
	}
}

func newHTTPX(s setup, name string, opts ...httpx.ClientOption) *client {
	if s.mem != nil {
		opts = append(opts, httpx.WithTransport(httpx.FromRoundTripper(s.mem)))
	} else {
		opts = append(opts, httpx.WithLimits(httpx.Limits{MaxConnections: s.conns(), MaxKeepaliveConnections: s.conns(), KeepaliveExpiry: 90 * time.Second}))
		if s.tls != nil {
			opts = append(opts, httpx.WithTLSConfig(s.tls))
		}
		if s.h2 {
			opts = append(opts, httpx.WithHTTP2(true))
		}
	}
	c := httpx.NewClient(opts...)
	var getOpts []httpx.RequestOption
	for _, h := range s.hdrs {
		getOpts = append(getOpts, httpx.WithHeader(h[0], h[1]))
	}
	return &client{
		name: name,
		get: func(ctx context.Context, url string) (int, error) {
			r, err := c.Get(ctx, url, getOpts...)
			if err != nil {
				return 0, err
			}
			defer r.Close()
			if r.StatusCode != http.StatusOK {
				return 0, errStatus(r.StatusCode)
			}
			b, err := r.Content()
			if err != nil {
				return 0, err
			}
			proto := 1
			if r.HTTPVersion() == "HTTP/2" {
				proto = 2
			}
			return proto, checkSmall(b)
		},
		download: func(ctx context.Context, url string) (int64, error) {
			r, err := c.Stream(ctx, "GET", url)
			if err != nil {
				return 0, err
			}
			defer r.Close()
			if r.StatusCode != http.StatusOK {
				return 0, errStatus(r.StatusCode)
			}
			return io.Copy(io.Discard, r)
		},
		upload: func(ctx context.Context, url string, body io.Reader) error {
			r, err := c.Post(ctx, url, httpx.WithBody(body), httpx.WithHeader("Content-Type", "application/octet-stream"))
			if err != nil {
				return err
			}
			defer r.Close()
			if r.StatusCode != http.StatusOK {
				return errStatus(r.StatusCode)
			}
			return nil
		},
		close: func() { c.Close() },
	}
}

func newResty(s setup) *client {
	rt := stdTransport(s)
	c := resty.New().SetTransport(rt)
	return &client{
		name: "resty v2",
		get: func(ctx context.Context, url string) (int, error) {
			r := c.R().SetContext(ctx)
			for _, h := range s.hdrs {
				r.SetHeader(h[0], h[1])
			}
			resp, err := r.Get(url)
			if err != nil {
				return 0, err
			}
			if resp.StatusCode() != http.StatusOK {
				return 0, errStatus(resp.StatusCode())
			}
			return resp.RawResponse.ProtoMajor, checkSmall(resp.Body())
		},
		download: func(ctx context.Context, url string) (int64, error) {
			resp, err := c.R().SetContext(ctx).SetDoNotParseResponse(true).Get(url)
			if err != nil {
				return 0, err
			}
			body := resp.RawBody()
			defer body.Close()
			if resp.StatusCode() != http.StatusOK {
				return 0, errStatus(resp.StatusCode())
			}
			return io.Copy(io.Discard, body)
		},
		upload: func(ctx context.Context, url string, body io.Reader) error {
			resp, err := c.R().SetContext(ctx).SetHeader("Content-Type", "application/octet-stream").SetBody(body).Post(url)
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return errStatus(resp.StatusCode())
			}
			return nil
		},
		close: func() {
			if t, ok := rt.(interface{ CloseIdleConnections() }); ok {
				t.CloseIdleConnections()
			}
		},
	}
}

// newReq builds a req client. req sends through an *http.Client whose
// Transport is req's own (a fork of net/http's); in memory, that
// http.Client's Transport is replaced by the canned RoundTripper, so all of
// req's request and response processing still runs.
func newReq(s setup) *client {
	c := req.C()
	if s.mem != nil {
		c.GetClient().Transport = s.mem
	} else {
		t := c.GetTransport()
		t.SetMaxIdleConns(s.conns()).SetMaxConnsPerHost(s.conns())
		t.MaxIdleConnsPerHost = s.conns()
		t.IdleConnTimeout = 90 * time.Second
		if s.tls != nil {
			c.GetTLSClientConfig().RootCAs = s.tls.RootCAs
		}
		if s.h2 {
			c.EnableForceHTTP2()
		} else {
			c.EnableForceHTTP1()
		}
	}
	return &client{
		name: "req v3",
		get: func(ctx context.Context, url string) (int, error) {
			r := c.R().SetContext(ctx)
			for _, h := range s.hdrs {
				r.SetHeader(h[0], h[1])
			}
			resp, err := r.Get(url)
			if err != nil {
				return 0, err
			}
			if resp.StatusCode != http.StatusOK {
				return 0, errStatus(resp.StatusCode)
			}
			return resp.ProtoMajor, checkSmall(resp.Bytes())
		},
		download: func(ctx context.Context, url string) (int64, error) {
			resp, err := c.R().SetContext(ctx).DisableAutoReadResponse().Get(url)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return 0, errStatus(resp.StatusCode)
			}
			return io.Copy(io.Discard, resp.Body)
		},
		upload: func(ctx context.Context, url string, body io.Reader) error {
			resp, err := c.R().SetContext(ctx).SetHeader("Content-Type", "application/octet-stream").SetBody(body).Post(url)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return errStatus(resp.StatusCode)
			}
			return nil
		},
		close: c.CloseIdleConnections,
	}
}

// newFastHTTP builds a fasthttp client. fasthttp takes no context; its
// in-memory counterpart of a RoundTripper is its own Transport interface.
func newFastHTTP(s setup) *client {
	// MaxConnWaitTimeout: wait for a free connection, as the other clients do,
	// rather than fail with ErrNoFreeConns (more goroutines than connections).
	c := &fasthttp.Client{MaxConnsPerHost: s.conns(), MaxConnWaitTimeout: 30 * time.Second, MaxIdleConnDuration: 90 * time.Second}
	if s.mem != nil {
		c.Transport = memFastTransport{}
	}
	return &client{
		name: "fasthttp",
		get: func(_ context.Context, url string) (int, error) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(url)
			for _, h := range s.hdrs {
				req.Header.Set(h[0], h[1])
			}
			if err := c.Do(req, resp); err != nil {
				return 0, err
			}
			if resp.StatusCode() != http.StatusOK {
				return 0, errStatus(resp.StatusCode())
			}
			return 1, checkSmall(resp.Body())
		},
		download: func(_ context.Context, url string) (int64, error) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(url)
			resp.StreamBody = true
			if err := c.Do(req, resp); err != nil {
				return 0, err
			}
			defer resp.CloseBodyStream()
			if resp.StatusCode() != http.StatusOK {
				return 0, errStatus(resp.StatusCode())
			}
			return io.Copy(io.Discard, resp.BodyStream())
		},
		upload: func(_ context.Context, url string, body io.Reader) error {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(url)
			req.Header.SetMethod("POST")
			req.Header.SetContentType("application/octet-stream")
			req.SetBodyStream(body, -1) // chunked, as for the other clients
			if err := c.Do(req, resp); err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return errStatus(resp.StatusCode())
			}
			return nil
		},
		close: c.CloseIdleConnections,
	}
}

// memRT answers every request with the small response, without a socket:
// what a minimal real transport allocates (a header map, a body reader, the
// response), and nothing more.
type memRT struct{}

func (memRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		Status:     "200 OK",
		StatusCode: http.StatusOK,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":   {"text/plain; charset=utf-8"},
			"Content-Length": {"13"},
		},
		Body:          io.NopCloser(strings.NewReader(smallBody)),
		ContentLength: int64(len(smallBody)),
		Request:       r,
	}, nil
}

// memFastTransport is memRT for fasthttp.
type memFastTransport struct{}

func (memFastTransport) RoundTrip(_ *fasthttp.HostClient, _ *fasthttp.Request, resp *fasthttp.Response) (bool, error) {
	resp.SetStatusCode(http.StatusOK)
	resp.Header.SetContentType("text/plain; charset=utf-8")
	resp.SetBodyString(smallBody)
	return false, nil
}

// genReader produces n bytes of pattern without allocating: a streaming
// request body whose length no client can know in advance (so every client
// sends it chunked).
type genReader struct{ n int64 }

func (g *genReader) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.n, int64(len(pattern)))]
	copy(p, pattern)
	g.n -= int64(len(p))
	return len(p), nil
}
