package otelhttpx_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gohttpx/httpx"
	otelhttpx "github.com/gohttpx/httpx/otel"
)

// telemetry is an in-memory tracer and meter provider pair.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t *testing.T) *telemetry {
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

// client is an instrumented client that talks to loopback servers only.
func (tel *telemetry) client(opts ...httpx.ClientOption) *httpx.Client {
	opts = append([]httpx.ClientOption{
		httpx.WithTrustEnv(false),
		otelhttpx.Instrument(
			otelhttpx.WithTracerProvider(tel.tp),
			otelhttpx.WithMeterProvider(tel.mp),
			otelhttpx.WithPropagators(propagation.TraceContext{}),
		),
	}, opts...)
	return httpx.NewClient(opts...)
}

// ended splits the ended spans into the one INTERNAL span and its CLIENT
// children, in the order they started, checking that they nest.
func (tel *telemetry) ended(t *testing.T) (sdktrace.ReadOnlySpan, []sdktrace.ReadOnlySpan) {
	t.Helper()
	var (
		parent   sdktrace.ReadOnlySpan
		children []sdktrace.ReadOnlySpan
	)
	for _, s := range tel.spans.Ended() {
		switch s.SpanKind() {
		case trace.SpanKindInternal:
			require.Nil(t, parent, "one INTERNAL span")
			parent = s
		case trace.SpanKindClient:
			children = append(children, s)
		default:
			t.Fatalf("span %q of kind %v", s.Name(), s.SpanKind())
		}
	}
	require.NotNil(t, parent, "an INTERNAL span")
	for _, c := range children {
		assert.Equal(t, parent.SpanContext().SpanID(), c.Parent().SpanID(), "CLIENT span %q nests under the logical one", c.Name())
		assert.Equal(t, parent.SpanContext().TraceID(), c.SpanContext().TraceID())
	}
	for i := 1; i < len(children); i++ {
		require.False(t, children[i].StartTime().Before(children[i-1].StartTime()))
	}
	return parent, children
}

// durationCounts returns the http.client.request.duration data points' counts.
func (tel *telemetry) durationCounts(t *testing.T) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "http.client.request.duration" {
				continue
			}
			assert.Equal(t, "s", m.Unit)
			h, ok := m.Data.(metricdata.Histogram[float64])
			require.True(t, ok, "a float64 histogram")
			return h.DataPoints
		}
	}
	return nil
}

func totalCount(points []metricdata.HistogramDataPoint[float64]) uint64 {
	var n uint64
	for _, p := range points {
		n += p.Count
	}
	return n
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func hostPort(t *testing.T, rawURL string) (string, int64) {
	t.Helper()
	u, err := httpx.ParseURL(rawURL)
	require.NoError(t, err)
	return u.RawHost(), int64(u.EffectivePort())
}

// traceparents records the traceparent header of every request it serves.
type traceparents struct {
	mu   sync.Mutex
	seen []string
}

func (tp *traceparents) record(r *http.Request) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.seen = append(tp.seen, r.Header.Get("Traceparent"))
}

func (tp *traceparents) all() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append([]string(nil), tp.seen...)
}

func traceparentOf(s sdktrace.ReadOnlySpan) string {
	sc := s.SpanContext()
	return "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + sc.TraceFlags().String()
}

func TestGetIsOneInternalSpanAndOneClientSpan(t *testing.T) {
	var tps traceparents
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tps.record(r)
		_, _ = io.WriteString(w, "hello")
	}))
	defer srv.Close()
	tel := newTelemetry(t)

	resp, err := tel.client().Get(context.Background(), srv.URL+"/path?q=1")
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)

	parent, children := tel.ended(t)
	require.Len(t, children, 1)
	host, port := hostPort(t, srv.URL)
	for _, s := range []sdktrace.ReadOnlySpan{parent, children[0]} {
		assert.Equal(t, "GET", s.Name())
		a := attrs(s)
		assert.Equal(t, "GET", a["http.request.method"].AsString())
		assert.Equal(t, srv.URL+"/path?q=1", a["url.full"].AsString())
		assert.Equal(t, host, a["server.address"].AsString())
		assert.Equal(t, port, a["server.port"].AsInt64())
		assert.Equal(t, int64(200), a["http.response.status_code"].AsInt64())
		assert.Equal(t, "1.1", a["network.protocol.version"].AsString())
		assert.NotContains(t, a, attribute.Key("error.type"))
		assert.NotContains(t, a, attribute.Key("http.request.resend_count"))
		assert.Equal(t, codes.Unset, s.Status().Code)
	}
	assert.Equal(t, []string{traceparentOf(children[0])}, tps.all(), "the server sees the CLIENT span's context")

	points := tel.durationCounts(t)
	require.Len(t, points, 1)
	assert.Equal(t, uint64(1), points[0].Count)
	method, _ := points[0].Attributes.Value("http.request.method")
	assert.Equal(t, "GET", method.AsString())
	status, _ := points[0].Attributes.Value("http.response.status_code")
	assert.Equal(t, int64(200), status.AsInt64())
	_, hasURL := points[0].Attributes.Value("url.full")
	assert.False(t, hasURL, "url.full is not a metric attribute")
}

