package httpx_test

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/internal/testenv"
	"github.com/klauspost/compress/zstd"
	"github.com/mccutchen/go-httpbin/v2/httpbin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

// protocolCase is one way of reaching a test handler over a real socket.
type protocolCase struct {
	name    string
	version string // what Response.HTTPVersion must say
	url     string
	opts    []httpx.ClientOption
}

// overProtocols serves h on loopback over HTTP/1.1, HTTP/2 over TLS and
// h2c, and runs f for each, the way net/http's own tests run one client test
// under both protocols.
func overProtocols(t *testing.T, h http.Handler, f func(t *testing.T, c *httpx.Client, base string)) {
	t.Helper()
	for _, pc := range serveProtocols(t, h) {
		t.Run(pc.name, func(t *testing.T) {
			c := httpx.NewClient(append(pc.opts, httpx.WithBaseURL(pc.url))...)
			t.Cleanup(func() { c.Close() })
			require.NoError(t, c.Err())
			r, err := c.Get(ctx, "/get")
			require.NoError(t, err)
			assert.Equal(t, pc.version, r.HTTPVersion())
			f(t, c, pc.url)
		})
	}
}

// serveProtocols serves h on loopback over HTTP/1.1, HTTP/2 over TLS and
// h2c, and returns how a client reaches each, for tests that build their
// own clients.
func serveProtocols(t *testing.T, h http.Handler) []protocolCase {
	t.Helper()
	plain := httptest.NewServer(h)
	t.Cleanup(plain.Close)

	tlsSrv := httptest.NewUnstartedServer(h)
	tlsSrv.EnableHTTP2 = true
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())

	h2cSrv := httptest.NewServer(h2c.NewHandler(h, &http2.Server{}))
	t.Cleanup(h2cSrv.Close)

	cases := []protocolCase{
		{"HTTP/1.1", "HTTP/1.1", plain.URL, nil},
		{"HTTP/2 over TLS", "HTTP/2", tlsSrv.URL, []httpx.ClientOption{httpx.WithHTTP2(true), httpx.WithTLSConfig(&tls.Config{RootCAs: pool})}},
		{"h2c prior knowledge", "HTTP/2", h2cSrv.URL, []httpx.ClientOption{httpx.WithHTTP1(false), httpx.WithHTTP2(true)}},
	}
	return cases
}

func httpbinHandler() http.Handler {
	return httpbin.New(httpbin.WithMaxDuration(5 * time.Second)).Handler()
}

