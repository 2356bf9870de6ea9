package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpx/httpx/internal/h1"
	"github.com/gohttpx/httpx/internal/urlparse"
	"github.com/gohttpx/httpx/transport"
)

// This file turns the engine's steps (transport.Event) into what the user
// asked to see: the "trace" request extension, the Debug logs of
// WithLogger, the request head of WithDebug. Nothing is built for a request
// that nobody observes.

// TraceFunc is the type of the "trace" request extension (HTTPX's
// extensions={"trace": ...}): it is called with httpcore's event names,
// "connection.connect_tcp.started", "http11.send_request_headers.complete",
// "http2.receive_response_headers.complete" and so on, and their info:
// "host", "port", "local_address", "timeout" for connect_tcp.started;
// "server_hostname", "timeout" for start_tls.started; "request" for the
// other .started steps (response_closed has none); "return_value" for
// .complete (the net.Conn, the receive_response_headers tuple as a []any of
// HTTP version, status, reason and Headers, or nil for HTTP/2 the status
// and Headers), "exception" (the error) for .failed. It runs on the
// goroutine doing the step, one event at a time, and must not block.
// HTTPTransport emits the events; other transports emit none.
type TraceFunc = func(event string, info map[string]any)

// traceExtension returns the request's "trace" extension, if any.
func traceExtension(req *Request) (TraceFunc, error) {
	v, ok := req.Extensions["trace"]
	if !ok || v == nil {
		return nil, nil
	}
	f, ok := v.(func(string, map[string]any))
	if !ok || f == nil {
		return nil, usageError("Request", `the "trace" extension must be a func(event string, info map[string]any), not %T`, v)
	}
	return f, nil
}

// observer watches one request on the engine.
type observer struct {
	ctx    context.Context
	req    *Request
	trace  TraceFunc
	log    *slog.Logger // set when Debug is enabled
	dump   *requestDump
	redact redaction
	local  string // HTTPTransport.LocalAddress
}

// observerFor returns the engine's Observe func for req, nil when nothing
// watches it.
func (t *HTTPTransport) observerFor(ctx context.Context, req *Request) (func(transport.Event), error) {
	trace, err := traceExtension(req)
	if err != nil {
		return nil, err
	}
	var (
		log    *slog.Logger
		redact redaction
	)
	if c := req.client; c != nil {
		redact = c.redaction
		if c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug) {
			log = c.logger
		}
	}
	if trace == nil && log == nil && req.dump == nil {
		return nil, nil
	}
	o := &observer{ctx: ctx, req: req, trace: trace, log: log, dump: req.dump, redact: redact, local: t.LocalAddress}
	return o.event, nil
}

// infoItem is one key of an event's info, in httpcore's order.
type infoItem struct {
	key   string
	value any
}

func (o *observer) event(ev transport.Event) {
	if o.dump != nil && ev.Kind == transport.EventSendRequestHeaders && ev.Stage == transport.Started {
		o.dump.requestHead(ev.HTTP2)
	}
	if o.trace == nil && o.log == nil {
		return
	}
	var buf [4]infoItem
	info := o.info(buf[:0], ev)
	name := ev.Name()
	if o.trace != nil {
		m := make(map[string]any, len(info))
		for _, it := range info {
			m[it.key] = it.value
		}
		o.trace(name, m)
	}
	if o.log != nil {
		o.logDebug(name, ev, info)
	}
}

// info lists the event's info as httpcore gives it.
func (o *observer) info(items []infoItem, ev transport.Event) []infoItem {
	switch ev.Stage {
	case transport.Failed:
		return append(items, infoItem{"exception", classifyError(ev.Err, o.req)})
	case transport.Complete:
		switch ev.Kind {
		case transport.EventConnectTCP, transport.EventStartTLS:
			return append(items, infoItem{"return_value", ev.Conn})
		case transport.EventReceiveResponseHeaders:
			h := headersOf(ev.Response.Header)
			if ev.HTTP2 {
				return append(items, infoItem{"return_value", []any{ev.Response.Status, h}})
			}
			return append(items, infoItem{"return_value", []any{ev.Response.Proto, ev.Response.Status, ev.Response.Reason, h}})
		}
		return append(items, infoItem{"return_value", nil})
	}
	timeout := any(nil)
	if d := o.req.Timeout().Connect; d > 0 {
		timeout = d.Seconds()
	}
	switch ev.Kind {
	case transport.EventConnectTCP:
		host, portStr, _ := net.SplitHostPort(ev.Addr)
		port, _ := strconv.Atoi(portStr)
		local := any(nil)
		if o.local != "" {
			local = o.local
		}
		return append(items, infoItem{"host", host}, infoItem{"port", port}, infoItem{"local_address", local}, infoItem{"timeout", timeout})
	case transport.EventStartTLS:
		return append(items, infoItem{"server_hostname", ev.Addr}, infoItem{"timeout", timeout})
	case transport.EventResponseClosed:
		return items
	}
	return append(items, infoItem{"request", o.req})
}

func headersOf(fields []h1.Field) Headers {
	h := Headers{fields: make([]headerField, len(fields))}
	for i, f := range fields {
		h.fields[i] = headerField{name: f.Name, value: f.Value}
	}
	return h
}

// logDebug logs the event as httpcore's Debug logs read:
// "connect_tcp.started host='127.0.0.1' port=8080 local_address=None
// timeout=5.0", "send_request_headers.complete", with the logger's name
// (httpcore.connection, httpcore.http11, httpcore.http2) as an attribute.
func (o *observer) logDebug(name string, ev transport.Event, info []infoItem) {
	logger, step, _ := strings.Cut(name, ".")
	var b strings.Builder
	b.WriteString(step)
	for _, it := range info {
		if it.key == "return_value" && it.value == nil {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(it.key)
		b.WriteByte('=')
		b.WriteString(o.repr(it.value))
	}
	o.log.LogAttrs(o.ctx, slog.LevelDebug, b.String(), slog.String("logger", "httpcore."+logger))
}

// repr writes a value the way Python's repr shows its counterpart, with
// the secrets of headers masked.
func (o *observer) repr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return urlparse.Repr(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case *Request:
		return v.String()
	case net.Conn:
		return fmt.Sprintf("<%T %s->%s>", v, v.LocalAddr(), v.RemoteAddr())
	case Headers:
		parts := make([]string, 0, v.Len())
		for name, value := range v.All() {
			parts = append(parts, "("+urlparse.Repr(name)+", "+urlparse.Repr(o.redact.value(name, value))+")")
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = o.repr(x)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case error:
		return urlparse.Repr(v.Error())
	case time.Duration:
		return o.repr(v.Seconds())
	}
	return fmt.Sprint(v)
}
