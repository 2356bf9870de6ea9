package httpx_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRequestHeadersAndBodies(t *testing.T) {
	file := filepath.Join(t.TempDir(), "upload.txt")
	require.NoError(t, os.WriteFile(file, []byte("file body"), 0o600))
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()

	tests := []struct {
		name, method, url string
		opts              []httpx.RequestOption
		wantHeaders       []string // name, value pairs in wire order
		wantBody          string
		wantLength        int64
	}{
		{"get", "get", "http://x", nil, []string{"Host", "x"}, "", 0},
		{"bodiless post", "POST", "http://x:8080", nil, []string{"Host", "x:8080", "Content-Length", "0"}, "", 0},
		{"bodiless put", "PUT", "http://x", nil, []string{"Host", "x", "Content-Length", "0"}, "", 0},
		{"empty content post", "POST", "http://x", []httpx.RequestOption{httpx.WithContent(nil)}, []string{"Host", "x", "Content-Length", "0"}, "", 0},
		{"content", "POST", "http://x", []httpx.RequestOption{httpx.WithContent([]byte("abc"))}, []string{"Host", "x", "Content-Length", "3"}, "abc", 3},
		{"form", "POST", "http://x", []httpx.RequestOption{httpx.WithForm(map[string]string{"b": "x/y", "a": "1 2"})},
			[]string{"Host", "x", "Content-Length", "13", "Content-Type", "application/x-www-form-urlencoded"}, "a=1+2&b=x%2Fy", 13},
		{"json", "POST", "http://x", []httpx.RequestOption{httpx.WithJSON(map[string]any{"b": []any{1, "é"}, "a": nil})},
			[]string{"Host", "x", "Content-Length", "23", "Content-Type", "application/json"}, `{"a":null,"b":[1,"é"]}`, 23},
		{"known-length stream", "POST", "http://x", []httpx.RequestOption{httpx.WithBody(strings.NewReader("stream"))}, []string{"Host", "x", "Content-Length", "6"}, "stream", 6},
		{"bytes reader", "POST", "http://x", []httpx.RequestOption{httpx.WithBody(bytes.NewReader([]byte("bytes")))}, []string{"Host", "x", "Content-Length", "5"}, "bytes", 5},
		{"file", "PUT", "http://x", []httpx.RequestOption{httpx.WithBody(f)}, []string{"Host", "x", "Content-Length", "9"}, "file body", 9},
		{"unknown-length stream", "POST", "http://x", []httpx.RequestOption{httpx.WithBody(io.MultiReader(strings.NewReader("a")))}, []string{"Host", "x", "Transfer-Encoding", "chunked"}, "a", -1},
		{"user length kept, no chunked", "POST", "http://x", []httpx.RequestOption{httpx.WithHeader("Content-Length", "1"), httpx.WithBody(io.MultiReader(strings.NewReader("a")))}, []string{"Host", "x", "Content-Length", "1"}, "a", -1},
		{"user content type kept", "POST", "http://x", []httpx.RequestOption{httpx.WithHeader("Content-Type", "application/vnd+json"), httpx.WithJSON(1)},
			[]string{"Host", "x", "Content-Type", "application/vnd+json", "Content-Length", "1"}, "1", 1},
		{"host from IDNA and port", "GET", "https://faß.de:8443/", nil, []string{"Host", "xn--fa-hia.de:8443"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := httpx.NewRequest(tt.method, tt.url, tt.opts...)
			require.NoError(t, err)
			var got []string
			for k, v := range req.Headers.All() {
				got = append(got, k, v)
			}
			assert.Equal(t, tt.wantHeaders, got)
			assert.Equal(t, tt.wantLength, req.ContentLength())
			body, err := req.Content()
			require.NoError(t, err)
			assert.Equal(t, tt.wantBody, string(body))
			assert.Equal(t, strings.ToUpper(tt.method), req.Method)
		})
	}
}

func TestRequestBodyStreamIsSentOnce(t *testing.T) {
	req, err := httpx.NewRequest("POST", "http://x", httpx.WithBody(io.MultiReader(strings.NewReader("once"))))
	require.NoError(t, err)
	body, err := req.Body()
	require.NoError(t, err)
	b, _ := io.ReadAll(body)
	assert.Equal(t, "once", string(b))
	_, err = req.Body()
	assert.ErrorIs(t, err, httpx.ErrStreamConsumed)
	_, err = req.Content()
	assert.ErrorIs(t, err, httpx.ErrStreamConsumed)
}

