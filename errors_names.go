package httpx

import "errors"

// exceptionNames name the error kinds as HTTPX names its exceptions, the
// most specific first: errors.Is matches a kind's ancestors too, so the
// first match is the error's own kind.
var exceptionNames = []struct {
	kind error
	name string
}{
	{ErrConnectTimeout, "ConnectTimeout"},
	{ErrReadTimeout, "ReadTimeout"},
	{ErrWriteTimeout, "WriteTimeout"},
	{ErrPoolTimeout, "PoolTimeout"},
	{ErrTimeout, "TimeoutException"},
	{ErrConnect, "ConnectError"},
	{ErrRead, "ReadError"},
	{ErrWrite, "WriteError"},
	{ErrClose, "CloseError"},
	{ErrNetwork, "NetworkError"},
	{ErrLocalProtocol, "LocalProtocolError"},
	{ErrRemoteProtocol, "RemoteProtocolError"},
	{ErrProtocol, "ProtocolError"},
	{ErrProxy, "ProxyError"},
	{ErrUnsupportedProtocol, "UnsupportedProtocol"},
	{ErrTransport, "TransportError"},
	{ErrResponseTooLarge, "ResponseTooLarge"}, // httpx's own: HTTPX has no such limit
	{ErrDecoding, "DecodingError"},
	{ErrTooManyRedirects, "TooManyRedirects"},
	{ErrRequest, "RequestError"},
	{ErrHTTPStatus, "HTTPStatusError"},
	{ErrHTTP, "HTTPError"},
	{ErrInvalidURL, "InvalidURL"},
	{ErrCookieConflict, "CookieConflict"},
	{ErrStreamConsumed, "StreamConsumed"},
	{ErrStreamClosed, "StreamClosed"},
	{ErrResponseNotRead, "ResponseNotRead"},
	{ErrRequestNotRead, "RequestNotRead"},
	{ErrStream, "StreamError"},
}

// ExceptionName returns the name of HTTPX's exception for err's kind
// ("ConnectTimeout", "RemoteProtocolError", "HTTPStatusError", ...), as
// HTTPX's command prints it and as OpenTelemetry's error.type wants it, or
// "" for an error outside the tree (ErrUsage included: HTTPX raises
// Python's own TypeError or ValueError there).
func ExceptionName(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range exceptionNames {
		if errors.Is(err, k.kind) {
			return k.name
		}
	}
	return ""
}
