package httpx

import (
	"context"
	"errors"
	"reflect"
)

// isNil reports whether v is nil or holds a nil pointer, func, map, channel
// or slice: a typed nil (a (*HTTPTransport)(nil), an http.HandlerFunc(nil))
// passes a plain v == nil check and would panic when used.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Chan, reflect.Slice, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

// errNilClient is what every method of a nil *Client returns.
func errNilClient(op string) error {
	return usageError(op, "the client is nil (create it with NewClient)")
}

// applyClientOptions applies opts to cfg. A nil option is skipped and
// reported, together with the invalid values options recorded, so that
// NewClient can keep the error for Err instead of panicking.
func applyClientOptions(op string, cfg *clientConfig, opts []ClientOption) error {
	var errs []error
	for i, o := range opts {
		if o == nil {
			errs = append(errs, usageError(op, "option %d is nil", i+1))
			continue
		}
		o.applyClient(cfg)
	}
	return errors.Join(append(errs, cfg.errs...)...)
}

// applyRequestOptions applies opts to cfg, failing on a nil option.
func applyRequestOptions(op string, cfg *requestConfig, opts []RequestOption) error {
	for i, o := range opts {
		if o == nil {
			return usageError(op, "request option %d is nil", i+1)
		}
		o.applyRequest(cfg)
	}
	return nil
}

// applySendOptions applies opts to cfg, failing on a nil option.
func applySendOptions(cfg *sendConfig, opts []SendOption) error {
	for i, o := range opts {
		if o == nil {
			return usageError("Send", "send option %d is nil", i+1)
		}
		o.applySend(cfg)
	}
	return nil
}

// checkHandleArgs guards a Transport's HandleRequest against what a direct
// caller may pass: the client itself never sends a nil context or request,
// nor uses a nil transport.
func checkHandleArgs(op string, nilTransport bool, ctx context.Context, req *Request) error {
	switch {
	case nilTransport:
		return usageError(op, "the transport, or what it wraps, is nil")
	case ctx == nil:
		return usageError(op, "the context is nil")
	case req == nil || req.URL == nil:
		return usageError(op, "the request is nil or has no URL")
	}
	return nil
}
