package httpx

import (
	"errors"
	"fmt"
)

// errorKind is one node of HTTPX's exception tree. Every error the package
// returns matches its own kind and all of the kind's ancestors with errors.Is,
// so a connect timeout is ErrConnectTimeout, ErrTimeout, ErrTransport,
// ErrRequest and ErrHTTP at once.
type errorKind struct {
	name   string
	parent *errorKind
}

func (k *errorKind) Error() string { return "httpx: " + k.name }

// Is reports whether target is k or one of its ancestors, which is what lets
// errors.Is(ErrConnectTimeout, ErrTimeout) hold.
func (k *errorKind) Is(target error) bool {
	t, ok := target.(*errorKind)
	if !ok {
		return false
	}
	for n := k; n != nil; n = n.parent {
		if n == t {
			return true
		}
	}
	return false
}

// Timeout makes the timeout kinds satisfy net.Error, so code written against
// the standard library's timeout checks keeps working.
func (k *errorKind) Timeout() bool { return k.Is(ErrTimeout) }

// Temporary is part of net.Error; it mirrors Timeout as net/http's own errors do.
func (k *errorKind) Temporary() bool { return k.Timeout() }

func newKind(name string, parent error) *errorKind {
	p, _ := parent.(*errorKind)
	return &errorKind{name: name, parent: p}
}

