package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
)

// Kind says in which phase an exchange failed and how, so that the root
// package can map the error onto HTTPX's exception tree without parsing
// messages itself.
type Kind int

// The kinds of transport failure. KindOther is the zero value: an error that
// fits no better kind (HTTPX's generic TransportError).
const (
	KindOther               Kind = iota // no better kind known
	KindConnect                         // refused, unreachable, DNS or TLS failure while connecting
	KindConnectTimeout                  // dial or TLS handshake exceeded Timeouts.Connect
	KindRead                            // the connection failed while reading the response
	KindReadTimeout                     // one read waited longer than Timeouts.Read
	KindWrite                           // the connection failed while writing the request
	KindWriteTimeout                    // one write waited longer than Timeouts.Write
	KindPoolTimeout                     // no connection slot within Timeouts.Pool
	KindProxy                           // the proxy refused the tunnel (CONNECT, SOCKS)
	KindRemoteProtocol                  // the server broke HTTP: malformed or truncated response
	KindLocalProtocol                   // the request itself is invalid HTTP
	KindUnsupportedProtocol             // the URL scheme is not http or https
	KindClosed                          // the Engine was closed
	KindCanceled                        // the request's context was canceled or its deadline passed
)

var kindNames = [...]string{
	KindOther:               "transport error",
	KindConnect:             "connect error",
	KindConnectTimeout:      "connect timeout",
	KindRead:                "read error",
	KindReadTimeout:         "read timeout",
	KindWrite:               "write error",
	KindWriteTimeout:        "write timeout",
	KindPoolTimeout:         "pool timeout",
	KindProxy:               "proxy error",
	KindRemoteProtocol:      "remote protocol error",
	KindLocalProtocol:       "local protocol error",
	KindUnsupportedProtocol: "unsupported protocol",
	KindClosed:              "transport closed",
	KindCanceled:            "canceled",
}

// String names the kind the way HTTPX's exception classes read, in lower case.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown kind"
}

// Timeout reports whether k is one of the four phase timeouts.
func (k Kind) Timeout() bool {
	switch k {
	case KindConnectTimeout, KindReadTimeout, KindWriteTimeout, KindPoolTimeout:
		return true
	}
	return false
}

// Error is every error the Engine returns, from Do and from reading a
// response body. Err is the cause as net, crypto/tls or x/net/http2
// reported it; it stays reachable with errors.Is and errors.As, so a canceled request
// still matches context.Canceled or context.DeadlineExceeded.
type Error struct {
	Kind Kind
	Err  error
}

// Error prefixes the cause with the kind, e.g. "read timeout: read tcp ...: i/o timeout".
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Kind.String()
	}
	return e.Kind.String() + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether a phase timeout (not the context's deadline)
// caused the error; together with Temporary it makes *Error a net.Error.
func (e *Error) Timeout() bool { return e.Kind.Timeout() }

// Temporary mirrors Timeout, as net/http's own errors do.
func (e *Error) Temporary() bool { return e.Kind.Timeout() }

// ErrClosed is the cause of KindClosed errors: the Engine was closed
// before or while the request ran.
var ErrClosed = errors.New("transport: closed")

// The causes of timeouts enforced by a timer rather than a socket deadline
// (HTTP/2 streams, the pool).
var (
	errStreamReadTimeout  = errors.New("no response data within the read timeout")
	errStreamWriteTimeout = errors.New("request body made no progress within the write timeout")
	errPoolTimeout        = errors.New("no free connection within the pool timeout")
)

// Classify maps an error from net/http, net or crypto/tls, also one returned
// by a foreign http.RoundTripper, to a Kind. A *Error anywhere in the chain
// wins, since it was made where the phase was known; otherwise the choice
// rests on the error types net and crypto/tls export and, where net/http
// keeps its types unexported, on its stable messages.
func Classify(err error) Kind {
	if err == nil {
		return KindOther
	}
	var te *Error
	if errors.As(err, &te) {
		return te.Kind
	}
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
	)
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unsupported protocol scheme"):
		return KindUnsupportedProtocol
	case strings.Contains(msg, "socks connect"):
		return KindProxy
	case errors.As(err, &opErr):
		return classifyOp(opErr)
	case errors.As(err, &dnsErr), isTLSError(err):
		return KindConnect
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// Socket timeouts also match DeadlineExceeded, but they come as a
		// *net.OpError, handled above.
		return KindCanceled
	}
	if k := classifyMessage(msg); k != KindOther {
		return k
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		// A response cut short, or no response at all ("Server disconnected
		// without sending a response." in HTTPX).
		return KindRemoteProtocol
	case isTimeout(err):
		return KindReadTimeout
	case errors.Is(err, net.ErrClosed):
		return KindRead
	}
	return KindOther
}