func TestAgainstHTTPBin(t *testing.T) {
	ctx := within(t, 30*time.Second)
	overProtocols(t, httpbinHandler(), func(t *testing.T, c *httpx.Client, base string) {
		t.Run("gzip and deflate", func(t *testing.T) {
			for _, path := range []string{"/gzip", "/deflate"} {
				r, err := c.Get(ctx, path)
				require.NoError(t, err)
				var body map[string]any
				require.NoError(t, r.JSON(&body), path)
				assert.Equal(t, true, body[strings.TrimPrefix(path, "/")+"ped"] == true || body[strings.TrimPrefix(path, "/")+"d"] == true, path)
				assert.Less(t, r.NumBytesDownloaded(), int64(len(mustContent(t, r))), "%s: wire bytes are the compressed ones", path)
			}
		})
		t.Run("accept-encoding lists what we decode", func(t *testing.T) {
			r, err := c.Get(ctx, "/headers")
			require.NoError(t, err)
			var body struct{ Headers map[string][]string }
			require.NoError(t, r.JSON(&body))
			assert.Equal(t, []string{"gzip, deflate, br, zstd"}, body.Headers["Accept-Encoding"])
		})
		t.Run("stream-bytes", func(t *testing.T) {
			r, err := c.Stream(ctx, "GET", "/stream-bytes/100000?chunk_size=1000&seed=1")
			require.NoError(t, err)
			defer r.Close()
			n, err := io.Copy(io.Discard, r)
			require.NoError(t, err)
			assert.EqualValues(t, 100000, n)
		})
		t.Run("drip trickles slower than the read timeout in total", func(t *testing.T) {
			r, err := c.Get(ctx, "/drip?duration=0.6&numbytes=6&delay=0", httpx.WithTimeout(httpx.Timeout{Read: 400 * time.Millisecond}))
			require.NoError(t, err)
			assert.Len(t, mustContent(t, r), 6)
		})
		t.Run("delay beyond the read timeout", func(t *testing.T) {
			_, err := c.Get(ctx, "/delay/1", httpx.WithTimeout(httpx.Timeout{Read: 150 * time.Millisecond}))
			require.ErrorIs(t, err, httpx.ErrReadTimeout)
			assert.ErrorIs(t, err, httpx.ErrTimeout)
		})
		t.Run("status", func(t *testing.T) {
			for _, code := range []int{200, 204, 404, 418, 503} {
				r, err := c.Get(ctx, fmt.Sprintf("/status/%d", code))
				require.NoError(t, err)
				assert.Equal(t, code, r.StatusCode)
			}
		})
		t.Run("redirects", func(t *testing.T) {
			r, err := c.Get(ctx, "/redirect/3", httpx.WithFollowRedirects(true))
			require.NoError(t, err)
			assert.Equal(t, 200, r.StatusCode)
			assert.Len(t, r.History, 3)
			assert.Equal(t, base+"/get", r.URL().String())
			_, err = c.Get(ctx, "/redirect/3", httpx.WithFollowRedirects(true), httpx.WithTimeout(httpx.DefaultTimeout))
			require.NoError(t, err)
			r, err = c.Get(ctx, "/absolute-redirect/2", httpx.WithFollowRedirects(true))
			require.NoError(t, err)
			assert.Len(t, r.History, 2)
		})
		t.Run("cookies", func(t *testing.T) {
			_, err := c.Get(ctx, "/cookies/set?flavour=oatmeal", httpx.WithFollowRedirects(true))
			require.NoError(t, err)
			r, err := c.Get(ctx, "/cookies")
			require.NoError(t, err)
			var body map[string]string
			require.NoError(t, r.JSON(&body))
			assert.Equal(t, "oatmeal", body["flavour"])
		})
		t.Run("post body and form", func(t *testing.T) {
			r, err := c.Post(ctx, "/post", httpx.WithForm(map[string]string{"a": "1 2"}))
			require.NoError(t, err)
			var body struct{ Form map[string][]string }
			require.NoError(t, r.JSON(&body))
			assert.Equal(t, []string{"1 2"}, body.Form["a"])
		})
	})
}

func mustContent(t *testing.T, r *httpx.Response) []byte {
	t.Helper()
	b, err := r.Content()
	require.NoError(t, err)
	return b
}

// encodingHandler serves a body compressed with the encodings named by the
// path, e.g. /enc/gzip,br, using the same libraries the client decodes with.
func encodingHandler(t *testing.T, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		names := strings.Split(strings.TrimPrefix(r.URL.Path, "/enc/"), ",")
		data := body
		for _, name := range names {
			var buf bytes.Buffer
			var wc io.WriteCloser
			switch name {
			case "gzip":
				wc = gzip.NewWriter(&buf)
			case "br":
				wc = brotli.NewWriter(&buf)
			case "zstd":
				zw, err := zstd.NewWriter(&buf)
				if err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
				wc = zw
			case "identity":
				buf.Write(data)
			case "corrupt":
				buf.WriteString("\x1f\x8b garbage that is not gzip")
			}
			if wc != nil {
				wc.Write(data)
				wc.Close()
			}
			data = buf.Bytes()
		}
		w.Header().Set("Content-Encoding", strings.ReplaceAll(strings.Join(names, ", "), "corrupt", "gzip"))
		w.Write(data)
	})
}

