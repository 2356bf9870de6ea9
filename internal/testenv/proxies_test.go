package testenv_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/internal/testenv"
)

func TestAPR1(t *testing.T) {
	assert.Equal(t, "$apr1$abcdefgh$M2T3erDstkD7SsE2QQnfH0", testenv.APR1("s3cret", "abcdefgh"))
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl to compare with")
	}
	for _, pw := range []string{"", "a", "s3 c:r@t/%é", strings.Repeat("x", 40)} {
		out, err := exec.Command(openssl, "passwd", "-apr1", "-salt", "Zq9./Ab1", pw).Output()
		require.NoError(t, err)
		assert.Equal(t, strings.TrimSpace(string(out)), testenv.APR1(pw, "Zq9./Ab1"), "password %q", pw)
	}
}

// origin is a plain HTTP server on 127.0.0.1 telling which Via it saw.
func origin(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "via="+r.Header.Get("Via"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func through(t *testing.T, proxyURL, target string, tlsCfg *tls.Config) (*http.Response, string, error) {
	t.Helper()
	pu, err := url.Parse(proxyURL)
	require.NoError(t, err)
	rt := &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true}
	defer rt.CloseIdleConnections()
	resp, err := (&http.Client{Transport: rt}).Get(target)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body), nil
}

// stopped runs f in a subtest, so that its cleanups run, and checks that
// the process group whose PID f returns is gone afterwards.
func stopped(t *testing.T, f func(t *testing.T) int) {
	var (
		pid  int
		kids []int
	)
	start := time.Now()
	t.Run("run", func(t *testing.T) {
		pid = f(t)
		kids = testenv.Descendants(pid)
	})
	if pid == 0 {
		return
	}
	t.Logf("start, use and stop: %v (%d child processes)", time.Since(start), len(kids))
	assert.False(t, testenv.GroupAlive(pid), "processes of group %d left", pid)
	out, _ := exec.Command("pgrep", "-g", strconv.Itoa(pid)).Output()
	assert.Empty(t, strings.TrimSpace(string(out)), "pgrep -g %d", pid)
	for _, k := range append(kids, pid) {
		// Zombies count: kill(2) still finds them.
		assert.ErrorIs(t, syscall.Kill(k, 0), syscall.ESRCH, "process %d is left", k)
	}
}

func TestSquid(t *testing.T) {
	stopped(t, func(t *testing.T) int {
		ng := testenv.Nginx(t)
		o := origin(t)
		s := testenv.Squid(t, testenv.SquidOptions{User: "alice", Password: "s3 c:r@t/%", TLS: true, OriginCAFile: ng.CAFile})
		assert.Contains(t, s.URL, "alice:s3%20c%3Ar%40t%2F%25@")

		resp, body, err := through(t, s.URL, o.URL+"/x", nil)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Contains(t, body, testenv.SquidVia)
		e := s.WaitRequestLine(t, "GET "+o.URL+"/x")
		assert.Equal(t, "alice", e.User)
		assert.Equal(t, 200, e.Status)

		resp, _, err = through(t, s.URLNoAuth, o.URL+"/x", nil)
		require.NoError(t, err)
		assert.Equal(t, 407, resp.StatusCode)

		resp, _, err = through(t, s.URL, ng.HTTPSURL+"/json", &tls.Config{RootCAs: ng.CertPool})
		require.NoError(t, err)
		assert.Equal(t, 2, resp.ProtoMajor)
		s.WaitRequestLine(t, "CONNECT "+strings.TrimPrefix(ng.HTTPSURL, "https://"))

		// The TLS port: an HTTPS proxy.
		resp, body, err = through(t, s.HTTPSURL, o.URL+"/tls", &tls.Config{RootCAs: s.CertPool})
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode, body)
		s.WaitRequestLine(t, "GET "+o.URL+"/tls")
		return s.PID
	})
}

func TestMicrosocks(t *testing.T) {
	stopped(t, func(t *testing.T) int {
		o := origin(t)
		s := testenv.Microsocks(t, "alice", "s3 c:r@t")
		resp, body, err := through(t, s.URL, o.URL+"/", nil)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, "via=", body)
		s.WaitLog(t, "connected to "+strings.TrimPrefix(o.URL, "http://"))
		_, _, err = through(t, s.ProxyURL("socks5h", url.UserPassword("alice", "wrong")), o.URL+"/", nil)
		assert.Error(t, err)
		return s.PID
	})
}

func TestDante(t *testing.T) {
	stopped(t, func(t *testing.T) int {
		o := origin(t)
		s := testenv.Dante(t)
		resp, _, err := through(t, s.ProxyURL("socks5h", nil), o.URL+"/", nil)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		u, _ := url.Parse(o.URL)
		s.WaitLog(t, "127.0.0.1."+u.Port())
		return s.PID
	})
}
