package httpx_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNilInputsAreUsageErrors calls every entry point that takes an
// interface, a func, a pointer or a context with nil, and expects an
// ErrUsage error where a nil-pointer panic could have been.
func TestNilInputsAreUsageErrors(t *testing.T) {
	const url = "http://testserver/"
	ok := httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200), nil
	}))
	client := func(opts ...httpx.ClientOption) *httpx.Client {
		c := httpx.NewClient(append([]httpx.ClientOption{ok}, opts...)...)
		t.Cleanup(func() { c.Close() })
		return c
	}
	get := func(c *httpx.Client) error {
		_, err := c.Get(ctx, url)
		return err
	}
	newReq := func(t *testing.T) *httpx.Request {
		req, err := httpx.NewRequest("GET", url)
		require.NoError(t, err)
		return req
	}
	var nilClient *httpx.Client
	var nilCtx context.Context
	tests := []struct {
		name string
		call func(t *testing.T) error
	}{
		{"NewClient(nil).Err", func(*testing.T) error { return httpx.NewClient(nil).Err() }},
		{"NewClient(nil) request", func(*testing.T) error { return get(httpx.NewClient(nil, ok)) }},
		{"NewTLSConfig(nil)", func(*testing.T) error { _, err := httpx.NewTLSConfig(nil); return err }},
		{"WithTransport(nil)", func(*testing.T) error { return httpx.NewClient(httpx.WithTransport(nil)).Err() }},
		{"WithTransport(nil *HTTPTransport)", func(*testing.T) error {
			return httpx.NewClient(httpx.WithTransport((*httpx.HTTPTransport)(nil))).Err()
		}},
		{"WithTransport(nil MockTransport)", func(*testing.T) error {
			return httpx.NewClient(httpx.WithTransport(httpx.MockTransport(nil))).Err()
		}},
		{"WithApp(nil)", func(*testing.T) error { return httpx.NewClient(httpx.WithApp(nil)).Err() }},
		{"WithApp(nil HandlerFunc)", func(*testing.T) error {
			return httpx.NewClient(httpx.WithApp(http.HandlerFunc(nil))).Err()
		}},
		{"nil request hook", func(*testing.T) error {
			return get(client(httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{nil}})))
		}},
		{"nil response hook", func(*testing.T) error {
			return get(client(httpx.WithEventHooks(httpx.EventHooks{Response: []func(*httpx.Response) error{nil}})))
		}},
		{"nil hook set on the field", func(*testing.T) error {
			c := client()
			c.EventHooks.Response = append(c.EventHooks.Response, nil)
			return get(c)
		}},
		{"AuthFunc(nil) on the client", func(*testing.T) error { return get(client(httpx.WithAuth(httpx.AuthFunc(nil)))) }},
		{"AuthFunc(nil) on the request", func(*testing.T) error {
			_, err := client().Get(ctx, url, httpx.WithAuth(httpx.AuthFunc(nil)))
			return err
		}},
		{"nil request option", func(*testing.T) error { _, err := client().Get(ctx, url, nil); return err }},
		{"nil request option to Stream", func(*testing.T) error { _, err := client().Stream(ctx, "GET", url, nil); return err }},
		{"nil request option to BuildRequest", func(*testing.T) error { _, err := client().BuildRequest("GET", url, nil); return err }},
		{"nil request option to NewRequest", func(*testing.T) error { _, err := httpx.NewRequest("GET", url, nil); return err }},
		{"nil request option to NewResponse", func(*testing.T) error { _, err := httpx.NewResponse(200, nil).Content(); return err }},
		{"nil send option", func(t *testing.T) error { _, err := client().Send(ctx, newReq(t), nil); return err }},
		{"nil request to Send", func(*testing.T) error { _, err := client().Send(ctx, nil); return err }},
		{"nil context", func(*testing.T) error { _, err := client().Get(nilCtx, url); return err }},
		{"nil context to Send", func(t *testing.T) error { _, err := client().Send(nilCtx, newReq(t)); return err }},
		{"nil option to a top-level call", func(*testing.T) error { _, err := httpx.Get(ctx, url, ok, nil); return err }},
		{"nil context to a top-level call", func(*testing.T) error { _, err := httpx.Get(nilCtx, url, ok); return err }},
		{"nil *bytes.Reader body", func(*testing.T) error {
			_, err := client().Post(ctx, url, httpx.WithBody((*bytes.Reader)(nil)))
			return err
		}},
		{"nil *bytes.Buffer body", func(*testing.T) error {
			_, err := httpx.NewRequest("POST", url, httpx.WithBody((*bytes.Buffer)(nil)))
			return err
		}},
		{"nil *bytes.Reader file", func(*testing.T) error {
			_, err := client().Post(ctx, url, httpx.WithFiles(httpx.File{Field: "f", Content: (*bytes.Reader)(nil)}))
			return err
		}},
		{"nil *Client Get", func(*testing.T) error { return get(nilClient) }},
		{"nil *Client BuildRequest", func(*testing.T) error { _, err := nilClient.BuildRequest("GET", url); return err }},
		{"nil *Client Send", func(t *testing.T) error { _, err := nilClient.Send(ctx, newReq(t)); return err }},
		{"nil *Client Err", func(*testing.T) error { return nilClient.Err() }},
		{"nil *Client Close", func(*testing.T) error { return nilClient.Close() }},
		{"nil *Client StdClient", func(*testing.T) error { _, err := nilClient.StdClient().Get(url); return err }},
		{"MockTransport with a nil request", func(*testing.T) error {
			_, err := httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) { return nil, nil }).HandleRequest(ctx, nil)
			return err
		}},
		{"HandlerTransport with a nil context", func(t *testing.T) error {
			_, err := (&httpx.HandlerTransport{Handler: routes()}).HandleRequest(nilCtx, newReq(t))
			return err
		}},
		{"HTTPTransport with a nil request", func(*testing.T) error {
			tr := &httpx.HTTPTransport{}
			defer tr.Close()
			_, err := tr.HandleRequest(ctx, nil)
			return err
		}},
		{"Mounts with a nil request", func(*testing.T) error {
			_, err := httpx.NewMounts(nil).HandleRequest(ctx, nil)
			return err
		}},
		{"nil *Mounts", func(t *testing.T) error { _, err := (*httpx.Mounts)(nil).HandleRequest(ctx, newReq(t)); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.call(t) })
			require.Error(t, err)
			assert.ErrorIs(t, err, httpx.ErrUsage)
		})
	}
}

// TestNilAuthMeansNoAuth follows HTTPX, where auth=None means "no explicit
// auth": a nil Auth is not an error, and URL credentials still apply.
func TestNilAuthMeansNoAuth(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithAuth(nil))
	defer c.Close()
	require.NoError(t, c.Err())
	r, err := c.Get(ctx, "http://testserver/")
	require.NoError(t, err)
	assert.NotContains(t, decodeEcho(t, r).Headers, "Authorization")

	withClientAuth := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithAuth(httpx.BasicAuth("u", "p")))
	defer withClientAuth.Close()
	r, err = withClientAuth.Get(ctx, "http://testserver/", httpx.WithAuth(nil))
	require.NoError(t, err)
	assert.NotContains(t, decodeEcho(t, r).Headers, "Authorization", "nil at request level removes the client's auth")
	r, err = withClientAuth.Get(ctx, "http://user:pw@testserver/", httpx.WithAuth(nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"Basic dXNlcjpwdw=="}, decodeEcho(t, r).Headers["Authorization"], "URL credentials still apply")
}
