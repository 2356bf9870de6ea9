package otelhttpx

import (
	"errors"

	"github.com/gohttpx/httpx"
)

// errorKinds name httpx's error kinds as HTTPX names its exceptions, the
// most specific first: errors.Is matches a kind's ancestors too, so the
// first match is the error's own kind.
var errorKinds = []struct {
	kind error
	name string
}{
	{httpx.ErrConnectTimeout, "ConnectTimeout"},
	{httpx.ErrReadTimeout, "ReadTimeout"},
	{httpx.ErrWriteTimeout, "WriteTimeout"},
	{httpx.ErrPoolTimeout, "PoolTimeout"},
	{httpx.ErrTimeout, "TimeoutException"},
	{httpx.ErrConnect, "ConnectError"},
	{httpx.ErrRead, "ReadError"},
	{httpx.ErrWrite, "WriteError"},
	{httpx.ErrClose, "CloseError"},
	{httpx.ErrNetwork, "NetworkError"},
	{httpx.ErrLocalProtocol, "LocalProtocolError"},
	{httpx.ErrRemoteProtocol, "RemoteProtocolError"},
	{httpx.ErrProtocol, "ProtocolError"},
	{httpx.ErrProxy, "ProxyError"},
	{httpx.ErrUnsupportedProtocol, "UnsupportedProtocol"},
	{httpx.ErrTransport, "TransportError"},
	{httpx.ErrResponseTooLarge, "ResponseTooLarge"}, // httpx's own: HTTPX has no such limit
	{httpx.ErrDecoding, "DecodingError"},
	{httpx.ErrTooManyRedirects, "TooManyRedirects"},
	{httpx.ErrRequest, "RequestError"},
	{httpx.ErrHTTPStatus, "HTTPStatusError"},
	{httpx.ErrHTTP, "HTTPError"},
	{httpx.ErrInvalidURL, "InvalidURL"},
	{httpx.ErrCookieConflict, "CookieConflict"},
	{httpx.ErrStreamConsumed, "StreamConsumed"},
	{httpx.ErrStreamClosed, "StreamClosed"},
	{httpx.ErrResponseNotRead, "ResponseNotRead"},
	{httpx.ErrRequestNotRead, "RequestNotRead"},
	{httpx.ErrStream, "StreamError"},
}

// errorType is error.type for err: HTTPX's name for its kind, or "_OTHER"
// (the conventions' fallback) for an error outside the tree, such as a
// usage error.
func errorType(err error) string {
	for _, k := range errorKinds {
		if errors.Is(err, k.kind) {
			return k.name
		}
	}
	return "_OTHER"
}