func TestContentEncodingsOverTheNetwork(t *testing.T) {
	body := bytes.Repeat([]byte("decode me please; "), 4000)
	overProtocols(t, encodingHandler(t, body), func(t *testing.T, c *httpx.Client, base string) {
		for _, enc := range []string{"gzip", "br", "zstd", "identity", "gzip,br", "zstd,gzip,br"} {
			r, err := c.Get(ctx, "/enc/"+enc)
			require.NoError(t, err, enc)
			assert.Equal(t, body, mustContent(t, r), enc)
			if enc != "identity" {
				assert.Less(t, r.NumBytesDownloaded(), int64(len(body)), enc)
			}
		}
		r, err := c.Stream(ctx, "GET", "/enc/br")
		require.NoError(t, err)
		var raw []byte
		for chunk, err := range r.IterRaw(0) {
			require.NoError(t, err)
			raw = append(raw, chunk...)
		}
		decoded, err := io.ReadAll(brotli.NewReader(bytes.NewReader(raw)))
		require.NoError(t, err)
		assert.Equal(t, body, decoded, "IterRaw gives the wire bytes")

		_, err = c.Get(ctx, "/enc/corrupt")
		require.ErrorIs(t, err, httpx.ErrDecoding)
	})
}

func TestStreamingUploadOverProtocols(t *testing.T) {
	var received atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received.Store(n)
		fmt.Fprintf(w, "%d %v", n, r.TransferEncoding)
	})
	overProtocols(t, h, func(t *testing.T, c *httpx.Client, base string) {
		const size = 8 << 20
		r, err := c.Post(ctx, "/upload", httpx.WithBody(io.LimitReader(zeros{}, size)))
		require.NoError(t, err)
		assert.EqualValues(t, size, received.Load())
		assert.Equal(t, "chunked", r.Request.Headers.Get("Transfer-Encoding"))
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestConnectionRefusedIsConnectError(t *testing.T) {
	ctx := within(t, 10*time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	c := httpx.NewClient()
	defer c.Close()
	_, err = c.Get(ctx, "http://"+addr+"/")
	require.ErrorIs(t, err, httpx.ErrConnect)
	assert.ErrorIs(t, err, httpx.ErrNetwork)
}

// TestMaxKeepaliveConnections: of the connections n concurrent requests
// opened, at most MaxKeepaliveConnections stay idle afterwards; zero means
// DefaultLimits' 20, NoLimit keeps them all.
func TestMaxKeepaliveConnections(t *testing.T) {
	for _, tc := range []struct {
		name     string
		limits   httpx.Limits
		n        int
		wantIdle int
	}{
		{"two kept", httpx.Limits{MaxKeepaliveConnections: 2}, 5, 2},
		{"zero takes the default", httpx.Limits{}, httpx.DefaultLimits.MaxKeepaliveConnections + 2, httpx.DefaultLimits.MaxKeepaliveConnections},
		{"NoLimit keeps all", httpx.Limits{MaxKeepaliveConnections: httpx.NoLimit}, 5, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var arrived atomic.Int32
			all := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if int(arrived.Add(1)) == tc.n {
					close(all)
				}
				select { // hold every request until each has its own connection
				case <-all:
				case <-time.After(5 * time.Second):
				}
			}))
			defer srv.Close()
			tr := &httpx.HTTPTransport{Limits: tc.limits}
			c := httpx.NewClient(httpx.WithTransport(tr))
			defer c.Close()
			errs := make(chan error, tc.n)
			for range tc.n {
				go func() {
					_, err := c.Get(ctx, srv.URL)
					errs <- err
				}()
			}
			for range tc.n {
				require.NoError(t, <-errs)
			}
			require.Eventually(t, func() bool {
				return tr.Stats() == httpx.PoolStats{Connections: tc.wantIdle, Idle: tc.wantIdle}
			}, 2*time.Second, 5*time.Millisecond, "idle connections kept")
			assert.Equal(t, httpx.PoolStats{Connections: tc.wantIdle, Idle: tc.wantIdle}, tr.Stats())
		})
	}
}

// TestKeepaliveExpiryDefault: a zero KeepaliveExpiry takes DefaultLimits'
// value, so idle connections are closed after it instead of kept forever.
// DefaultLimits is shortened for the test so that it needs no 5 s wait.
func TestKeepaliveExpiryDefault(t *testing.T) {
	saved := httpx.DefaultLimits
	t.Cleanup(func() { httpx.DefaultLimits = saved })
	httpx.DefaultLimits.KeepaliveExpiry = 200 * time.Millisecond

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tr := &httpx.HTTPTransport{Limits: httpx.Limits{MaxConnections: 10}}
	c := httpx.NewClient(httpx.WithTransport(tr))
	defer c.Close()
	_, err := c.Get(ctx, srv.URL)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return tr.Stats().Idle == 1 }, 2*time.Second, 5*time.Millisecond, "kept alive at first")
	require.Eventually(t, func() bool { return tr.Stats() == httpx.PoolStats{} }, 2*time.Second, 10*time.Millisecond,
		"the idle connection outlived the default expiry")
}

