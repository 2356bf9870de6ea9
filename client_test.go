package httpx_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultHeaders(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/path")
	require.NoError(t, err)
	e := decodeEcho(t, r)
	assert.Equal(t, []string{"Host", "Accept", "Accept-Encoding", "Connection", "User-Agent"}, e.Order)
	assert.Equal(t, "*/*", r.Request.Headers.Get("Accept"))
	assert.Equal(t, "gzip, deflate, br, zstd", r.Request.Headers.Get("Accept-Encoding"))
	assert.Equal(t, "keep-alive", r.Request.Headers.Get("Connection"))
	assert.Equal(t, "gohttpx/"+httpx.Version, r.Request.Headers.Get("User-Agent"))
	assert.Equal(t, "example.org", r.Request.Headers.Get("Host"))
}

func TestClientHeadersReplaceDefaultsAndRequestHeadersReplaceClient(t *testing.T) {
	c := httpx.NewClient(
		httpx.WithTransport(echoTransport()),
		httpx.WithHeaders(map[string]string{"user-agent": "my-app/0.0.1", "X-Auth": "from-client"}),
	)
	defer c.Close()
	r, err := c.Get(ctx, "http://httpbin.org/headers", httpx.WithHeaders(map[string]string{"X-Custom": "from-request", "x-auth": "from-request"}))
	require.NoError(t, err)
	e := decodeEcho(t, r)
	assert.Equal(t, []string{"my-app/0.0.1"}, e.Headers["User-Agent"])
	assert.Equal(t, []string{"from-request"}, e.Headers["X-Auth"])
	assert.Equal(t, []string{"from-request"}, e.Headers["X-Custom"])
	// The user's User-Agent replaced the default in place; request headers come last.
	assert.Equal(t, []string{"Host", "Accept", "Accept-Encoding", "Connection", "user-agent", "X-Custom", "x-auth"}, e.Order)
}

func TestMergingDocExample(t *testing.T) {
	// "Merging of configuration" in the HTTPX docs.
	c := httpx.NewClient(
		httpx.WithTransport(echoTransport()),
		httpx.WithHeaders(map[string]string{"X-Auth": "from-client"}),
		httpx.WithParams(map[string]string{"client_id": "client1"}),
	)
	defer c.Close()
	r, err := c.Get(ctx, "https://example.com",
		httpx.WithHeaders(map[string]string{"X-Custom": "from-request"}),
		httpx.WithParams(map[string]string{"request_id": "request1"}))
	require.NoError(t, err)
	assert.Equal(t, "https://example.com?client_id=client1&request_id=request1", r.Request.URL.String())
	assert.Equal(t, "from-client", r.Request.Headers.Get("X-Auth"))
	assert.Equal(t, "from-request", r.Request.Headers.Get("X-Custom"))
}

func TestRequestAuthWinsOverClientAuth(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithAuth(httpx.BasicAuth("tom", "mot123")))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.com", httpx.WithAuth(httpx.BasicAuth("alice", "ecila123")))
	require.NoError(t, err)
	_, enc, _ := strings.Cut(r.Request.Headers.Get("Authorization"), " ")
	dec, err := base64.StdEncoding.DecodeString(enc)
	require.NoError(t, err)
	assert.Equal(t, "alice:ecila123", string(dec))

	r, err = c.Get(ctx, "https://example.com")
	require.NoError(t, err)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("tom:mot123")), r.Request.Headers.Get("Authorization"))
}

