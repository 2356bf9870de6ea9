package h1

import "errors"

// Field is one header field as it was written or received: the name keeps
// its case, the value has its surrounding whitespace removed.
type Field struct {
	Name, Value string
}

// Head is a parsed response head.
type Head struct {
	Major, Minor int    // the HTTP version of the status line, e.g. 1 and 1
	Status       int    // 100 to 999
	Reason       string // may be empty
	Fields       []Field
}

// BodyKind says how a response body is delimited.
type BodyKind uint8

const (
	NoBody     BodyKind = iota // HEAD, 1xx, 204, 304, a 2xx to CONNECT
	Length                     // Content-Length bytes
	Chunked                    // Transfer-Encoding: chunked
	UntilClose                 // neither: the body ends when the server closes
)

// Framing is how a response's body is delimited and whether the connection
// can carry another request after it.
type Framing struct {
	Kind   BodyKind
	Length int64 // for Length
	// Close is set when the connection must not be reused after this
	// response: Connection: close, HTTP/1.0, a body read until close, or
	// Transfer-Encoding together with Content-Length (RFC 9112 §6.3).
	Close bool
}

// ProtocolError reports a response that breaks HTTP/1.1's framing rules
// (HTTPX's RemoteProtocolError) or a request this codec refuses to write
// (LocalProtocolError, when Local is set).
type ProtocolError struct {
	Msg   string
	Local bool
}

func (e *ProtocolError) Error() string { return e.Msg }

// ErrDisconnected is returned when the server closed the connection
// cleanly (EOF) before a complete response head arrived; httpcore's
// "Server disconnected without sending a response."
var ErrDisconnected = errors.New("server disconnected without sending a response")

// ErrIncompleteBody is returned when the server closed the connection
// cleanly before the body its framing announced was complete.
var ErrIncompleteBody = errors.New("peer closed connection without sending complete message body")
