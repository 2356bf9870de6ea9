package auth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDigestAgainstHTTPBin performs real exchanges with go-httpbin v2.20.0,
// whose /digest-auth endpoint offers only qop=auth with MD5 (the default)
// or SHA-256, and needs no cookie (it does not track nonces either).
func TestDigestAgainstHTTPBin(t *testing.T) {
	srv := httptest.NewServer(httpbin.New().Handler())
	t.Cleanup(srv.Close)

	get := func(t *testing.T, target, authorization string) (int, []string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+target, nil)
		require.NoError(t, err)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Values("WWW-Authenticate")
	}
	challenge := func(t *testing.T, target string) *Challenge {
		t.Helper()
		status, values := get(t, target, "")
		require.Equal(t, http.StatusUnauthorized, status)
		v, ok := FindChallenge(values)
		require.True(t, ok, "no Digest challenge in %q", values)
		ch, err := ParseChallenge(v)
		require.NoError(t, err)
		return ch
	}

	tests := []struct{ target, algorithm string }{
		{"/digest-auth/auth/user/passwd", "MD5"},
		{"/digest-auth/auth/user/passwd/MD5", "MD5"},
		{"/digest-auth/auth/user/passwd/md5?x=1&y=%20", "MD5"},
		{"/digest-auth/auth/user/passwd/SHA-256", "SHA-256"},
		{"/digest-auth/auth/user/passwd/sha-256?q=a%2Fb", "SHA-256"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			ch := challenge(t, tt.target)
			assert.Equal(t, tt.algorithm, ch.Algorithm)
			assert.Equal(t, []string{"auth"}, ch.QOP)

			d, err := NewDigest("user", "passwd", ch)
			require.NoError(t, err)
			for i := 0; i < 2; i++ { // the second request reuses the challenge with nc=2
				h, err := d.Authorization(http.MethodGet, tt.target, nil)
				require.NoError(t, err)
				status, _ := get(t, tt.target, h)
				assert.Equal(t, http.StatusOK, status, "request %d with %s", i+1, h)
			}

			bad, err := NewDigest("user", "wrong", ch)
			require.NoError(t, err)
			h, err := bad.Authorization(http.MethodGet, tt.target, nil)
			require.NoError(t, err)
			status, _ := get(t, tt.target, h)
			assert.Equal(t, http.StatusUnauthorized, status)
		})
	}
}
