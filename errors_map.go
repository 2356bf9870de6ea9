package httpx

import (
	"context"
	"errors"
	"net"

	"github.com/gohttpx/httpx/internal/decode"
	"github.com/gohttpx/httpx/proxy"
	"github.com/gohttpx/httpx/transport"
)

// classifyError maps an error from our network layer, net/http, the net
// package or a foreign transport onto HTTPX's tree. The cause stays
// reachable through Unwrap.
func classifyError(err error, req *Request) *RequestError {
	return newRequestError(errorKindOf(err), req, err, "")
}

// kindOfTransport maps the network layer's phase-aware kinds.
var kindOfTransport = map[transport.Kind]error{
	transport.KindOther:               ErrTransport,
	transport.KindConnect:             ErrConnect,
	transport.KindConnectTimeout:      ErrConnectTimeout,
	transport.KindRead:                ErrRead,
	transport.KindReadTimeout:         ErrReadTimeout,
	transport.KindWrite:               ErrWrite,
	transport.KindWriteTimeout:        ErrWriteTimeout,
	transport.KindPoolTimeout:         ErrPoolTimeout,
	transport.KindProxy:               ErrProxy,
	transport.KindRemoteProtocol:      ErrRemoteProtocol,
	transport.KindLocalProtocol:       ErrLocalProtocol,
	transport.KindUnsupportedProtocol: ErrUnsupportedProtocol,
	transport.KindClosed:              ErrTransport,
}

func errorKindOf(err error) error {
	var (
		se *proxy.StatusError
		pe *PanicError
	)
	switch {
	case errors.As(err, &pe):
		return ErrRequest // user code failed, not the network
	case errors.Is(err, decode.ErrTooLarge):
		return ErrResponseTooLarge
	case errors.Is(err, decode.ErrDecoding):
		return ErrDecoding
	case errors.As(err, &se):
		return ErrProxy
	}
	kind := transport.Classify(err)
	var oe *net.OpError
	if kind == transport.KindConnect && errors.As(err, &oe) && oe.Op == "proxyconnect" {
		// The proxy itself could not be reached (refused, unresolvable, the
		// TLS handshake with an https:// proxy failed): the issue's
		// ErrProxy, where HTTPX says ConnectError. Timeouts stay
		// ErrConnectTimeout.
		return ErrProxy
	}
	if kind == transport.KindCanceled {
		// A context's deadline is a timeout without a phase; a cancellation
		// is a generic transport failure. Both keep the context's error.
		if errors.Is(err, context.DeadlineExceeded) {
			return ErrTimeout
		}
		return ErrTransport
	}
	if k, ok := kindOfTransport[kind]; ok {
		return k
	}
	return ErrTransport
}
