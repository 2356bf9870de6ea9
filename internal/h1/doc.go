// Package h1 is the HTTP/1.1 client codec behind the transport engine:
// it writes request heads and bodies and parses response heads and bodies,
// with h11's strict rules, and does no I/O of its own beyond the bufio
// reader and writer it is given. The connection (deadlines, reuse) and the
// pool live in package transport; this package only knows bytes.
//
// Parsing is strict where framing is at stake (status line, field names,
// Content-Length, Transfer-Encoding, chunk sizes and footers): anything
// ambiguous is a *ProtocolError, so that two parsers can never disagree
// about where a response ends. It is lenient where h11 is (bare-LF line
// ends in heads, obs-text in values, obs-fold unfolded to one space).
package h1