func TestParamsMerging(t *testing.T) {
	tests := []struct {
		name      string
		client    []httpx.ClientOption
		url       string
		request   []httpx.RequestOption
		wantQuery string
	}{
		{"url query kept", nil, "https://h/p?a=1", nil, "a=1"},
		{"client params appended to url query", []httpx.ClientOption{httpx.WithParam("b", "2")}, "https://h/p?a=1", nil, "a=1&b=2"},
		{"request replaces client key", []httpx.ClientOption{httpx.WithParam("k", "client")}, "https://h/p", []httpx.RequestOption{httpx.WithParam("k", "request")}, "k=request"},
		{"params replace url key", nil, "https://h/p?k=url&x=1", []httpx.RequestOption{httpx.WithParam("k", "param")}, "k=param&x=1"},
		{"repeated values", nil, "https://h/p", []httpx.RequestOption{httpx.WithParam("a", "1"), httpx.WithParam("a", "2")}, "a=1&a=2"},
		{"form encoding of values", nil, "https://h/p", []httpx.RequestOption{httpx.WithParam("q", "a b/c~")}, "q=a+b%2Fc~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(append(tt.client, httpx.WithTransport(echoTransport()))...)
			defer c.Close()
			req, err := c.BuildRequest("GET", tt.url, tt.request...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantQuery, req.URL.Query())
		})
	}
}

func TestBaseURLJoining(t *testing.T) {
	// Expected values checked against Python HTTPX's Client(base_url=...).build_request,
	// but for the fragment of a relative URL.
	tests := []struct{ base, url, want string }{
		{"https://h/api", "/users", "https://h/api/users"},
		{"https://h/api/", "users", "https://h/api/users"},
		{"https://h/api", "users?x=1", "https://h/api/users?x=1"},
		{"https://h", "/a", "https://h/a"},
		{"https://h/api", "https://other/x", "https://other/x"},
		{"https://h/api/v1", "../x", "https://h/api/x"},
		{"https://h/api", "//evil.com/x", "https://h/api/x"},
		{"https://h/api", "?q=1", "https://h/api/?q=1"},
		// A relative URL's fragment survives (HTTPX drops it: a deliberate difference).
		{"https://h/api", "#frag", "https://h/api/#frag"},
		{"https://h/api", "/users#frag", "https://h/api/users#frag"},
		{"https://h/api#bf", "/x#f", "https://h/api/x#f"},
		{"https://h/api#bf", "/x", "https://h/api/x#bf"},
		{"https://h/api?q=1", "x", "https://h/api?q=1/x"},
		{"https://h/api", "https://o/x#f", "https://o/x#f"},
		{"https://h/api", "", "https://h/api/"},
		{"http://httpbin.org", "/headers", "http://httpbin.org/headers"},
	}
	for _, tt := range tests {
		t.Run(tt.base+" + "+tt.url, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithBaseURL(tt.base), httpx.WithTransport(echoTransport()))
			defer c.Close()
			req, err := c.BuildRequest("GET", tt.url)
			require.NoError(t, err)
			assert.Equal(t, tt.want, req.URL.String())
		})
	}
}

func TestBaseURLHoldsTrailingSlash(t *testing.T) {
	// Expected values checked against Python HTTPX's Client(base_url=...).base_url.
	tests := []struct{ base, want string }{
		{"https://h/api", "https://h/api/"},
		{"https://h/api/", "https://h/api/"},
		{"https://h", "https://h"},
		{"https://h/api#bf", "https://h/api/#bf"},
		{"https://h/api?q=1", "https://h/api?q=1/"},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			c := httpx.NewClient(httpx.WithBaseURL(tt.base), httpx.WithTransport(echoTransport()))
			defer c.Close()
			require.NoError(t, c.Err())
			assert.Equal(t, tt.want, c.BaseURL.String())
		})
	}
}

func TestBaseURLFieldCanBeChanged(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	u, err := httpx.ParseURL("http://testserver/v2")
	require.NoError(t, err)
	c.BaseURL = u
	r, err := c.Get(ctx, "items")
	require.NoError(t, err)
	assert.Equal(t, "http://testserver/v2/items", r.Request.URL.String())
}

func TestRelativeURLWithoutBaseURL(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(httpx.FromRoundTripper(http.DefaultTransport)))
	defer c.Close()
	_, err := c.Get(ctx, "/relative")
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrUnsupportedProtocol)
	assert.Contains(t, err.Error(), "Request URL is missing an 'http://' or 'https://' protocol.")
}

