package httpx_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenApp answers 401 until X-Authentication is "secret", redirects
// /redirect to /, and serves go-httpbin's digest endpoints under /digest-auth/.
func tokenApp() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/digest-auth/", httpbinHandler())
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/?open=1", http.StatusFound)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Authentication") != "secret" && r.URL.Query().Get("open") == "" {
			w.WriteHeader(401)
			io.WriteString(w, "who are you?")
			return
		}
		io.WriteString(w, "welcome")
	})
	return mux
}

// mockOf serves h through a MockTransport, with in-memory bodies.
func mockOf(h http.Handler) httpx.MockTransport {
	return func(req *httpx.Request) (*httpx.Response, error) {
		body, err := req.Content()
		if err != nil {
			return nil, err
		}
		hr := httptest.NewRequest(req.Method, req.URL.String(), bytes.NewReader(body))
		hr.RequestURI = req.URL.RawPath()
		for k, v := range req.Headers.All() {
			hr.Header.Add(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, hr)
		opts := []httpx.RequestOption{httpx.WithContent(rec.Body.Bytes())}
		for k, vs := range rec.Header() {
			if k == "Content-Length" {
				continue
			}
			for _, v := range vs {
				opts = append(opts, httpx.WithHeader(k, v))
			}
		}
		return httpx.NewResponse(rec.Code, opts...), nil
	}
}

// overTransports runs f with a client reaching h through a mock transport,
// a handler transport and a real loopback server.
func overTransports(t *testing.T, h http.Handler, f func(t *testing.T, base string, opts ...httpx.ClientOption)) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Run("mock", func(t *testing.T) { f(t, "http://testserver", httpx.WithTransport(mockOf(h))) })
	t.Run("handler", func(t *testing.T) { f(t, "http://testserver", httpx.WithApp(h)) })
	t.Run("loopback", func(t *testing.T) { f(t, srv.URL) })
}

// resendWithToken is the HTTPX docs' custom flow as Go code writes it: the
// 401 is handled by handle401 (close it, read it, or leave it) before the
// request is sent again with a token.
type resendWithToken struct{ handle401 func(*httpx.Response) }

func (a resendWithToken) Flow(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
	resp, err := send(req)
	if err != nil || resp.StatusCode != 401 {
		return resp, err
	}
	a.handle401(resp)
	req.Headers.Set("X-Authentication", "secret")
	return send(req)
}

// closeIf401 is a response hook that closes 401s without reading them.
func closeIf401(r *httpx.Response) error {
	if r.StatusCode == 401 {
		r.Close()
	}
	return nil
}

// readAndClose is a response hook that streams the body away and closes.
func readAndClose(r *httpx.Response) error {
	_, err := io.Copy(io.Discard, r)
	r.Close()
	return err
}

func closeOnly(r *httpx.Response) error { return r.Close() }

