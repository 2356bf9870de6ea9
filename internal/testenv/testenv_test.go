package testenv_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gohttpx/httpx/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, rt *http.Transport, url string) (*http.Response, []byte) {
	t.Helper()
	defer rt.CloseIdleConnections()
	resp, err := (&http.Client{Transport: rt}).Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestNginx(t *testing.T) {
	s := testenv.Nginx(t)

	t.Run("https h2", func(t *testing.T) {
		rt := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool}, ForceAttemptHTTP2: true}
		resp, body := get(t, rt, s.HTTPSURL+"/json")
		assert.Equal(t, 2, resp.ProtoMajor)
		assert.JSONEq(t, `{"ok":true}`, string(body))
	})
	t.Run("http1", func(t *testing.T) {
		resp, body := get(t, &http.Transport{}, s.HTTPURL+"/bytes/1024")
		assert.Equal(t, 1, resp.ProtoMajor)
		assert.Equal(t, testenv.Pattern(1024), body)
	})
	t.Run("h2c", func(t *testing.T) {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		resp, _ := get(t, &http.Transport{Protocols: &p}, s.H2CURL+"/status/418")
		assert.Equal(t, 2, resp.ProtoMajor)
		assert.Equal(t, 418, resp.StatusCode)
	})
	t.Run("echo headers", func(t *testing.T) {
		if !s.HasEcho {
			t.Skip("no echo module")
		}
		req, err := http.NewRequest("GET", s.HTTPURL+"/echo-headers", nil)
		require.NoError(t, err)
		req.Header.Set("X-Probe", "yes")
		rt := &http.Transport{}
		defer rt.CloseIdleConnections()
		resp, err := rt.RoundTrip(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.True(t, strings.Contains(string(body), "X-Probe: yes"), string(body))
	})
}

func TestCA(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, testenv.CertOptions{Hosts: []string{"example.test"}})
	_, err := leaf.TLS.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "example.test"})
	require.NoError(t, err)
}

func TestFreePort(t *testing.T) {
	assert.Greater(t, testenv.FreePort(t), 0)
}

func TestIntegration(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"", false},
		{"0", false},
		{"false", false},
		{"no", false},
		{"1", true},
		{"true", true},
		{"TRUE", true},
		{"True", true},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Setenv("HTTPX_INTEGRATION", tc.value)
			assert.Equal(t, tc.want, testenv.Integration())
		})
	}
}