// The HTTPX exception tree. Match with errors.Is; the concrete types carrying
// details are *RequestError, *HTTPStatusError, *InvalidURLError and *UsageError.
var (
	// ErrHTTP is HTTPX's HTTPError: the root of request and status errors.
	ErrHTTP error = newKind("http error", nil)
	// ErrRequest is HTTPX's RequestError: something went wrong while sending a
	// request or receiving its response. errors.As gives a *RequestError.
	ErrRequest error = newKind("request error", ErrHTTP)
	// ErrTransport is HTTPX's TransportError: a failure in the transport layer.
	ErrTransport error = newKind("transport error", ErrRequest)
	// ErrTimeout is HTTPX's TimeoutException; it also reports Timeout() == true.
	ErrTimeout error = newKind("timeout", ErrTransport)
	// ErrConnectTimeout means connecting (TCP and TLS) took longer than Timeout.Connect.
	ErrConnectTimeout error = newKind("connect timeout", ErrTimeout)
	// ErrReadTimeout means no data arrived within Timeout.Read.
	ErrReadTimeout error = newKind("read timeout", ErrTimeout)
	// ErrWriteTimeout means sending blocked for longer than Timeout.Write.
	ErrWriteTimeout error = newKind("write timeout", ErrTimeout)
	// ErrPoolTimeout means no connection became free within Timeout.Pool.
	ErrPoolTimeout error = newKind("pool timeout", ErrTimeout)
	// ErrNetwork is HTTPX's NetworkError: a failure on the network connection.
	ErrNetwork error = newKind("network error", ErrTransport)
	// ErrConnect means the connection could not be made: refused, unreachable,
	// DNS failure or a failed TLS handshake.
	ErrConnect error = newKind("connect error", ErrNetwork)
	// ErrRead means receiving data failed, for example a reset mid-body.
	ErrRead error = newKind("read error", ErrNetwork)
	// ErrWrite means sending data failed.
	ErrWrite error = newKind("write error", ErrNetwork)
	// ErrClose means closing a connection failed.
	ErrClose error = newKind("close error", ErrNetwork)
	// ErrProtocol is HTTPX's ProtocolError: the HTTP protocol was violated.
	ErrProtocol error = newKind("protocol error", ErrTransport)
	// ErrLocalProtocol means the request itself is invalid HTTP (for example a
	// header value containing a line break).
	ErrLocalProtocol error = newKind("local protocol error", ErrProtocol)
	// ErrRemoteProtocol means the server's response is invalid HTTP.
	ErrRemoteProtocol error = newKind("remote protocol error", ErrProtocol)
	// ErrProxy means the proxy refused or failed the request.
	ErrProxy error = newKind("proxy error", ErrTransport)
	// ErrUnsupportedProtocol means no transport handles the URL's scheme.
	ErrUnsupportedProtocol error = newKind("unsupported protocol", ErrTransport)
	// ErrDecoding means the response body could not be decoded (corrupt gzip,
	// brotli, zstd or deflate data, or a body over the decoded-size limit).
	ErrDecoding error = newKind("decoding error", ErrRequest)
	// ErrResponseTooLarge means the decoded response body exceeded the limit
	// set with WithMaxResponseSize (a decompression bomb, or a runaway
	// response); it is a kind of ErrDecoding.
	ErrResponseTooLarge error = newKind("response too large", ErrDecoding)
	// ErrTooManyRedirects means more than MaxRedirects redirects were followed.
	ErrTooManyRedirects error = newKind("too many redirects", ErrRequest)
	// ErrHTTPStatus is HTTPX's HTTPStatusError, returned by RaiseForStatus.
	// errors.As gives a *HTTPStatusError.
	ErrHTTPStatus error = newKind("status error", ErrHTTP)

	// ErrInvalidURL means a URL could not be parsed. errors.As gives an *InvalidURLError.
	ErrInvalidURL error = newKind("invalid URL", nil)
	// ErrCookieConflict means Cookies.Get found several cookies of that name.
	ErrCookieConflict error = newKind("cookie conflict", nil)

	// ErrStream is the parent of the body-stream misuse errors.
	ErrStream error = newKind("stream error", nil)
	// ErrStreamConsumed means a body was already streamed and cannot be read
	// again: a response read twice by streaming, or a streaming request body
	// that a redirect or an auth retry would have to send a second time.
	ErrStreamConsumed error = newKind("stream consumed", ErrStream)
	// ErrStreamClosed means the body was read after the response was closed.
	ErrStreamClosed error = newKind("stream closed", ErrStream)
	// ErrResponseNotRead is HTTPX's ResponseNotRead.
	ErrResponseNotRead error = newKind("response not read", ErrStream)
	// ErrRequestNotRead is HTTPX's RequestNotRead.
	ErrRequestNotRead error = newKind("request not read", ErrStream)

	// ErrUsage covers misuse of the API that HTTPX reports with Python's
	// RuntimeError, ValueError or TypeError: an invalid option, sending on a
	// closed client, setting a response's encoding after its text was decoded.
	// errors.As gives a *UsageError.
	ErrUsage error = newKind("usage error", nil)
)

// RequestError is returned for every failure while sending a request or
// receiving its response. It matches its kind (ErrConnect, ErrReadTimeout, ...)
// and every ancestor kind with errors.Is, and unwraps to the underlying cause,
// so a cancelled context also matches context.Canceled.
type RequestError struct {
	// Request is the request that failed; nil only for errors raised before a
	// request existed.
	Request *Request
	// Err is the underlying cause, if any.
	Err error

	kind *errorKind
	msg  string
}

func newRequestError(kind error, req *Request, cause error, msg string) *RequestError {
	k, _ := kind.(*errorKind)
	return &RequestError{Request: req, Err: cause, kind: k, msg: msg}
}

// Error describes the failure with the request's method and URL when known.
func (e *RequestError) Error() string {
	msg := e.msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" {
		msg = e.kind.name
	}
	if e.Request != nil && e.Request.URL != nil {
		return fmt.Sprintf("httpx: %s %s: %s", e.Request.Method, e.Request.URL.Redacted(), msg)
	}
	return "httpx: " + msg
}

// Unwrap returns the underlying cause.
func (e *RequestError) Unwrap() error { return e.Err }

// Is matches the error's kind and its ancestors.
func (e *RequestError) Is(target error) bool { return e.kind.Is(target) }

