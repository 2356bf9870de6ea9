package transport_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/gohttpx/httpx/transport"
)

// tlsServer starts an HTTP/2-capable TLS server with a certificate of ca.
func tlsServer(t *testing.T, cert tls.Certificate, clientCAs *x509.CertPool, adjust ...func(*tls.Config)) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) > 0 {
			fmt.Fprint(w, r.TLS.PeerCertificates[0].Subject.CommonName)
		}
	}))
	s.EnableHTTP2 = true
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		s.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		s.TLS.ClientCAs = clientCAs
	}
	for _, f := range adjust {
		f(s.TLS)
	}
	s.StartTLS()
	closeServer(t, s)
	return s
}

func newTLSTransport(t *testing.T, o transport.TLSOptions) *engineRT {
	t.Helper()
	cfg, err := transport.NewTLSConfig(o)
	require.NoError(t, err)
	return newTransport(t, transport.Config{HTTP1: true, HTTP2: true, TLSConfig: cfg})
}

func TestTLSVerification(t *testing.T) {
	ca := testenv.NewCA(t)
	dir := t.TempDir()
	caFile := testenv.WriteFile(t, dir, "ca.pem", ca.CertPEM)
	good := tlsServer(t, ca.Issue(t, testenv.CertOptions{}).TLS, nil)
	wrongHost := tlsServer(t, ca.Issue(t, testenv.CertOptions{Hosts: []string{"other.test"}}).TLS, nil)
	expired := tlsServer(t, ca.Issue(t, testenv.CertOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}).TLS, nil)

	for _, tc := range []struct {
		name string
		o    transport.TLSOptions
		url  string
		kind transport.Kind // KindOther: success
	}{
		{"CA file", transport.TLSOptions{Verify: true, CAFile: caFile}, good.URL, transport.KindOther},
		{"CA directory", transport.TLSOptions{Verify: true, CAFile: dir}, good.URL, transport.KindOther},
		{"unknown authority", transport.TLSOptions{Verify: true}, good.URL, transport.KindConnect},
		{"wrong host", transport.TLSOptions{Verify: true, CAFile: caFile}, wrongHost.URL, transport.KindConnect},
		{"expired", transport.TLSOptions{Verify: true, CAFile: caFile}, expired.URL, transport.KindConnect},
		{"verify off accepts wrong host", transport.TLSOptions{Verify: false}, wrongHost.URL, transport.KindOther},
		{"verify off accepts expired", transport.TLSOptions{Verify: false}, expired.URL, transport.KindOther},
		{"SSL_CERT_FILE", transport.TLSOptions{Verify: true, TrustEnv: true, Getenv: env("SSL_CERT_FILE", caFile)}, good.URL, transport.KindOther},
		{"SSL_CERT_FILE ignored without TrustEnv", transport.TLSOptions{Verify: true, Getenv: env("SSL_CERT_FILE", caFile)}, good.URL, transport.KindConnect},
		{"SSL_CERT_DIR", transport.TLSOptions{Verify: true, TrustEnv: true, Getenv: env("SSL_CERT_DIR", hashedDir(t, ca))}, good.URL, transport.KindOther},
		{"SSL_CERT_FILE wins over SSL_CERT_DIR", transport.TLSOptions{Verify: true, TrustEnv: true, Getenv: env("SSL_CERT_FILE", caFile, "SSL_CERT_DIR", t.TempDir())}, good.URL, transport.KindOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTLSTransport(t, tc.o)
			resp, err := do(t, tr, "GET", tc.url, nil, transport.Timeouts{Connect: time.Second})
			if tc.kind != transport.KindOther {
				requireKind(t, err, tc.kind)
				return
			}
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, 2, resp.ProtoMajor)
		})
	}
}

// env fakes os.Getenv from key/value pairs.
func env(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

// hashedDir makes an OpenSSL-style directory: the CA under its subject
// hash name (openssl x509 -hash), plus a file that is no certificate.
func hashedDir(t *testing.T, ca *testenv.CA) string {
	dir := t.TempDir()
	src := testenv.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM)
	out, err := exec.Command("openssl", "x509", "-hash", "-noout", "-in", src).Output()
	require.NoError(t, err)
	testenv.WriteFile(t, dir, strings.TrimSpace(string(out))+".0", ca.CertPEM)
	testenv.WriteFile(t, dir, "README", []byte("not a certificate"))
	return dir
}

