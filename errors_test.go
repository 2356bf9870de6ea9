package httpx_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
)

func TestErrorTree(t *testing.T) {
	tree := map[error][]error{
		httpx.ErrConnectTimeout:      {httpx.ErrTimeout, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrReadTimeout:         {httpx.ErrTimeout, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrWriteTimeout:        {httpx.ErrTimeout, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrPoolTimeout:         {httpx.ErrTimeout, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrConnect:             {httpx.ErrNetwork, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrRead:                {httpx.ErrNetwork, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrWrite:               {httpx.ErrNetwork, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrClose:               {httpx.ErrNetwork, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrLocalProtocol:       {httpx.ErrProtocol, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrRemoteProtocol:      {httpx.ErrProtocol, httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrProxy:               {httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrUnsupportedProtocol: {httpx.ErrTransport, httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrDecoding:            {httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrTooManyRedirects:    {httpx.ErrRequest, httpx.ErrHTTP},
		httpx.ErrHTTPStatus:          {httpx.ErrHTTP},
		httpx.ErrStreamConsumed:      {httpx.ErrStream},
		httpx.ErrStreamClosed:        {httpx.ErrStream},
		httpx.ErrResponseNotRead:     {httpx.ErrStream},
		httpx.ErrRequestNotRead:      {httpx.ErrStream},
	}
	all := []error{httpx.ErrHTTP, httpx.ErrRequest, httpx.ErrTransport, httpx.ErrTimeout, httpx.ErrNetwork, httpx.ErrProtocol,
		httpx.ErrStream, httpx.ErrInvalidURL, httpx.ErrCookieConflict, httpx.ErrUsage, httpx.ErrHTTPStatus, httpx.ErrDecoding}
	for kind, ancestors := range tree {
		assert.ErrorIs(t, kind, kind)
		for _, a := range ancestors {
			assert.ErrorIs(t, kind, a, "%v under %v", kind, a)
		}
		for _, other := range all {
			if other == kind || contains(ancestors, other) {
				continue
			}
			assert.NotErrorIs(t, kind, other, "%v must not match %v", kind, other)
		}
	}
	for _, root := range []error{httpx.ErrInvalidURL, httpx.ErrCookieConflict, httpx.ErrStream, httpx.ErrUsage} {
		assert.NotErrorIs(t, root, httpx.ErrHTTP)
	}
}

func contains(list []error, e error) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

func TestTimeoutsAreNetErrors(t *testing.T) {
	for _, kind := range []error{httpx.ErrTimeout, httpx.ErrConnectTimeout, httpx.ErrReadTimeout, httpx.ErrWriteTimeout, httpx.ErrPoolTimeout} {
		var ne net.Error
		assert.True(t, errors.As(kind, &ne))
		assert.True(t, ne.Timeout())
	}
	var ne net.Error
	assert.True(t, errors.As(httpx.ErrConnect, &ne))
	assert.False(t, ne.Timeout())
}

func TestRequestErrorCarriesRequestAndCause(t *testing.T) {
	cause := context.DeadlineExceeded
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) { return nil, cause })))
	defer c.Close()
	_, err := c.Get(ctx, "https://user:pw@example.org/x")
	var re *httpx.RequestError
	if assert.ErrorAs(t, err, &re) {
		assert.Equal(t, "https://user:pw@example.org/x", re.Request.URL.String())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, httpx.ErrTimeout)
		assert.True(t, re.Timeout())
		assert.Equal(t, httpx.ErrTimeout, re.Kind())
		assert.NotContains(t, err.Error(), "pw", "passwords never reach messages")
	}
}

func TestCancelledContextBeforeSending(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := c.Get(cctx, "https://example.org/")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, httpx.ErrRequest)
}

func TestMisuseIsAnErrorNotAPanic(t *testing.T) {
	var zero httpx.Client
	_, err := zero.Get(ctx, "https://example.org/")
	assert.ErrorIs(t, err, httpx.ErrUsage)
	for _, tr := range []httpx.Transport{httpx.MockTransport(nil), httpx.TransportFunc(nil), httpx.FromRoundTripper(nil), &httpx.HandlerTransport{}} {
		c := httpx.NewClient(httpx.WithTransport(tr))
		_, err := c.Get(ctx, "https://example.org/")
		c.Close()
		assert.ErrorIs(t, err, httpx.ErrUsage, "%T", tr)
	}
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	_, err = c.Send(ctx, nil)
	assert.ErrorIs(t, err, httpx.ErrUsage)
	_, err = c.Send(ctx, &httpx.Request{Method: "GET"})
	assert.ErrorIs(t, err, httpx.ErrUsage)
	assert.NotPanics(t, func() { (&httpx.Response{}).Content() })
}

// TestErrorMessagesMaskURLPasswords checks that no error message built from a
// URL shows its password, whether the URL parsed or not.
func TestErrorMessagesMaskURLPasswords(t *testing.T) {
	tests := []struct {
		name string
		err  func() error
	}{
		{"invalid port", func() error { _, err := httpx.ParseURL("https://user:s3cret@example.com:abc/"); return err }},
		{"invalid host", func() error { _, err := httpx.ParseURL("https://user:s3cret@[zz]/"); return err }},
		{"invalid join", func() error {
			u, err := httpx.ParseURL("https://example.com/")
			if err != nil {
				return err
			}
			_, err = u.Join("https://user:s3cret@example.com:abc/")
			return err
		}},
		{"request error", func() error {
			c := httpx.NewClient(httpx.WithTransport(httpx.TransportFunc(func(context.Context, *httpx.Request) (*httpx.Response, error) {
				return nil, errors.New("boom")
			})))
			_, err := c.Get(context.Background(), "https://user:s3cret@example.com/")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if assert.Error(t, err) {
				assert.NotContains(t, err.Error(), "s3cret")
				assert.Contains(t, err.Error(), "user:"+httpx.Masked+"@")
			}
		})
	}
}
