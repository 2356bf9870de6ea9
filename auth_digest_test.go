package httpx_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/mccutchen/go-httpbin/v2/httpbin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDigestAuthAgainstHTTPBin(t *testing.T) {
	srv := httptest.NewServer(httpbin.New().Handler())
	defer srv.Close()
	var c *httpx.Client
	for _, algorithm := range []string{"MD5", "SHA-256"} {
		t.Run(algorithm, func(t *testing.T) {
			c = httpx.NewClient(httpx.WithBaseURL(srv.URL), httpx.WithAuth(httpx.DigestAuth("user", "passwd")))
			t.Cleanup(func() { c.Close() })
			path := "/digest-auth/auth/user/passwd/" + algorithm
			r, err := c.Get(ctx, path)
			require.NoError(t, err)
			assert.Equal(t, 200, r.StatusCode)
			require.Len(t, r.History, 1, "first attempt answered by a challenge")
			assert.Equal(t, 401, r.History[0].StatusCode)
			assert.Contains(t, r.Request.Headers.Get("Authorization"), "nc=00000001")

			// The challenge is remembered: the next request authenticates up front.
			r, err = c.Get(ctx, path)
			require.NoError(t, err)
			assert.Equal(t, 200, r.StatusCode)
			assert.Empty(t, r.History)
			assert.Contains(t, r.Request.Headers.Get("Authorization"), "nc=00000002")
		})
	}
	c = httpx.NewClient(httpx.WithBaseURL(srv.URL), httpx.WithAuth(httpx.DigestAuth("user", "passwd")))
	defer c.Close()
	_, err := c.Get(ctx, "/digest-auth/auth/user/passwd/MD5")
	require.NoError(t, err)
	r, err := c.Get(ctx, "/digest-auth/auth/user/passwd/MD5", httpx.WithAuth(httpx.DigestAuth("user", "wrong")))
	require.NoError(t, err)
	assert.Equal(t, 401, r.StatusCode, "refused credentials give the 401 back, no loop")
}

// digestServer challenges with the given parameters and records what it gets.
type digestServer struct {
	mu        sync.Mutex
	challenge func(n int) string // n: the request number, from 0
	accept    func(auth string, n int) bool
	seen      []string
}

func (s *digestServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := len(s.seen)
	s.seen = append(s.seen, r.Header.Get("Authorization"))
	s.mu.Unlock()
	if s.accept(r.Header.Get("Authorization"), n) {
		fmt.Fprint(w, "ok")
		return
	}
	w.Header().Set("WWW-Authenticate", s.challenge(n))
	http.SetCookie(w, &http.Cookie{Name: "challenge", Value: fmt.Sprint(n)})
	w.WriteHeader(401)
}

func TestDigestStaleNonceRetriesOnce(t *testing.T) {
	srv := &digestServer{
		challenge: func(n int) string {
			if n == 1 {
				return `Digest realm="r", nonce="second", qop="auth", stale=true`
			}
			return fmt.Sprintf(`Digest realm="r", nonce="n%d", qop="auth"`, n)
		},
		accept: func(auth string, n int) bool { return strings.Contains(auth, `nonce="second"`) },
	}
	c := httpx.NewClient(httpx.WithApp(srv), httpx.WithAuth(httpx.DigestAuth("u", "p")))
	defer c.Close()
	r, err := c.Get(ctx, "http://testserver/x")
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	assert.Len(t, r.History, 2)
	require.Len(t, srv.seen, 3)
	assert.Empty(t, srv.seen[0])
	assert.Contains(t, srv.seen[1], `nonce="n0"`)
	assert.Contains(t, srv.seen[2], `nonce="second"`)
	assert.Equal(t, "challenge=1", r.Request.Headers.Get("Cookie"), "cookies from the challenge go with the retry")
}

func TestDigestNotStaleSecondChallengeIsReturned(t *testing.T) {
	srv := &digestServer{
		challenge: func(n int) string { return `Digest realm="r", nonce="n", qop="auth"` },
		accept:    func(string, int) bool { return false },
	}
	c := httpx.NewClient(httpx.WithApp(srv), httpx.WithAuth(httpx.DigestAuth("u", "p")))
	defer c.Close()
	r, err := c.Get(ctx, "http://testserver/x")
	require.NoError(t, err)
	assert.Equal(t, 401, r.StatusCode)
	assert.Len(t, srv.seen, 2)
}

func TestDigestAuthIntAndRFC2069(t *testing.T) {
	tests := []struct{ challenge, wantPart string }{
		{`Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-512`, "qop=auth-int"},
		{`Digest realm="r", nonce="n", opaque="o"`, `opaque="o"`},
	}
	for _, tt := range tests {
		srv := &digestServer{
			challenge: func(int) string { return tt.challenge },
			accept:    func(auth string, _ int) bool { return auth != "" },
		}
		c := httpx.NewClient(httpx.WithApp(srv), httpx.WithAuth(httpx.DigestAuth("u", "p")))
		r, err := c.Post(ctx, "http://testserver/x", httpx.WithContent([]byte("body")))
		c.Close()
		require.NoError(t, err)
		assert.Equal(t, 200, r.StatusCode)
		assert.Contains(t, srv.seen[1], tt.wantPart)
		if !strings.Contains(tt.challenge, "qop") {
			assert.NotContains(t, srv.seen[1], "nc=", "RFC 2069 has no nonce count")
		}
	}
}