func TestInvalidURLIsTyped(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	_, err := c.Get(ctx, "http://exa mple.com:abc/")
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrInvalidURL)
	var ie *httpx.InvalidURLError
	require.ErrorAs(t, err, &ie)
	assert.NotEmpty(t, ie.Reason)
}

func TestConstructionErrorsAreKeptAndReturned(t *testing.T) {
	tests := []struct {
		name string
		opt  httpx.ClientOption
		kind error
	}{
		{"bad base url", httpx.WithBaseURL("http://[::1"), httpx.ErrInvalidURL},
		{"bad mount key", httpx.WithMounts(map[string]httpx.Transport{"http": echoTransport()}), httpx.ErrUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(tt.opt)
			defer c.Close()
			require.ErrorIs(t, c.Err(), tt.kind)
			_, err := c.Get(ctx, "http://example.com/")
			require.ErrorIs(t, err, tt.kind)
		})
	}
}

func TestTimeoutMerging(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	req, err := c.BuildRequest("GET", "http://h/")
	require.NoError(t, err)
	assert.Equal(t, httpx.DefaultTimeout, req.Timeout())

	c2 := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithTimeout(httpx.Timeout{Connect: 60 * time.Second, Read: 10 * time.Second, Write: 10 * time.Second, Pool: 10 * time.Second}))
	defer c2.Close()
	req, err = c2.BuildRequest("GET", "http://h/", httpx.WithTimeout(httpx.NoTimeout))
	require.NoError(t, err)
	assert.Equal(t, httpx.NoTimeout, req.Timeout())
	req, err = c2.BuildRequest("GET", "http://h/")
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second, req.Timeout().Connect)
	req, err = c2.BuildRequest("GET", "http://h/", httpx.WithExtensions(map[string]any{"timeout": httpx.Timeouts(time.Second)}))
	require.NoError(t, err)
	assert.Equal(t, httpx.Timeouts(time.Second), req.Timeout())
}

func TestSendAppliesClientTimeoutToHandBuiltRequest(t *testing.T) {
	var seen httpx.Timeout
	c := httpx.NewClient(
		httpx.WithTimeout(httpx.Timeouts(3*time.Second)),
		httpx.WithTransport(httpx.TransportFunc(func(_ context.Context, req *httpx.Request) (*httpx.Response, error) {
			seen = req.Timeout()
			return httpx.NewResponse(204), nil
		})))
	defer c.Close()
	req, err := httpx.NewRequest("GET", "https://example.com")
	require.NoError(t, err)
	_, err = c.Send(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, httpx.Timeouts(3*time.Second), seen)
}

func TestBuildRequestThenModifyThenSend(t *testing.T) {
	// "Request instances" in the HTTPX docs.
	c := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithHeaders(map[string]string{"X-Api-Key": "...", "X-Client-ID": "ABC123"}))
	defer c.Close()
	req, err := c.BuildRequest("GET", "https://api.example.com")
	require.NoError(t, err)
	assert.Equal(t, "ABC123", req.Headers.Get("X-Client-ID"))
	req.Headers.Del("X-Api-Key")
	r, err := c.Send(ctx, req)
	require.NoError(t, err)
	e := decodeEcho(t, r)
	assert.NotContains(t, e.Headers, "X-Api-Key")
	assert.Equal(t, []string{"ABC123"}, e.Headers["X-Client-Id"])
}

func TestSendDoesNotMergeClientConfig(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithHeader("X-Client", "yes"), httpx.WithParam("p", "1"))
	defer c.Close()
	req, err := httpx.NewRequest("GET", "https://example.com/x")
	require.NoError(t, err)
	r, err := c.Send(ctx, req)
	require.NoError(t, err)
	e := decodeEcho(t, r)
	assert.NotContains(t, e.Headers, "X-Client")
	assert.Equal(t, "https://example.com/x", e.URL)
}