// Timeout reports whether this is one of the timeout kinds (net.Error).
func (e *RequestError) Timeout() bool { return e.kind.Timeout() }

// Temporary mirrors Timeout (net.Error).
func (e *RequestError) Temporary() bool { return e.kind.Timeout() }

// Kind returns the most specific sentinel the error matches, such as
// ErrReadTimeout; useful in logs and switch statements.
func (e *RequestError) Kind() error { return e.kind }

// HTTPStatusError is returned by Response.RaiseForStatus for any status that
// is not 2xx (1xx and 3xx included, as HTTPX does).
type HTTPStatusError struct {
	Request  *Request
	Response *Response
	msg      string
}

// Error reads like HTTPX's message:
// "Client error '404 Not Found' for url 'https://example.org/x'".
func (e *HTTPStatusError) Error() string { return e.msg }

// Is matches ErrHTTPStatus and ErrHTTP.
func (e *HTTPStatusError) Is(target error) bool { return ErrHTTPStatus.(*errorKind).Is(target) }

// InvalidURLError is returned for a URL that cannot be parsed.
type InvalidURLError struct {
	URL    string // the input with any password masked, possibly truncated for display
	Reason string // HTTPX's wording, e.g. "Invalid port: 'abc'"
}

func (e *InvalidURLError) Error() string {
	if e.URL == "" {
		return "httpx: invalid URL: " + e.Reason
	}
	return fmt.Sprintf("httpx: invalid URL %q: %s", e.URL, e.Reason)
}

// Is matches ErrInvalidURL.
func (e *InvalidURLError) Is(target error) bool { return target == ErrInvalidURL }

// UsageError reports misuse of the API (see ErrUsage).
type UsageError struct {
	Op  string // what was being done, e.g. "NewClient" or "Send"
	Msg string
	Err error // underlying cause, if any
}

func (e *UsageError) Error() string { return "httpx: " + e.Op + ": " + e.Msg }

// Unwrap returns the underlying cause.
func (e *UsageError) Unwrap() error { return e.Err }

// Is matches ErrUsage.
func (e *UsageError) Is(target error) bool { return target == ErrUsage }

func usageError(op, format string, args ...any) *UsageError {
	return &UsageError{Op: op, Msg: fmt.Sprintf(format, args...)}
}

// streamError returns kind with a message in HTTPX's words, still matching kind.
func streamError(kind error) error {
	var msg string
	switch kind {
	case ErrStreamConsumed:
		msg = "attempted to read or stream content that has already been streamed " +
			"(a streaming request body cannot be sent twice, e.g. on a redirect or an auth retry; " +
			"a response can only be streamed once)"
	case ErrStreamClosed:
		msg = "attempted to read or stream content, but the stream has been closed"
	case ErrResponseNotRead:
		msg = "attempted to access streaming response content without having called Read/Content"
	case ErrRequestNotRead:
		msg = "attempted to access streaming request content without having called Content"
	default:
		return kind
	}
	return &kindError{kind: kind.(*errorKind), msg: msg}
}

// kindError is a kind with a more specific message.
type kindError struct {
	kind *errorKind
	msg  string
}

func (e *kindError) Error() string        { return "httpx: " + e.msg }
func (e *kindError) Is(target error) bool { return e.kind.Is(target) }

// asRequestError attaches req to err when it is a *RequestError without a
// request, and wraps any other error as ErrTransport, so that every error a
// transport returns joins the tree.
func asRequestError(err error, req *Request) error {
	if err == nil {
		return nil
	}
	var re *RequestError
	if errors.As(err, &re) {
		if re.Request == nil {
			re.Request = req
		}
		return err
	}
	var (
		ue *UsageError
		ie *InvalidURLError
		he *HTTPStatusError
	)
	if errors.As(err, &ue) || errors.As(err, &ie) || errors.As(err, &he) || errors.Is(err, ErrStream) {
		return err
	}
	return classifyError(err, req)
}
