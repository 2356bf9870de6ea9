// Package otelhttpx instruments an httpx client with OpenTelemetry: traces,
// the http.client.request.duration metric and trace-context propagation
// (the counterpart of Python's opentelemetry-instrumentation-httpx).
//
//	client := httpx.NewClient(otelhttpx.Instrument())
//
// Each logical request (one Send, Get, Stream ... with all its retries,
// redirect hops and auth round trips) is an INTERNAL span named by its
// method, carrying the attributes of its final outcome. Each physical
// request under it (each call into the transport) is a CLIENT span that
// follows the HTTP client semantic conventions, with
// http.request.resend_count from the second one on; its context is what the
// propagator injects into the outgoing headers (traceparent).
//
// A CLIENT span ends when its response is closed or its body fully read: for
// a request that does not stream, before the call returns (the client reads
// every body it does not hand over: redirect hops, auth intermediates,
// retried answers); for a streamed response, when the caller closes it or
// reads it to the end, so a stream that is never closed leaves its spans
// open. The INTERNAL span ends with the final response in the same way, or
// when the call returns an error. http.client.request.duration is recorded
// once per physical request, when the transport returns (the response
// headers have arrived, or it failed), so that it does not count the time a
// caller spends reading a stream.
//
// url.full never holds a password: the URL is redacted as httpx redacts it
// everywhere ("user:[secure]@").
package otelhttpx

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gohttpx/httpx"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/gohttpx/httpx/otel"

// Option configures Instrument.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp   trace.TracerProvider
	mp   metric.MeterProvider
	prop propagation.TextMapPropagator
}

// WithTracerProvider makes the spans with tp instead of
// otel.GetTracerProvider(). A nil tp keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// WithMeterProvider records the metric with mp instead of
// otel.GetMeterProvider(). A nil mp keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.mp = mp })
}

// WithPropagators injects the trace context with p instead of
// otel.GetTextMapPropagator(). A nil p keeps the default.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) { c.prop = p })
}

// durationBuckets are the bucket boundaries the semantic conventions advise
// for http.client.request.duration, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Instrument returns a client option that traces and measures every request
// the client sends (see the package documentation). The providers and the
// propagator are taken when Instrument is called; the global ones delegate
// to those installed later.
func Instrument(opts ...Option) httpx.ClientOption {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	if cfg.prop == nil {
		cfg.prop = otel.GetTextMapPropagator()
	}
	in := &instrumentation{
		tracer: cfg.tp.Tracer(ScopeName,
			trace.WithInstrumentationVersion(httpx.Version), trace.WithSchemaURL(semconv.SchemaURL)),
		prop: cfg.prop,
	}
	meter := cfg.mp.Meter(ScopeName,
		metric.WithInstrumentationVersion(httpx.Version), metric.WithSchemaURL(semconv.SchemaURL))
	h, err := meter.Float64Histogram("http.client.request.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP client requests."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		otel.Handle(err)
		h = noop.Float64Histogram{}
	}
	in.duration = h
	return httpx.WithMiddleware(httpx.Middleware{Send: in.send, Transport: in.transport})
}

type instrumentation struct {
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	duration metric.Float64Histogram
}

// logicalKey holds a *logical in the context the physical requests see.
type logicalKey struct{}

// logical counts a logical request's physical requests.
type logical struct {
	sent atomic.Int64
}

// send traces one logical request as an INTERNAL span.
func (in *instrumentation) send(ctx context.Context, req *httpx.Request, next httpx.SendFunc) (*httpx.Response, error) {
	ctx, span := in.tracer.Start(ctx, spanName(req.Method), trace.WithSpanKind(trace.SpanKindInternal))
	resp, err := next(context.WithValue(ctx, logicalKey{}, &logical{}), req)
	final := req
	if resp != nil && resp.Request != nil {
		final = resp.Request
	}
	attrs := requestAttributes(final, nil)
	attrs = append(attrs, outcomeAttributes(resp, err)...)
	span.SetAttributes(attrs...)
	setStatus(span, resp, err)
	if resp == nil {
		span.End()
	} else {
		resp.OnClose(func() { span.End() })
	}
	return resp, err
}