func TestStreamLeavesBodyUnread(t *testing.T) {
	c := httpx.NewClient(httpx.WithApp(routes()))
	defer c.Close()
	r, err := c.Stream(ctx, "GET", "http://testserver/")
	require.NoError(t, err)
	assert.False(t, r.IsClosed())
	var got []byte
	for chunk, err := range r.IterBytes(0) {
		require.NoError(t, err)
		got = append(got, chunk...)
	}
	assert.Equal(t, "Hello World!", string(got))
	assert.True(t, r.IsClosed())

	req, err := c.BuildRequest("GET", "http://testserver/")
	require.NoError(t, err)
	r, err = c.Send(ctx, req, httpx.WithStream(true))
	require.NoError(t, err)
	assert.False(t, r.IsClosed())
	require.NoError(t, r.Close())
}

func TestClosedClientRefusesToSend(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
	assert.True(t, c.IsClosed())
	_, err := c.Get(ctx, "https://example.com")
	require.ErrorIs(t, err, httpx.ErrUsage)
	assert.Contains(t, err.Error(), "client has been closed")
}

type closeCounter struct {
	httpx.MockTransport
	n *int
}

func (c *closeCounter) Close() error { *c.n++; return nil }

func TestCloseClosesDefaultAndMountedTransports(t *testing.T) {
	var n int
	shared := &closeCounter{echoTransport(), &n}
	c := httpx.NewClient(
		httpx.WithTransport(&closeCounter{echoTransport(), &n}),
		httpx.WithMounts(map[string]httpx.Transport{"all://a.com": shared, "all://b.com": shared, "all://c.com": echoTransport()}),
	)
	require.NoError(t, c.Close())
	assert.Equal(t, 2, n, "default closed once, the shared mount once")
}

func TestTopLevelFunctions(t *testing.T) {
	var mu sync.Mutex
	var methods []string
	transport := httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		mu.Lock()
		methods = append(methods, req.Method)
		mu.Unlock()
		return httpx.NewResponse(200, httpx.WithText("ok "+req.Method)), nil
	}))
	calls := []func() (*httpx.Response, error){
		func() (*httpx.Response, error) { return httpx.Get(ctx, "https://e.com", transport) },
		func() (*httpx.Response, error) { return httpx.Head(ctx, "https://e.com", transport) },
		func() (*httpx.Response, error) { return httpx.Options(ctx, "https://e.com", transport) },
		func() (*httpx.Response, error) { return httpx.Delete(ctx, "https://e.com", transport) },
		func() (*httpx.Response, error) {
			return httpx.Post(ctx, "https://e.com", transport, httpx.WithContent([]byte("x")))
		},
		func() (*httpx.Response, error) { return httpx.Put(ctx, "https://e.com", transport) },
		func() (*httpx.Response, error) { return httpx.Patch(ctx, "https://e.com", transport) },
		func() (*httpx.Response, error) { return httpx.Do(ctx, "PROPFIND", "https://e.com", transport) },
	}
	for _, call := range calls {
		r, err := call()
		require.NoError(t, err)
		assert.True(t, r.IsClosed())
	}
	assert.Equal(t, []string{"GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH", "PROPFIND"}, methods)

	r, err := httpx.Stream(ctx, "GET", "https://e.com", transport, httpx.WithCookies(map[string]string{"a": "b"}))
	require.NoError(t, err)
	text, err := r.Text()
	require.NoError(t, err)
	assert.Equal(t, "ok GET", text)
	assert.Equal(t, "a=b", r.Request.Headers.Get("Cookie"))
}

func TestConcurrentRequestsShareOneClient(t *testing.T) {
	c := httpx.NewClient(httpx.WithApp(routes()), httpx.WithBaseURL("http://testserver"), httpx.WithHeader("X-Shared", "1"))
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.Get(ctx, "/", httpx.WithParam("i", fmt.Sprint(i)))
			if err != nil {
				errs <- err
				return
			}
			if text, _ := r.Text(); text != "Hello World!" || r.Request.URL.Query() != fmt.Sprintf("i=%d", i) {
				errs <- errors.New("wrong response " + text + " " + r.Request.URL.String())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