func TestRequestSeekableStreamReplays(t *testing.T) {
	req, err := httpx.NewRequest("POST", "http://x", httpx.WithBody(strings.NewReader("again")))
	require.NoError(t, err)
	for range 2 {
		body, err := req.Body()
		require.NoError(t, err)
		b, _ := io.ReadAll(body)
		assert.Equal(t, "again", string(b))
	}
}

func TestRequestRejectsInjection(t *testing.T) {
	tests := []struct {
		name   string
		method string
		opts   []httpx.RequestOption
	}{
		{"LF in value", "GET", []httpx.RequestOption{httpx.WithHeader("X-A", "a\nInjected: yes")}},
		{"CR in value", "GET", []httpx.RequestOption{httpx.WithHeader("X-A", "a\rb")}},
		{"NUL in value", "GET", []httpx.RequestOption{httpx.WithHeader("X-A", "a\x00b")}},
		{"LF in name", "GET", []httpx.RequestOption{httpx.WithHeader("X-A\nInjected", "v")}},
		{"space in name", "GET", []httpx.RequestOption{httpx.WithHeader("X A", "v")}},
		{"empty name", "GET", []httpx.RequestOption{httpx.WithHeader("", "v")}},
		{"CRLF in method", "GET / HTTP/1.1\r\nX:", nil},
		{"space in method", "GE T", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := httpx.NewRequest(tt.method, "http://x/", tt.opts...)
			require.ErrorIs(t, err, httpx.ErrLocalProtocol)

			c := httpx.NewClient(httpx.WithTransport(echoTransport()))
			defer c.Close()
			_, err = c.Request(ctx, tt.method, "http://x/", tt.opts...)
			require.ErrorIs(t, err, httpx.ErrLocalProtocol)
		})
	}
}

func TestHooksCannotSmuggleInvalidHeaders(t *testing.T) {
	var sent bool
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		sent = true
		return httpx.NewResponse(200), nil
	})), httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{func(r *httpx.Request) error {
		r.Headers.Set("X-Evil", "a\r\nb")
		return nil
	}}}))
	defer c.Close()
	_, err := c.Get(ctx, "http://x/")
	require.ErrorIs(t, err, httpx.ErrLocalProtocol)
	assert.False(t, sent)
}

func TestJSONThatCannotBeEncoded(t *testing.T) {
	_, err := httpx.NewRequest("POST", "http://x", httpx.WithJSON(map[string]any{"ch": make(chan int)}))
	assert.ErrorIs(t, err, httpx.ErrUsage)
	_, err = httpx.NewRequest("POST", "http://x", httpx.WithJSON(func() {}))
	assert.ErrorIs(t, err, httpx.ErrUsage)
}

func TestRequestParamsAndCookiesStandalone(t *testing.T) {
	req, err := httpx.NewRequest("GET", "https://x/p?a=1", httpx.WithParams(map[string]string{"b": "2"}), httpx.WithCookies(map[string]string{"c": "3"}))
	require.NoError(t, err)
	assert.Equal(t, "https://x/p?a=1&b=2", req.URL.String())
	assert.Equal(t, "c=3", req.Headers.Get("Cookie"))
	assert.Equal(t, `<Request('GET', 'https://x/p?a=1&b=2')>`, req.String())
}

func TestRequestAndResponseStringReadLikeHTTPXRepr(t *testing.T) {
	tests := []struct {
		method, url string
		want        string
	}{
		{"get", "https://example.com/", `<Request('GET', 'https://example.com/')>`},
		{"POST", "https://user:secret@example.com/p", `<Request('POST', 'https://user:[secure]@example.com/p')>`},
		// Python's repr switches to double quotes for a string holding a
		// single quote and no double quote.
		{"GET", "https://example.com/it's", `<Request('GET', "https://example.com/it's")>`},
	}
	for _, tt := range tests {
		req, err := httpx.NewRequest(tt.method, tt.url)
		require.NoError(t, err)
		assert.Equal(t, tt.want, req.String())
	}

	responses := []struct {
		status int
		want   string
	}{
		{200, "<Response [200 OK]>"},
		{404, "<Response [404 Not Found]>"},
		{999, "<Response [999 ]>"}, // HTTPX: an unknown code has an empty phrase, nothing quoted
	}
	for _, tt := range responses {
		assert.Equal(t, tt.want, httpx.NewResponse(tt.status).String())
	}
}

func TestRequestTimeoutAccessors(t *testing.T) {
	req, err := httpx.NewRequest("GET", "https://x/")
	require.NoError(t, err)
	assert.Equal(t, httpx.NoTimeout, req.Timeout())
	req.SetTimeout(httpx.Timeouts(time.Second))
	assert.Equal(t, httpx.Timeouts(time.Second), req.Timeout())
}
