package httpx_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStdClientRunsThePipeline(t *testing.T) {
	var hookCalls int
	c := httpx.NewClient(
		httpx.WithHeader("X-Client", "yes"),
		httpx.WithAuth(httpx.BasicAuth("u", "p")),
		httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{func(*httpx.Request) error { hookCalls++; return nil }}}),
		httpx.WithMounts(map[string]httpx.Transport{"all://api.example.com": echoTransport()}),
		httpx.WithTransport(named("default")),
	)
	defer c.Close()
	std := c.StdClient()

	req, err := http.NewRequest("POST", "https://api.example.com/v1/items?x=1", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := std.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var e echoed
	require.NoError(t, jsonDecode(resp.Body, &e))
	assert.Equal(t, "POST", e.Method)
	assert.Equal(t, "https://api.example.com/v1/items?x=1", e.URL)
	assert.Equal(t, `{"a":1}`, e.Body)
	assert.Equal(t, []string{"yes"}, e.Headers["X-Client"])
	assert.Equal(t, []string{"application/json"}, e.Headers["Content-Type"])
	assert.Equal(t, []string{"7"}, e.Headers["Content-Length"])
	assert.Contains(t, e.Headers, "Authorization")
	assert.Equal(t, 1, hookCalls)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "200 OK", resp.Status)

	resp, err = std.Get("https://elsewhere.example.com/")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "default", string(b))
}

func TestStdClientCookiesAndRedirects(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(redirectApp(t)), httpx.WithFollowRedirects(true))
	defer c.Close()
	resp, err := c.StdClient().Get("https://a.com/redirect/302?to=/final")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "https://a.com/final", resp.Request.URL.String())

	noFollow := httpx.NewClient(httpx.WithTransport(redirectApp(t)))
	defer noFollow.Close()
	resp, err = noFollow.StdClient().Get("https://a.com/redirect/302?to=/final")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 302, resp.StatusCode, "the client's policy applies: redirects off")

	jar := httpx.NewClient(httpx.WithTransport(cookieApp()))
	defer jar.Close()
	std := jar.StdClient()
	resp, err = std.Get("https://a.com/set")
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = std.Get("https://a.com/")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "session=abc; secure=1", string(b))
}

func TestStdClientDecodesUnlessCallerAskedForEncoding(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("plain text"))
	zw.Close()
	wire := buf.Bytes()
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithContent(wire), httpx.WithHeader("Content-Encoding", "gzip")), nil
	})))
	defer c.Close()
	std := c.StdClient()

	resp, err := std.Get("https://a.com/")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "plain text", string(b))
	assert.True(t, resp.Uncompressed)
	assert.Empty(t, resp.Header.Get("Content-Encoding"))

	req, _ := http.NewRequest("GET", "https://a.com/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = std.Do(req)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, wire, b)
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
}

func TestStdClientErrorsKeepTheTree(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		return nil, io.ErrUnexpectedEOF
	})))
	defer c.Close()
	_, err := c.StdClient().Get("https://a.com/")
	require.Error(t, err)
	assert.ErrorIs(t, err, httpx.ErrTransport)
}