func TestPoolTimeoutWithOneConnection(t *testing.T) {
	ctx := within(t, 10*time.Second)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first chunk"))
		w.(http.Flusher).Flush()
		if r.URL.Path == "/hold" {
			<-release
		}
	}))
	defer srv.Close()
	defer close(release)
	c := httpx.NewClient(httpx.WithLimits(httpx.Limits{MaxConnections: 1}), httpx.WithTimeout(httpx.Timeout{Pool: 150 * time.Millisecond}))
	defer c.Close()
	held, err := c.Stream(ctx, "GET", srv.URL+"/hold")
	require.NoError(t, err)
	defer held.Close()
	_, err = c.Get(ctx, srv.URL+"/other")
	require.ErrorIs(t, err, httpx.ErrPoolTimeout)
}

func TestWriteTimeoutWhenServerDoesNotRead(t *testing.T) {
	ctx := within(t, 10*time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if conn, err := ln.Accept(); err == nil {
			accepted <- conn // never read
		}
	}()
	defer func() {
		select {
		case conn := <-accepted:
			conn.Close()
		default:
		}
	}()
	c := httpx.NewClient(httpx.WithTimeout(httpx.Timeout{Write: 200 * time.Millisecond, Read: 5 * time.Second}))
	defer c.Close()
	_, err = c.Post(ctx, "http://"+ln.Addr().String()+"/", httpx.WithBody(io.LimitReader(zeros{}, 256<<20)))
	require.ErrorIs(t, err, httpx.ErrWriteTimeout)
}

func TestConnectTimeoutOnStalledTLSHandshake(t *testing.T) {
	ctx := within(t, 10*time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, conn) // accept, never speak TLS
		}
	}()
	c := httpx.NewClient(httpx.WithTimeout(httpx.Timeout{Connect: 150 * time.Millisecond}))
	defer c.Close()
	_, err = c.Get(ctx, "https://"+ln.Addr().String()+"/")
	require.ErrorIs(t, err, httpx.ErrConnectTimeout)
	ln.Close()
	<-done
	for _, conn := range conns {
		conn.Close()
	}
}