func TestClientNeverRereadsAResponseUserCodeClosed(t *testing.T) {
	type historyWant struct {
		status  int
		content string // when err is nil
		err     error
	}
	cases := []struct {
		name        string
		path        string
		opts        []httpx.ClientOption
		wantStatus  int
		wantContent string // "" with wantErr: the final body is gone too
		wantErr     error  // from the final response's Content
		history     []historyWant
	}{
		{
			name:        "auth flow closes the 401",
			path:        "/",
			opts:        []httpx.ClientOption{httpx.WithAuth(resendWithToken{func(r *httpx.Response) { r.Close() }})},
			wantStatus:  200,
			wantContent: "welcome",
			history:     []historyWant{{status: 401, err: httpx.ErrStreamClosed}},
		},
		{
			name: "auth flow reads and closes the 401",
			path: "/",
			opts: []httpx.ClientOption{httpx.WithAuth(resendWithToken{func(r *httpx.Response) {
				r.Content()
				r.Close()
			}})},
			wantStatus:  200,
			wantContent: "welcome",
			history:     []historyWant{{status: 401, content: "who are you?"}},
		},
		{
			name: "auth flow streams part of the 401 and leaves it open",
			path: "/",
			opts: []httpx.ClientOption{httpx.WithAuth(resendWithToken{func(r *httpx.Response) {
				r.Read(make([]byte, 3))
			}})},
			wantStatus:  200,
			wantContent: "welcome",
			history:     []historyWant{{status: 401, err: httpx.ErrStreamConsumed}},
		},
		{
			name:        "auth flow leaves the 401 alone: the client reads it",
			path:        "/",
			opts:        []httpx.ClientOption{httpx.WithAuth(resendWithToken{func(*httpx.Response) {}})},
			wantStatus:  200,
			wantContent: "welcome",
			history:     []historyWant{{status: 401, content: "who are you?"}},
		},
		{
			name:        "response hook closes the 401 before the auth flow moves on",
			path:        "/",
			opts:        []httpx.ClientOption{httpx.WithAuth(resendWithToken{func(*httpx.Response) {}}), httpx.WithEventHooks(httpx.EventHooks{Response: []func(*httpx.Response) error{closeIf401}})},
			wantStatus:  200,
			wantContent: "welcome",
			history:     []historyWant{{status: 401, err: httpx.ErrStreamClosed}},
		},
		{
			name:       "response hook reads and closes a redirect hop and the final response",
			path:       "/redirect",
			opts:       []httpx.ClientOption{httpx.WithFollowRedirects(true), httpx.WithEventHooks(httpx.EventHooks{Response: []func(*httpx.Response) error{readAndClose}})},
			wantStatus: 200,
			wantErr:    httpx.ErrStreamConsumed,
			history:    []historyWant{{status: 302, err: httpx.ErrStreamConsumed}},
		},
		{
			name:       "response hook closes a redirect hop and the final response unread",
			path:       "/redirect",
			opts:       []httpx.ClientOption{httpx.WithFollowRedirects(true), httpx.WithEventHooks(httpx.EventHooks{Response: []func(*httpx.Response) error{closeOnly}})},
			wantStatus: 200,
			wantErr:    httpx.ErrStreamClosed,
			history:    []historyWant{{status: 302, err: httpx.ErrStreamClosed}},
		},
		{
			name:        "digest flow with a hook that closes the challenge",
			path:        "/digest-auth/auth/user/passwd/MD5",
			opts:        []httpx.ClientOption{httpx.WithAuth(httpx.DigestAuth("user", "passwd")), httpx.WithEventHooks(httpx.EventHooks{Response: []func(*httpx.Response) error{closeIf401}})},
			wantStatus:  200,
			wantContent: `"authorized": true`,
			history:     []historyWant{{status: 401, err: httpx.ErrStreamClosed}},
		},
	}
	overTransports(t, tokenApp(), func(t *testing.T, base string, opts ...httpx.ClientOption) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := httpx.NewClient(append(opts, tc.opts...)...)
				defer c.Close()
				r, err := c.Get(ctx, base+tc.path)
				require.NoError(t, err)
				assert.Equal(t, tc.wantStatus, r.StatusCode)
				assert.True(t, r.IsClosed())
				body, err := r.Content()
				if tc.wantErr != nil {
					assert.ErrorIs(t, err, tc.wantErr)
				} else {
					require.NoError(t, err)
					assert.Contains(t, string(body), tc.wantContent)
				}
				require.Len(t, r.History, len(tc.history))
				for i, want := range tc.history {
					h := r.History[i]
					assert.Equal(t, want.status, h.StatusCode)
					assert.True(t, h.IsClosed(), "history responses are closed")
					got, err := h.Content()
					if want.err != nil {
						assert.ErrorIs(t, err, want.err)
						continue
					}
					require.NoError(t, err)
					assert.Equal(t, want.content, string(got))
				}
			})
		}
	})
}
