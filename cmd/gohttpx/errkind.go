package main

import (
	"errors"
	"strings"

	"github.com/gohttpx/httpx"
)

// kindNames maps the library's error kinds to the names of HTTPX's
// exceptions, most specific first, so the first kind an error matches names
// it. The library has no such function of its own: its kinds are sentinels
// matched with errors.Is, and only the command prints Python's names.
var kindNames = []struct {
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
	{httpx.ErrUsage, "UsageError"},
}

// errorKindName returns HTTPX's exception name for err, or "Error" for an
// error outside the tree (a file that cannot be opened, say).
func errorKindName(err error) string {
	for _, k := range kindNames {
		if errors.Is(err, k.kind) {
			return k.name
		}
	}
	return "Error"
}

// errorMessage is err's text without the library's "httpx: " prefix, which
// the kind name in front of it makes redundant.
func errorMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "httpx: ")
}