func TestTLSOptions(t *testing.T) {
	ca := testenv.NewCA(t)
	serverCert := ca.Issue(t, testenv.CertOptions{})
	clientCert := ca.Issue(t, testenv.CertOptions{Client: true})
	dir := t.TempDir()
	caFile := testenv.WriteFile(t, dir, "ca.pem", ca.CertPEM)
	certFile := testenv.WriteFile(t, dir, "client.pem", clientCert.CertPEM)
	keyFile := testenv.WriteFile(t, dir, "client-key.pem", clientCert.KeyPEM)

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "anonymous"
		if len(r.TLS.PeerCertificates) > 0 {
			name = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		fmt.Fprint(w, name)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert.TLS}, ClientCAs: ca.Pool, ClientAuth: tls.VerifyClientCertIfGiven}
	srv.StartTLS()
	defer srv.Close()

	get := func(opts ...httpx.ClientOption) (string, error) {
		c := httpx.NewClient(opts...)
		defer c.Close()
		if err := c.Err(); err != nil {
			return "", err
		}
		r, err := c.Get(ctx, srv.URL)
		if err != nil {
			return "", err
		}
		text, err := r.Text()
		return text, err
	}

	_, err := get()
	assert.ErrorIs(t, err, httpx.ErrConnect, "system roots do not know the test CA")
	text, err := get(httpx.WithVerify(false))
	require.NoError(t, err)
	assert.Equal(t, "anonymous", text)
	text, err = get(httpx.WithCAFile(caFile))
	require.NoError(t, err)
	assert.Equal(t, "anonymous", text)
	text, err = get(httpx.WithTLSConfig(&tls.Config{RootCAs: ca.Pool}))
	require.NoError(t, err)
	assert.Equal(t, "anonymous", text)
	text, err = get(httpx.WithCAFile(caFile), httpx.WithCert(certFile, keyFile, ""))
	require.NoError(t, err)
	assert.Equal(t, "localhost", text, "the client certificate was presented")

	_, err = get(httpx.WithCAFile(filepath.Join(dir, "missing.pem")))
	assert.ErrorIs(t, err, httpx.ErrUsage, "an unreadable CA file is a clear construction error")

	t.Run("SSL_CERT_FILE with trust_env", func(t *testing.T) {
		t.Setenv("SSL_CERT_FILE", caFile)
		_, err := get()
		require.NoError(t, err)
		_, err = get(httpx.WithTrustEnv(false))
		assert.ErrorIs(t, err, httpx.ErrConnect)
	})
	t.Run("SSLKEYLOGFILE only with trust_env", func(t *testing.T) {
		keylog := filepath.Join(t.TempDir(), "keys.log")
		t.Setenv("SSLKEYLOGFILE", keylog)
		_, err := get(httpx.WithCAFile(caFile), httpx.WithTrustEnv(false))
		require.NoError(t, err)
		_, statErr := os.Stat(keylog)
		assert.True(t, os.IsNotExist(statErr), "no key log without trust_env")
		_, err = get(httpx.WithCAFile(caFile))
		require.NoError(t, err)
		b, err := os.ReadFile(keylog)
		require.NoError(t, err)
		assert.Contains(t, string(b), "CLIENT_")
	})
	t.Run("verification cannot be disabled by the environment", func(t *testing.T) {
		for _, kv := range [][2]string{{"SSL_CERT_FILE", ""}, {"SSL_CERT_DIR", ""}, {"GODEBUG", "x509ignoreCN=0"}, {"PYTHONHTTPSVERIFY", "0"}, {"CURL_CA_BUNDLE", ""}, {"REQUESTS_CA_BUNDLE", ""}} {
			t.Setenv(kv[0], kv[1])
		}
		_, err := get()
		assert.ErrorIs(t, err, httpx.ErrConnect)
	})
	t.Run("NewTLSConfig", func(t *testing.T) {
		cfg, err := httpx.NewTLSConfig(httpx.WithCAFile(caFile), httpx.WithCert(certFile, keyFile, ""), httpx.WithTrustEnv(false))
		require.NoError(t, err)
		text, err := get(httpx.WithTLSConfig(cfg))
		require.NoError(t, err)
		assert.Equal(t, "localhost", text, "the certificate from NewTLSConfig was presented")
		_, err = httpx.NewTLSConfig(httpx.WithCert(certFile, filepath.Join(dir, "missing.pem"), ""))
		assert.ErrorIs(t, err, httpx.ErrUsage)
	})
	assertPEM(t, ca.CertPEM)
}

// TestNewTLSConfigALPN: NewTLSConfig with WithHTTP2(true) offers h2 by ALPN
// (HTTPX's create_ssl_context(http2=True)), so a server that speaks HTTP/2
// picks it.
func TestNewTLSConfigALPN(t *testing.T) {
	ca := testenv.NewCA(t)
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, testenv.CertOptions{}).TLS}}
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	cases := []struct {
		name       string
		opts       []httpx.ClientOption
		offered    []string
		negotiated string
	}{
		{name: "default", offered: nil, negotiated: ""},
		{name: "HTTP/2", opts: []httpx.ClientOption{httpx.WithHTTP2(true)}, offered: []string{"h2", "http/1.1"}, negotiated: "h2"},
		{name: "HTTP/2 only", opts: []httpx.ClientOption{httpx.WithHTTP1(false), httpx.WithHTTP2(true)}, offered: []string{"h2"}, negotiated: "h2"},
		{name: "HTTP/2 off", opts: []httpx.ClientOption{httpx.WithHTTP2(false)}, offered: nil, negotiated: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := httpx.NewTLSConfig(append(tc.opts, httpx.WithTLSConfig(&tls.Config{RootCAs: ca.Pool}))...)
			require.NoError(t, err)
			assert.Equal(t, tc.offered, cfg.NextProtos)
			d := tls.Dialer{Config: cfg}
			conn, err := d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			assert.Equal(t, tc.negotiated, conn.(*tls.Conn).ConnectionState().NegotiatedProtocol)
		})
	}
}