func TestClientCertificates(t *testing.T) {
	ca := testenv.NewCA(t)
	dir := t.TempDir()
	caFile := testenv.WriteFile(t, dir, "ca.pem", ca.CertPEM)
	s := tlsServer(t, ca.Issue(t, testenv.CertOptions{}).TLS, ca.Pool)

	client := ca.Issue(t, testenv.CertOptions{Hosts: []string{"client"}, Client: true})
	certFile := testenv.WriteFile(t, dir, "client.pem", client.CertPEM)
	plain := testenv.WriteFile(t, dir, "plain.key", client.KeyPEM)
	pkcs8 := opensslKey(t, dir, plain, "pkcs8", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:s3cret")
	legacy := opensslKey(t, dir, plain, "legacy", "ec", "-aes256", "-passout", "pass:s3cret")
	combined := testenv.WriteFile(t, dir, "combined.pem", append(append([]byte{}, client.CertPEM...), client.KeyPEM...))

	for _, tc := range []struct {
		name, cert, key, password string
	}{
		{"plain key", certFile, plain, ""},
		{"encrypted PKCS#8", certFile, pkcs8, "s3cret"},
		{"legacy encrypted PEM", certFile, legacy, "s3cret"},
		{"certificate and key in one file", combined, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTLSTransport(t, transport.TLSOptions{Verify: true, CAFile: caFile, CertFile: tc.cert, KeyFile: tc.key, KeyPassword: tc.password})
			_, body := get(t, tr, s.URL, transport.Timeouts{Connect: time.Second, Read: time.Second})
			assert.Equal(t, "client", string(body))
		})
	}

	t.Run("no client certificate", func(t *testing.T) {
		// Under TLS 1.2 the server rejects the handshake itself.
		s12 := tlsServer(t, ca.Issue(t, testenv.CertOptions{}).TLS, ca.Pool,
			func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 })
		run(t, func(t *testing.T, m mode) {
			cfg, err := transport.NewTLSConfig(transport.TLSOptions{Verify: true, CAFile: caFile})
			require.NoError(t, err)
			tr := newTransport(t, transport.Config{HTTP1: true, HTTP2: m.h2, TLSConfig: cfg})
			_, err = do(t, tr, "GET", s12.URL, nil, transport.Timeouts{Connect: time.Second, Read: time.Second})
			requireKind(t, err, transport.KindConnect)

			// Under TLS 1.3 the client finishes its handshake first; the
			// server's alert (or its reset) then meets the first write or
			// read, whichever comes first.
			_, err = do(t, tr, "GET", s.URL, nil, transport.Timeouts{Connect: time.Second, Read: time.Second})
			require.Error(t, err)
			assert.Contains(t, []transport.Kind{transport.KindConnect, transport.KindRead, transport.KindWrite}, transport.Classify(err), "error: %v", err)
		})
	})
	t.Run("wrong password", func(t *testing.T) {
		_, err := transport.NewTLSConfig(transport.TLSOptions{Verify: true, CertFile: certFile, KeyFile: pkcs8, KeyPassword: "nope"})
		assert.ErrorIs(t, err, transport.ErrKeyPassword)
	})
}

// opensslKey converts the PEM key at in with "openssl <args>" and returns
// the new file.
func opensslKey(t *testing.T, dir, in, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name+".key")
	cmd := exec.Command("openssl", append(args, "-in", in, "-out", out)...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("openssl %v: %v\n%s", args, err, b)
	}
	return out
}

func TestSSLKeyLogFile(t *testing.T) {
	ca := testenv.NewCA(t)
	s := tlsServer(t, ca.Issue(t, testenv.CertOptions{}).TLS, nil)
	path := filepath.Join(t.TempDir(), "keys.log")
	require.NoError(t, os.WriteFile(path, []byte("# existing\n"), 0o600))
	cfg, err := transport.NewTLSConfig(transport.TLSOptions{Verify: true, TrustEnv: true, Getenv: env("SSLKEYLOGFILE", path)})
	require.NoError(t, err)
	cfg.RootCAs = ca.Pool
	t.Cleanup(func() { cfg.KeyLogWriter.(*os.File).Close() })
	tr := newTransport(t, transport.Config{HTTP2: true, HTTP1: true, TLSConfig: cfg})
	get(t, tr, s.URL, transport.Timeouts{})
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "# existing\n"), "appended, not truncated")
	assert.Contains(t, string(data), "CLIENT_HANDSHAKE_TRAFFIC_SECRET")

	cfg2, err := transport.NewTLSConfig(transport.TLSOptions{Verify: true, Getenv: env("SSLKEYLOGFILE", path)})
	require.NoError(t, err)
	assert.Nil(t, cfg2.KeyLogWriter, "only with TrustEnv")
}

func TestNewTLSConfigBase(t *testing.T) {
	base := &tls.Config{MinVersion: tls.VersionTLS13, ServerName: "x"}
	cfg, err := transport.NewTLSConfig(transport.TLSOptions{Verify: false, Base: base})
	require.NoError(t, err)
	assert.True(t, cfg.InsecureSkipVerify)
	assert.Equal(t, uint16(tls.VersionTLS13), cfg.MinVersion)
	assert.False(t, base.InsecureSkipVerify, "the base is copied, not changed")

	_, err = transport.NewTLSConfig(transport.TLSOptions{Verify: true, CAFile: filepath.Join(t.TempDir(), "missing.pem")})
	assert.Error(t, err)
	notPEM := testenv.WriteFile(t, t.TempDir(), "x.pem", pem.EncodeToMemory(&pem.Block{Type: "JUNK", Bytes: []byte{1}}))
	_, err = transport.NewTLSConfig(transport.TLSOptions{Verify: true, CAFile: notPEM})
	assert.Error(t, err)
}