// transport traces one physical request as a CLIENT span, injects its
// context into the request headers and records its duration.
func (in *instrumentation) transport(ctx context.Context, req *httpx.Request, next httpx.Transport) (*httpx.Response, error) {
	attrs := make([]attribute.KeyValue, 0, 10)
	attrs = requestAttributes(req, attrs)
	if l, ok := ctx.Value(logicalKey{}).(*logical); ok {
		if n := l.sent.Add(1) - 1; n > 0 {
			attrs = append(attrs, semconv.HTTPRequestResendCount(int(n)))
		}
	}
	ctx, span := in.tracer.Start(ctx, spanName(req.Method),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	in.prop.Inject(ctx, headerCarrier{&req.Headers})
	start := time.Now()
	resp, err := next.HandleRequest(ctx, req)
	elapsed := time.Since(start)
	if err == nil && resp == nil {
		// The client turns this into an error of its own.
		err = errNoResponse
	}
	outcome := outcomeAttributes(resp, err)
	span.SetAttributes(outcome...)
	setStatus(span, resp, err)
	in.duration.Record(ctx, elapsed.Seconds(), metric.WithAttributeSet(metricAttributes(attrs, outcome)))
	if err != nil {
		span.End()
		return resp, err
	}
	resp.OnClose(func() { span.End() })
	return resp, nil
}

// errNoResponse stands for a transport that returned neither a response
// nor an error.
var errNoResponse = &noResponseError{}

type noResponseError struct{}

func (*noResponseError) Error() string { return "the transport returned no response and no error" }

// knownMethods are the methods the conventions name; others are "_OTHER".
var knownMethods = map[string]bool{
	"CONNECT": true, "DELETE": true, "GET": true, "HEAD": true, "OPTIONS": true,
	"PATCH": true, "POST": true, "PUT": true, "QUERY": true, "TRACE": true,
}

// spanName is the method, or "HTTP" for a method the conventions do not know.
func spanName(method string) string {
	if knownMethods[method] {
		return method
	}
	return "HTTP"
}

// requestAttributes appends the request's attributes to dst.
func requestAttributes(req *httpx.Request, dst []attribute.KeyValue) []attribute.KeyValue {
	if knownMethods[req.Method] {
		dst = append(dst, semconv.HTTPRequestMethodKey.String(req.Method))
	} else {
		dst = append(dst, semconv.HTTPRequestMethodKey.String("_OTHER"), semconv.HTTPRequestMethodOriginal(req.Method))
	}
	if req.URL == nil {
		return dst
	}
	dst = append(dst, semconv.URLFull(req.URL.Redacted()))
	if host := strings.TrimSuffix(strings.TrimPrefix(req.URL.RawHost(), "["), "]"); host != "" {
		dst = append(dst, semconv.ServerAddress(host))
	}
	if port := req.URL.EffectivePort(); port > 0 {
		dst = append(dst, semconv.ServerPort(port))
	}
	return dst
}

// outcomeAttributes are the attributes of a response or an error: status
// code, protocol version and error.type.
func outcomeAttributes(resp *httpx.Response, err error) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if resp != nil {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(resp.StatusCode))
		if v := protocolVersion(resp.HTTPVersion()); v != "" {
			attrs = append(attrs, semconv.NetworkProtocolVersion(v))
		}
	}
	switch {
	case err != nil:
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(err)))
	case resp != nil && resp.StatusCode >= 400:
		attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(resp.StatusCode)))
	}
	return attrs
}

// metricAttributes are the span's attributes the metric takes: not
// url.full, the original method or the resend count, whose values are too
// many.
func metricAttributes(spanAttrs, outcome []attribute.KeyValue) attribute.Set {
	attrs := make([]attribute.KeyValue, 0, len(spanAttrs)+len(outcome))
	for _, kv := range spanAttrs {
		switch kv.Key {
		case semconv.URLFullKey, semconv.HTTPRequestMethodOriginalKey, semconv.HTTPRequestResendCountKey:
		default:
			attrs = append(attrs, kv)
		}
	}
	return attribute.NewSet(append(attrs, outcome...)...)
}

// protocolVersion turns "HTTP/1.1" into "1.1" and "HTTP/2" into "2".
func protocolVersion(v string) string {
	return strings.TrimPrefix(v, "HTTP/")
}

// setStatus marks a failed request, or a status of 400 or more, as an error.
func setStatus(span trace.Span, resp *httpx.Response, err error) {
	switch {
	case err != nil:
		span.SetStatus(codes.Error, err.Error())
	case resp != nil && resp.StatusCode >= 400:
		span.SetStatus(codes.Error, "")
	}
}

// headerCarrier lets a propagator set request headers.
type headerCarrier struct {
	h *httpx.Headers
}

func (c headerCarrier) Get(key string) string { return c.h.Get(key) }
func (c headerCarrier) Set(key, value string) { c.h.Set(key, value) }
func (c headerCarrier) Keys() []string        { return c.h.Keys() }