func TestDigestMalformedChallengeIsAnError(t *testing.T) {
	for _, challenge := range []string{`Digest realm="r"`, `Digest realm="unterminated, nonce="n"`, `Digest stale`, `Digest realm="r", nonce="n", algorithm=ROT13`} {
		srv := &digestServer{challenge: func(int) string { return challenge }, accept: func(string, int) bool { return false }}
		c := httpx.NewClient(httpx.WithApp(srv), httpx.WithAuth(httpx.DigestAuth("u", "p")))
		_, err := c.Get(ctx, "http://testserver/x")
		c.Close()
		require.Error(t, err, challenge)
		assert.ErrorIs(t, err, httpx.ErrRemoteProtocol, challenge)
	}
}

func TestDigestIgnoresOtherSchemes(t *testing.T) {
	srv := &digestServer{challenge: func(int) string { return `Basic realm="r"` }, accept: func(string, int) bool { return false }}
	c := httpx.NewClient(httpx.WithApp(srv), httpx.WithAuth(httpx.DigestAuth("u", "p")))
	defer c.Close()
	r, err := c.Get(ctx, "http://testserver/x")
	require.NoError(t, err)
	assert.Equal(t, 401, r.StatusCode)
	assert.Len(t, srv.seen, 1)
}

func writeNetrc(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "netrc")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestNetrcWithTrustEnv(t *testing.T) {
	t.Setenv("NETRC", writeNetrc(t, "machine example.org login alice password s3cret\ndefault login anon password guest\n"))
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	basic := func(u, p string) []string { return []string{httpx.BasicAuthHeader(u, p)} }

	r, err := c.Get(ctx, "https://EXAMPLE.org/")
	require.NoError(t, err)
	assert.Equal(t, basic("alice", "s3cret"), decodeEcho(t, r).Headers["Authorization"])

	r, err = c.Get(ctx, "https://other.org/")
	require.NoError(t, err)
	assert.Equal(t, basic("anon", "guest"), decodeEcho(t, r).Headers["Authorization"], "default entry")

	r, err = c.Get(ctx, "https://example.org/", httpx.WithAuth(httpx.BasicAuth("explicit", "wins")))
	require.NoError(t, err)
	assert.Equal(t, basic("explicit", "wins"), decodeEcho(t, r).Headers["Authorization"])

	r, err = c.Get(ctx, "https://example.org/", httpx.WithHeader("Authorization", "Bearer token"))
	require.NoError(t, err)
	assert.Equal(t, []string{"Bearer token"}, decodeEcho(t, r).Headers["Authorization"])

	off := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithTrustEnv(false))
	defer off.Close()
	r, err = off.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.NotContains(t, decodeEcho(t, r).Headers, "Authorization")
}

func TestNetrcIsReadOncePerClient(t *testing.T) {
	path := writeNetrc(t, "machine example.org login alice password one\n")
	t.Setenv("NETRC", path)
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	_, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte("machine example.org login alice password two\n"), 0o600))
	r, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{httpx.BasicAuthHeader("alice", "one")}, decodeEcho(t, r).Headers["Authorization"])
}

func TestMalformedNetrcIsAClearError(t *testing.T) {
	path := writeNetrc(t, "machine\n")
	t.Setenv("NETRC", path)
	c := httpx.NewClient(httpx.WithTransport(echoTransport()))
	defer c.Close()
	_, err := c.Get(ctx, "https://example.org/")
	require.ErrorIs(t, err, httpx.ErrUsage)
	assert.Contains(t, err.Error(), path)

	_, err = c.Get(ctx, "https://example.org/", httpx.WithAuth(httpx.NetRCAuth(path)))
	require.ErrorIs(t, err, httpx.ErrUsage)
	assert.Contains(t, err.Error(), path)
}

func TestNetRCAuthExplicitFile(t *testing.T) {
	t.Setenv("NETRC", "")
	path := writeNetrc(t, "machine example.org\n  login bob\n  password \"pa ss\"\nmachine nopass.org login x\n")
	c := httpx.NewClient(httpx.WithTransport(echoTransport()), httpx.WithAuth(httpx.NetRCAuth(path)))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.Equal(t, []string{httpx.BasicAuthHeader("bob", "pa ss")}, decodeEcho(t, r).Headers["Authorization"])
	r, err = c.Get(ctx, "https://nopass.org/")
	require.NoError(t, err)
	assert.NotContains(t, decodeEcho(t, r).Headers, "Authorization", "no password: sent unauthenticated")
	r, err = c.Get(ctx, "https://unknown.org/")
	require.NoError(t, err)
	assert.NotContains(t, decodeEcho(t, r).Headers, "Authorization")

	_, err = c.Get(ctx, "https://example.org/", httpx.WithAuth(httpx.NetRCAuth(filepath.Join(t.TempDir(), "missing"))))
	assert.ErrorIs(t, err, httpx.ErrUsage)
}