func assertPEM(t *testing.T, b []byte) {
	block, _ := pem.Decode(b)
	require.NotNil(t, block)
}

func TestUnixDomainSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "api.sock")
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "host=%s path=%s", r.Host, r.URL.Path)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	c := httpx.NewClient(httpx.WithTransport(&httpx.HTTPTransport{UDS: sock}))
	defer c.Close()
	r, err := c.Get(ctx, "http://docker/info")
	require.NoError(t, err)
	text, _ := r.Text()
	assert.Equal(t, "host=docker path=/info", text)
}

func TestLocalAddressAndRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		fmt.Fprint(w, host)
	}))
	defer srv.Close()
	c := httpx.NewClient(httpx.WithTransport(&httpx.HTTPTransport{LocalAddress: "127.0.0.1", Retries: 1}))
	defer c.Close()
	r, err := c.Get(ctx, srv.URL)
	require.NoError(t, err)
	text, _ := r.Text()
	assert.Equal(t, "127.0.0.1", text)

	// A port that comes up late is reached thanks to retries (the first
	// attempt is immediate, the second waits 0.5 s).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	late := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "late") })}
	go func() {
		time.Sleep(200 * time.Millisecond)
		if ln, err := net.Listen("tcp", addr); err == nil {
			late.Serve(ln)
		}
	}()
	defer late.Close()
	retrying := httpx.NewClient(httpx.WithTransport(&httpx.HTTPTransport{Retries: 3}))
	defer retrying.Close()
	start := time.Now()
	r, err = retrying.Get(ctx, "http://"+addr+"/")
	require.NoError(t, err)
	text, _ = r.Text()
	assert.Equal(t, "late", text)
	assert.GreaterOrEqual(t, time.Since(start), 400*time.Millisecond)
}

// TestInvalidHTTPTransportSettings: settings that can never work are an
// ErrUsage error from Err and from every request, which never reaches the
// network.
func TestInvalidHTTPTransportSettings(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, tc := range []struct {
		name string
		tr   *httpx.HTTPTransport
	}{
		{"negative Retries", &httpx.HTTPTransport{Retries: -1}},
		{"LocalAddress not an IP", &httpx.HTTPTransport{LocalAddress: "nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			assert.ErrorIs(t, tc.tr.Err(), httpx.ErrUsage)
			c := httpx.NewClient(httpx.WithTransport(tc.tr))
			defer c.Close()
			_, err := c.Get(ctx, srv.URL)
			assert.ErrorIs(t, err, httpx.ErrUsage)
			assert.Zero(t, hits.Load(), "the request reached the server")
		})
	}
}

func TestNginxIntegration(t *testing.T) {
	ng := testenv.Nginx(t)
	cases := []struct {
		name, url, version string
		opts               []httpx.ClientOption
	}{
		{"TLS with HTTP/2", ng.HTTPSURL, "HTTP/2", []httpx.ClientOption{httpx.WithCAFile(ng.CAFile), httpx.WithHTTP2(true)}},
		{"TLS with HTTP/1.1", ng.HTTPSURL, "HTTP/1.1", []httpx.ClientOption{httpx.WithCAFile(ng.CAFile)}},
		{"h2c", ng.H2CURL, "HTTP/2", []httpx.ClientOption{httpx.WithHTTP1(false), httpx.WithHTTP2(true)}},
		{"plain HTTP/1.1", ng.HTTPURL, "HTTP/1.1", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := httpx.NewClient(append(tc.opts, httpx.WithBaseURL(tc.url))...)
			defer c.Close()
			r, err := c.Get(ctx, "/json")
			require.NoError(t, err)
			assert.Equal(t, tc.version, r.HTTPVersion())
			var v map[string]any
			require.NoError(t, r.JSON(&v))
			r, err = c.Get(ctx, "/bytes/1048576")
			require.NoError(t, err)
			assert.Equal(t, testenv.Pattern(1<<20), mustContent(t, r))
			r, err = c.Get(ctx, "/status/418")
			require.NoError(t, err)
			assert.Equal(t, 418, r.StatusCode)
		})
	}
}
