package httpx_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helloWorld is the docs' HelloWorldTransport: a custom transport that always
// answers {"text": "Hello, world!"}.
type helloWorld struct{}

func (helloWorld) HandleRequest(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
	return httpx.NewResponse(200, httpx.WithJSON(map[string]string{"text": "Hello, world!"})), nil
}

func TestCustomTransport(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(helloWorld{}))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	var v map[string]string
	require.NoError(t, r.JSON(&v))
	assert.Equal(t, map[string]string{"text": "Hello, world!"}, v)
	assert.Equal(t, "application/json", r.Headers.Get("Content-Type"))
}

func TestMockTransportReadsRequestBodyFirst(t *testing.T) {
	pr, pw := io.Pipe()
	go func() { pw.Write([]byte("streamed")); pw.Close() }()
	var got string
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		b, err := req.Content()
		got = string(b)
		return httpx.NewResponse(200), err
	})))
	defer c.Close()
	_, err := c.Post(ctx, "https://example.org/", httpx.WithBody(pr))
	require.NoError(t, err)
	assert.Equal(t, "streamed", got)
}

func TestMockHandlerErrorsJoinTheTree(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
		return nil, io.ErrUnexpectedEOF
	})))
	defer c.Close()
	_, err := c.Get(ctx, "https://example.org/")
	require.ErrorIs(t, err, httpx.ErrTransport)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	var re *httpx.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "https://example.org/", re.Request.URL.String())
}

func TestTransportFunc(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(httpx.TransportFunc(func(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(418, httpx.WithText(req.Method)), nil
	})))
	defer c.Close()
	r, err := c.Delete(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, 418, r.StatusCode)
	assert.Equal(t, "I'm a teapot", r.ReasonPhrase())
	text, _ := r.Text()
	assert.Equal(t, "DELETE", text)
}

// debugging wraps another transport, as the docs' DebuggingTransport does.
type debugging struct {
	inner httpx.Transport
	log   *[]string
}

func (d debugging) HandleRequest(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
	*d.log = append(*d.log, ">>> "+req.String())
	resp, err := d.inner.HandleRequest(ctx, req)
	if err == nil {
		*d.log = append(*d.log, "<<< "+resp.String())
	}
	return resp, err
}

func TestWrappingTransport(t *testing.T) {
	var log []string
	c := httpx.NewClient(httpx.WithTransport(debugging{inner: helloWorld{}, log: &log}))
	defer c.Close()
	_, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{`>>> <Request('GET', 'https://example.org/')>`, "<<< <Response [200 OK]>"}, log)
}

func TestFromRoundTripperAgainstLoopbackServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen-Path", r.URL.RawPath+"|"+r.URL.Path)
		w.Header().Set("X-Seen-Host", r.Host)
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := httpx.NewClient(httpx.WithTransport(httpx.FromRoundTripper(tr)))
	defer c.Close()
	r, err := c.Post(ctx, srv.URL+"/a%2Fb/c d", httpx.WithContent([]byte("echo")))
	require.NoError(t, err)
	text, _ := r.Text()
	assert.Equal(t, "echo", text)
	assert.Equal(t, "/a%2Fb/c%20d|/a/b/c d", r.Headers.Get("X-Seen-Path"), "the encoded path reaches the server untouched")
	assert.Equal(t, strings.TrimPrefix(srv.URL, "http://"), r.Headers.Get("X-Seen-Host"))
	assert.Equal(t, "HTTP/1.1", r.HTTPVersion())
}

// failingBody yields some bytes, then fails with err: a body source whose
// failure comes from no network error type the classifier knows.
type failingBody struct {
	data string
	err  error
}

func (b *failingBody) Read(p []byte) (int, error) {
	if b.data == "" {
		return 0, b.err
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

func (b *failingBody) Close() error { return nil }

type bodyRoundTripper struct{ err error }

func (rt bodyRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{},
		Body: &failingBody{data: "partial", err: rt.err}, ContentLength: -1, Request: req}, nil
}

// TestForeignErrorMidBodyIsReadError: a body that fails part-way with an
// error of its own (a RoundTripper's, not a net one) is ErrRead, the
// failure of receiving data, with the cause kept.
func TestForeignErrorMidBodyIsReadError(t *testing.T) {
	cause := errors.New("upstream reset the stream")
	c := httpx.NewClient(httpx.WithTransport(httpx.FromRoundTripper(bodyRoundTripper{err: cause})))
	defer c.Close()
	for _, tc := range []struct {
		name string
		read func() error
	}{
		{"Get", func() error { _, err := c.Get(ctx, "http://example.test/"); return err }},
		{"Stream", func() error {
			r, err := c.Stream(ctx, "GET", "http://example.test/")
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.ReadAll(r)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read()
			require.ErrorIs(t, err, httpx.ErrRead)
			assert.ErrorIs(t, err, cause)
			var re *httpx.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, httpx.ErrRead, re.Kind())
		})
	}
}

func TestUnsupportedSchemes(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(httpx.FromRoundTripper(http.DefaultTransport)))
	defer c.Close()
	_, err := c.Get(ctx, "ftp://example.org/file")
	require.ErrorIs(t, err, httpx.ErrUnsupportedProtocol)
	assert.Contains(t, err.Error(), "Request URL has an unsupported protocol 'ftp://'.")
}

// TestFromRoundTripperNetHTTPTransport: net/http's own Transport, the
// escape hatch from the engine, works behind the client over HTTP/1.1 and
// HTTP/2 (TLS, ALPN), and its failures keep HTTPX's error kinds.
func TestFromRoundTripperNetHTTPTransport(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/drop" {
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		io.WriteString(w, r.Proto)
	})
	plain := httptest.NewServer(h)
	defer plain.Close()
	secure := httptest.NewUnstartedServer(h)
	secure.EnableHTTP2 = true
	secure.StartTLS()
	defer secure.Close()

	tr := &http.Transport{TLSClientConfig: secure.Client().Transport.(*http.Transport).TLSClientConfig, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	c := httpx.NewClient(httpx.WithTransport(httpx.FromRoundTripper(tr)))
	defer c.Close()

	for _, tc := range []struct{ url, proto, version string }{
		{plain.URL, "HTTP/1.1", "HTTP/1.1"},
		{secure.URL, "HTTP/2.0", "HTTP/2"},
	} {
		r, err := c.Get(ctx, tc.url+"/")
		require.NoError(t, err)
		text, err := r.Text()
		require.NoError(t, err)
		assert.Equal(t, tc.proto, text)
		assert.Equal(t, tc.version, r.HTTPVersion())
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + l.Addr().String() + "/"
	l.Close()
	_, err = c.Get(ctx, refused)
	assert.ErrorIs(t, err, httpx.ErrConnect, "connection refused")

	_, err = c.Get(ctx, plain.URL+"/drop")
	assert.ErrorIs(t, err, httpx.ErrRemoteProtocol, "closed before answering")
}
