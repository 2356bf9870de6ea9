package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The security properties the reliability issue lists, each a test here or
// named here: credentials across redirects (TestRedirectDropsCredentials
// AcrossOrigins, TestRedirectRecomputesCookiesPerHop), proxy credentials
// (TestWithProxyForwardsAndKeepsCredentialsAtTheProxy, TestSquidProxyAuth),
// header injection (TestRequestRejectsInjection,
// TestHooksCannotSmuggleInvalidHeaders, FuzzHeaderValidation), TLS and the
// environment (TestTLSOptions), and these.

// TestURLInjectionIsRejected: CR, LF, NUL and other controls in any part of
// a URL (request, base URL, redirect Location) never reach the wire.
func TestURLInjectionIsRejected(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.RequestURI+" "+r.Header.Get("X-Injected"))
		mu.Unlock()
		if r.URL.Path == "/redirect" {
			w.Header()["Location"] = []string{"/next\r\nX-Injected: 1"}
			w.WriteHeader(302)
		}
	}))
	defer srv.Close()
	c := httpx.NewClient(httpx.WithFollowRedirects(true))
	defer c.Close()
	for _, u := range []string{
		srv.URL + "/a\r\nX-Injected: 1",
		srv.URL + "/a?q=1\nX-Injected: 1",
		srv.URL + "/a#\x00",
		strings.Replace(srv.URL, "127.0.0.1", "127.0.0.1\r\nX-Injected: 1", 1) + "/",
		srv.URL + "/\x7f",
	} {
		_, err := c.Get(ctx, u)
		require.Error(t, err, "%q", u)
		assert.ErrorIs(t, err, httpx.ErrInvalidURL, "%q", u)
	}
	_, err := c.Get(ctx, srv.URL+"/redirect")
	// net/http's server turns the CR/LF of a header value into spaces, so
	// the client follows to a harmless, percent-encoded path; either way no
	// header is injected.
	if err != nil {
		assert.ErrorIs(t, err, httpx.ErrHTTP)
	}
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, seen)
	for _, line := range seen {
		assert.NotContains(t, line, "\n")
		assert.False(t, strings.HasSuffix(line, " 1"), "an injected header arrived: %q", line)
	}

	bad := httpx.NewClient(httpx.WithBaseURL("http://example.com/\r\nX: 1"))
	defer bad.Close()
	assert.ErrorIs(t, bad.Err(), httpx.ErrInvalidURL)
}

// TestCookiesStayWithTheirOrigin: cookies a server sets are not sent to
// another host, nor Secure ones over plain http, even through a redirect.
func TestCookiesStayWithTheirOrigin(t *testing.T) {
	var mu sync.Mutex
	cookies := map[string]string{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			cookies[name] = r.Header.Get("Cookie")
			mu.Unlock()
		}
	}
	other := httptest.NewServer(record("other"))
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "secret", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "secure", Value: "only-https", Path: "/", Secure: true})
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/", http.StatusFound)
	}))
	defer origin.Close()
	c := httpx.NewClient(httpx.WithFollowRedirects(true))
	defer c.Close()
	_, err := c.Get(ctx, origin.URL+"/login")
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, cookies["other"], "the origin's cookies went to another host")
}
