package transport_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gohttpx/httpx/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// mode is one HTTP version a behaviour must hold under, as net/http's own
// tests run each client test under HTTP/1 and HTTP/2.
type mode struct {
	name string
	h2   bool
}

var modes = []mode{{"HTTP1", false}, {"HTTP2", true}}

// run runs f once per mode.
func run(t *testing.T, f func(t *testing.T, m mode)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { f(t, m) })
	}
}

// server starts a test server for m: plain HTTP/1.1, or TLS offering h2.
// The returned config trusts it and speaks m's protocol.
func (m mode) server(t *testing.T, h http.Handler, setup ...func(*httptest.Server)) (*httptest.Server, transport.Config) {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	for _, f := range setup {
		f(s)
	}
	if !m.h2 {
		s.Start()
		closeServer(t, s)
		return s, transport.Config{HTTP1: true}
	}
	s.EnableHTTP2 = true
	s.StartTLS()
	closeServer(t, s)
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return s, transport.Config{HTTP1: true, HTTP2: true, TLSConfig: tlsConfigWithRoots(pool)}
}

// engineRT sends net/http's requests through an Engine, so that tests
// written with net/http's types (httptest servers, *http.Request built by
// http.NewRequest) check the Engine. It converts as the root package does:
// the URL's host:port to dial, the request-target, Host first, the body and
// its length (net/http's 0 with a body means unknown), GetBody for replays,
// and forwarding of http:// requests to an HTTP proxy.
type engineRT struct {
	*transport.Engine
	cfg transport.Config
}

// newTransport builds an Engine closed at the end of the test.
func newTransport(t testing.TB, cfg transport.Config) *engineRT {
	t.Helper()
	return &engineRT{Engine: newEngine(t, cfg), cfg: cfg}
}

// serverNameKey carries a TLS server name in a request's context to
// engineRT (HTTPX's sni_hostname extension).
type serverNameKey struct{}

func withServerName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, serverNameKey{}, name)
}

// RoundTrip sends req with the timeouts to.
func (rt *engineRT) RoundTrip(req *http.Request, to transport.Timeouts) (*http.Response, error) {
	u := req.URL
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	host := req.Host
	if host == "" {
		host = u.Host
	}
	ereq := &transport.Request{
		Method:        req.Method,
		Scheme:        u.Scheme,
		Addr:          net.JoinHostPort(u.Hostname(), port),
		Target:        u.RequestURI(),
		ContentLength: req.ContentLength,
		Timeouts:      to,
	}
	if name, ok := req.Context().Value(serverNameKey{}).(string); ok {
		ereq.ServerName = name
	}
	if pu := rt.cfg.ProxyURL; pu != nil && (pu.Scheme == "http" || pu.Scheme == "https") && u.Scheme == "http" {
		ereq.Forward = true
		ereq.Target = u.Scheme + "://" + u.Host + u.RequestURI()
	}
	fields := transport.FieldList{"Host", host}
	for _, name := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[name] {
			fields = append(fields, name, v)
		}
	}
	ereq.Header = fields
	if req.Body != nil && req.Body != http.NoBody {
		ereq.Body = req.Body
		if ereq.ContentLength == 0 {
			ereq.ContentLength = -1
		}
		if req.GetBody != nil {
			ereq.GetBody = func() (io.Reader, error) { return req.GetBody() }
		}
	} else {
		ereq.ContentLength = 0
	}
	eresp, err := rt.Do(req.Context(), ereq)
	if err != nil {
		return nil, err
	}
	resp := &http.Response{
		Status:     strconv.Itoa(eresp.Status) + " " + eresp.Reason,
		StatusCode: eresp.Status,
		Proto:      eresp.Proto,
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{},
		Body:       eresp.Body,
		Request:    req,
		TLS:        eresp.TLS,
	}
	switch eresp.Proto {
	case "HTTP/2":
		resp.ProtoMajor, resp.ProtoMinor = 2, 0
	case "HTTP/1.0":
		resp.ProtoMinor = 0
	}
	for _, f := range eresp.Header {
		resp.Header.Add(f.Name, f.Value)
	}
	return resp, nil
}

// do sends a request with the given timeouts, under a deadline of its own:
// a broken timeout or pool fails the test by name within seconds instead
// of hanging until go test's -timeout.
func do(t testing.TB, tr *engineRT, method, url string, body io.Reader, to transport.Timeouts) (*http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	t.Cleanup(cancel)
	return doCtx(ctx, t, tr, method, url, body, to)
}

// testDeadline bounds every request a test sends.
const testDeadline = 10 * time.Second

func doCtx(ctx context.Context, t testing.TB, tr *engineRT, method, url string, body io.Reader, to transport.Timeouts) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	require.NoError(t, err)
	return tr.RoundTrip(req, to)
}

// get sends a GET that must succeed and returns the response and its body.
func get(t testing.TB, tr *engineRT, url string, to transport.Timeouts) (*http.Response, []byte) {
	t.Helper()
	resp, err := do(t, tr, "GET", url, nil, to)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// requireKind asserts err is a *transport.Error of kind k.
func requireKind(t testing.TB, err error, k transport.Kind) *transport.Error {
	t.Helper()
	require.Error(t, err)
	var te *transport.Error
	require.True(t, errors.As(err, &te), "not a *transport.Error: %T %v", err, err)
	require.Equal(t, k.String(), te.Kind.String(), "error: %v", err)
	return te
}

// block returns a channel closed when the test ends, before its servers
// close, for handlers that must hang until then.
func block(t testing.TB) chan struct{} {
	return blocker(t).ch
}

type blockCh struct {
	ch   chan struct{}
	once sync.Once
}

func (b *blockCh) release() { b.once.Do(func() { close(b.ch) }) }

var blockers sync.Map // testing.TB -> *blockCh

func blocker(t testing.TB) *blockCh {
	b, loaded := blockers.LoadOrStore(t, &blockCh{ch: make(chan struct{})})
	if !loaded {
		t.Cleanup(func() { b.(*blockCh).release(); blockers.Delete(t) })
	}
	return b.(*blockCh)
}

// closeServer releases blocked handlers, then closes s.
func closeServer(t testing.TB, s interface{ Close() }) {
	t.Cleanup(func() {
		if b, ok := blockers.Load(t); ok {
			b.(*blockCh).release()
		}
		s.Close()
	})
}

// counter counts connections a server accepted and how many were open at
// most at once, through http.Server.ConnState.
type counter struct {
	open, max, total atomic.Int32
}

func (c *counter) hook(_ net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		c.total.Add(1)
		n := c.open.Add(1)
		for {
			m := c.max.Load()
			if n <= m || c.max.CompareAndSwap(m, n) {
				break
			}
		}
	case http.StateClosed, http.StateHijacked:
		c.open.Add(-1)
	}
}

// eventually polls cond for up to two seconds.
func eventually(t testing.TB, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 2*time.Second, 5*time.Millisecond, msg)
}

// zeros is an endless-enough reader of n zero bytes that allocates nothing.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

func tlsConfigWithRoots(pool *x509.CertPool) *tls.Config { return &tls.Config{RootCAs: pool} }