func TestEveryPhysicalRequestIsAClientSpan(t *testing.T) {
	var calls atomic.Int32
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    []httpx.ClientOption
		path    string
		status  int
		paths   []string // each CLIENT span's url path
		errType string   // the INTERNAL span's error.type
	}{
		{
			name: "redirect",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/from" {
					http.Redirect(w, r, "/to", http.StatusFound)
					return
				}
				_, _ = io.WriteString(w, "here")
			},
			opts:   []httpx.ClientOption{httpx.WithFollowRedirects(true)},
			path:   "/from",
			status: 200,
			paths:  []string{"/from", "/to"},
		},
		{
			name: "retry after 503",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				_, _ = io.WriteString(w, "ok")
			},
			opts:   []httpx.ClientOption{httpx.WithRetry(httpx.RetryPolicy{Attempts: 3, Backoff: time.Millisecond})},
			path:   "/flaky",
			status: 200,
			paths:  []string{"/flaky", "/flaky"},
		},
		{
			name: "retries exhausted",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			},
			opts:    []httpx.ClientOption{httpx.WithRetry(httpx.RetryPolicy{Attempts: 3, Backoff: time.Millisecond})},
			path:    "/down",
			status:  503,
			paths:   []string{"/down", "/down", "/down"},
			errType: "503",
		},
		{
			name: "digest auth",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.Header.Get("Authorization"), "Digest ") {
					w.Header().Set("WWW-Authenticate", `Digest realm="r", nonce="n1", qop="auth"`)
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				_, _ = io.WriteString(w, "in")
			},
			opts:   []httpx.ClientOption{httpx.WithAuth(httpx.DigestAuth("user", "pass"))},
			path:   "/secret",
			status: 200,
			paths:  []string{"/secret", "/secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tps traceparents
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tps.record(r)
				tt.handler(w, r)
			}))
			defer srv.Close()
			tel := newTelemetry(t)

			resp, err := tel.client(tt.opts...).Get(context.Background(), srv.URL+tt.path)
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode)

			parent, children := tel.ended(t)
			require.Len(t, children, len(tt.paths))
			want := make([]string, len(children))
			for i, c := range children {
				a := attrs(c)
				assert.Equal(t, srv.URL+tt.paths[i], a["url.full"].AsString(), "span %d", i)
				if i == 0 {
					assert.NotContains(t, a, attribute.Key("http.request.resend_count"))
				} else {
					assert.Equal(t, int64(i), a["http.request.resend_count"].AsInt64(), "span %d", i)
				}
				want[i] = traceparentOf(c)
			}
			assert.Equal(t, want, tps.all(), "each physical request carries its own span's context")
			pa := attrs(parent)
			assert.Equal(t, srv.URL+tt.paths[len(tt.paths)-1], pa["url.full"].AsString(), "the final outcome")
			assert.Equal(t, int64(tt.status), pa["http.response.status_code"].AsInt64())
			if tt.errType == "" {
				assert.NotContains(t, pa, attribute.Key("error.type"))
			} else {
				assert.Equal(t, tt.errType, pa["error.type"].AsString())
			}
			assert.Equal(t, uint64(len(tt.paths)), totalCount(tel.durationCounts(t)), "one duration per physical request")
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestErrorType(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stall" {
			time.Sleep(300 * time.Millisecond)
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		url     string
		opts    []httpx.RequestOption
		errType string
		status  int64 // 0: no response
	}{
		{"404", srv.URL + "/missing", nil, "404", 404},
		{"connect error", "http://" + closedPort(t) + "/", nil, "ConnectError", 0},
		{"read timeout", srv.URL + "/stall", []httpx.RequestOption{httpx.WithTimeout(httpx.Timeout{Connect: time.Second, Read: 50 * time.Millisecond, Write: time.Second, Pool: time.Second})}, "ReadTimeout", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			resp, err := tel.client().Get(context.Background(), tt.url, tt.opts...)
			if tt.status == 0 {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				require.Equal(t, int(tt.status), resp.StatusCode)
			}
			parent, children := tel.ended(t)
			require.Len(t, children, 1)
			for _, s := range []sdktrace.ReadOnlySpan{parent, children[0]} {
				a := attrs(s)
				assert.Equal(t, tt.errType, a["error.type"].AsString(), s.SpanKind().String())
				assert.Equal(t, codes.Error, s.Status().Code)
				if tt.status == 0 {
					assert.NotContains(t, a, attribute.Key("http.response.status_code"))
				} else {
					assert.Equal(t, tt.status, a["http.response.status_code"].AsInt64())
				}
			}
			points := tel.durationCounts(t)
			require.Len(t, points, 1)
			assert.Equal(t, uint64(1), points[0].Count)
			et, _ := points[0].Attributes.Value("error.type")
			assert.Equal(t, tt.errType, et.AsString())
		})
	}
}

func TestURLFullHasNoPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tel := newTelemetry(t)
	withCreds := strings.Replace(srv.URL, "http://", "http://alice:s3cret@", 1) + "/x"

	_, err := tel.client().Get(context.Background(), withCreds)
	require.NoError(t, err)

	parent, children := tel.ended(t)
	require.Len(t, children, 1)
	for _, s := range []sdktrace.ReadOnlySpan{parent, children[0]} {
		full := attrs(s)["url.full"].AsString()
		assert.NotContains(t, full, "s3cret")
		assert.Equal(t, strings.Replace(withCreds, "s3cret", httpx.Masked, 1), full)
	}
}

func TestStreamedSpansEndWhenTheBodyIsClosed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "streamed body")
	}))
	defer srv.Close()
	tel := newTelemetry(t)

	resp, err := tel.client().Stream(context.Background(), "GET", srv.URL)
	require.NoError(t, err)
	assert.Empty(t, tel.spans.Ended(), "the spans are open while the body is")
	assert.Len(t, tel.spans.Started(), 2)
	assert.Equal(t, uint64(1), totalCount(tel.durationCounts(t)), "the duration is recorded when the headers arrive")
	require.NoError(t, resp.Close())

	_, children := tel.ended(t)
	assert.Len(t, children, 1)
}

func TestUnknownMethod(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tel := newTelemetry(t)

	_, err := tel.client().Request(context.Background(), "PURGE", srv.URL)
	require.NoError(t, err)

	parent, children := tel.ended(t)
	require.Len(t, children, 1)
	for _, s := range []sdktrace.ReadOnlySpan{parent, children[0]} {
		assert.Equal(t, "HTTP", s.Name())
		a := attrs(s)
		assert.Equal(t, "_OTHER", a["http.request.method"].AsString())
		assert.Equal(t, "PURGE", a["http.request.method_original"].AsString())
	}
}

func TestHTTP2ProtocolVersion(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	tel := newTelemetry(t)

	c := tel.client(httpx.WithTransport(httpx.FromRoundTripper(srv.Client().Transport)))
	resp, err := c.Get(context.Background(), srv.URL)
	require.NoError(t, err)
	require.Equal(t, "HTTP/2", resp.HTTPVersion())

	_, children := tel.ended(t)
	require.Len(t, children, 1)
	assert.Equal(t, "2", attrs(children[0])["network.protocol.version"].AsString())
}

func TestConcurrentRequestsKeepTheirOwnSpans(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/from" {
			http.Redirect(w, r, "/to", http.StatusFound)
		}
	}))
	defer srv.Close()
	tel := newTelemetry(t)
	c := tel.client(httpx.WithFollowRedirects(true))
	const n = 16
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := c.Get(context.Background(), srv.URL+"/from")
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	parents := 0
	for _, s := range tel.spans.Ended() {
		if s.SpanKind() == trace.SpanKindInternal {
			parents++
			continue
		}
		children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
	}
	assert.Equal(t, n, parents)
	require.Len(t, children, n)
	for _, cs := range children {
		require.Len(t, cs, 2)
		counts := []int64{attrs(cs[0])["http.request.resend_count"].AsInt64(), attrs(cs[1])["http.request.resend_count"].AsInt64()}
		assert.ElementsMatch(t, []int64{0, 1}, counts, "each logical request counts its own resends")
	}
	assert.Equal(t, uint64(2*n), totalCount(tel.durationCounts(t)))
}
