package httpx_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStdClientHonoursMaxResponseSize checks that the cap reaches every body
// an *http.Client caller reads: plain ones (in memory, or streamed from a
// real server) as well as decoded or raw compressed ones.
func TestStdClientHonoursMaxResponseSize(t *testing.T) {
	const limit = 1 << 20
	big := bytes.Repeat([]byte("x"), 16<<20)
	bomb := gzipped(t, string(big))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(big)
	}))
	defer srv.Close()
	mock := func(body []byte, headers ...string) httpx.ClientOption {
		return httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
			opts := []httpx.RequestOption{httpx.WithContent(body)}
			for i := 0; i < len(headers); i += 2 {
				opts = append(opts, httpx.WithHeader(headers[i], headers[i+1]))
			}
			return httpx.NewResponse(200, opts...), nil
		}))
	}
	tests := []struct {
		name           string
		transport      httpx.ClientOption
		url            string
		acceptEncoding string // set by the caller: the raw body is passed through
		wantBytes      int    // what a capped read still delivers
	}{
		{"plain body in memory", mock(big), "https://a.com/", "", limit},
		{"plain body from a loopback server", nil, srv.URL, "", limit},
		{"gzip body decoded", mock(bomb, "Content-Encoding", "gzip"), "https://a.com/", "", limit},
		{"plain body, caller's Accept-Encoding", mock(big), "https://a.com/", "gzip", limit},
		{"gzip body passed through raw", mock(append(bomb, make([]byte, limit)...), "Content-Encoding", "gzip"), "https://a.com/", "gzip", limit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []httpx.ClientOption{httpx.WithMaxResponseSize(limit), httpx.WithTrustEnv(false)}
			if tt.transport != nil {
				opts = append(opts, tt.transport)
			}
			c := httpx.NewClient(opts...)
			defer c.Close()
			req, err := http.NewRequestWithContext(ctx, "GET", tt.url, nil)
			require.NoError(t, err)
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			resp, err := c.StdClient().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.ErrorIs(t, err, httpx.ErrResponseTooLarge)
			assert.Len(t, b, tt.wantBytes, "the body stops at the cap")
		})
	}
}