// classifyOp maps a *net.OpError by the operation it names.
func classifyOp(e *net.OpError) Kind {
	timeout := isTimeout(e)
	switch e.Op {
	case "dial":
		if timeout {
			return KindConnectTimeout
		}
		return KindConnect
	case "read":
		if timeout {
			return KindReadTimeout
		}
		return KindRead
	case "write":
		if timeout {
			return KindWriteTimeout
		}
		return KindWrite
	case "remote error":
		// A TLS alert from the peer: a rejected client certificate
		// arrives this way, possibly only on the first read under TLS 1.3.
		return KindConnect
	case "proxyconnect":
		// net/http wraps failures to reach the proxy itself.
		if k := Classify(e.Err); k != KindOther {
			return k
		}
		return KindProxy
	}
	if timeout {
		return KindReadTimeout
	}
	return KindOther
}

// classifyMessage recognises net/http's and its HTTP/2 implementation's
// untyped errors. The strings are the prefixes net/http has kept stable for
// years; a miss only costs precision (KindOther), never correctness.
func classifyMessage(msg string) Kind {
	for _, m := range localProtocolMessages {
		if strings.Contains(msg, m) {
			return KindLocalProtocol
		}
	}
	for _, m := range remoteProtocolMessages {
		if strings.Contains(msg, m) {
			return KindRemoteProtocol
		}
	}
	switch {
	case strings.Contains(msg, "TLS handshake timeout"):
		return KindConnectTimeout
	case strings.Contains(msg, "timeout awaiting response headers"):
		return KindReadTimeout
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"),
		// HTTP/2's connection preface failed, e.g. after a TLS 1.3 alert
		// rejecting the client certificate.
		strings.Contains(msg, "client conn could not be established"):
		return KindConnect
	}
	return KindOther
}

var localProtocolMessages = []string{
	"invalid header field",
	"invalid header",
	"invalid trailer",
	"invalid method",
	"invalid Host header",
	"invalid Trailer",
	"no Host in request URL",
	"can't write control character",
	"http: ContentLength=",
	"invalid request :path",
	"nil Request.URL",
	"nil Request.Header",
}

var remoteProtocolMessages = []string{
	"malformed HTTP",
	"malformed MIME header",
	"malformed chunked encoding",
	"invalid byte in chunk length",
	"chunked line ends with bare LF",
	"header line too long",
	"server response headers exceeded",
	"too many transfer encodings",
	"unsupported transfer encoding",
	"invalid Content-Length",
	"bad Content-Length",
	"server closed idle connection",
	"http2: server sent GOAWAY",
	"http2: response header list larger than advertised limit",
	"stream error:",
	"connection error:",
	"http2: invalid",
	"http2: server",
	"PROTOCOL_ERROR",
	// net/http's chunked reader and body framing, which it reports in words.
	"empty hex number for chunk length",
	"http chunk length too large",
	"invalid CR in chunked line",
	"chunked encoding contains too much non-data",
	"unexpected EOF reading trailer",
	"suspiciously long trailer",
	"bad trailer key",
	"cannot contain multiple Content-Length headers",
	"invalid empty Content-Length",
}

// isTLSError reports the certificate and record errors of crypto/tls and
// crypto/x509, all of which happen while connecting.
func isTLSError(err error) bool {
	var (
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		echError *tls.ECHRejectionError
	)
	return errors.As(err, &certErr) || errors.As(err, &unknown) || errors.As(err, &hostErr) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &echError) || strings.HasPrefix(err.Error(), "tls: ")
}

// isTimeout reports a socket deadline or dial timeout, without allocating.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// withCause returns err with cause also in its chain, unless it already is.
func withCause(cause, err error) error {
	if err == nil || errors.Is(err, cause) {
		if err == nil {
			return cause
		}
		return err
	}
	return &causeError{cause: cause, err: err}
}

// causeError reads as err but matches cause too; it keeps ctx.Err() in the
// chain of a cancellation that net/http reported in its own words.
type causeError struct{ cause, err error }

func (e *causeError) Error() string   { return e.cause.Error() + ": " + e.err.Error() }
func (e *causeError) Unwrap() []error { return []error{e.cause, e.err} }
