package h1

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
)

// ReadHead reads exactly one response head from br: the status line, the
// fields and the blank line, and nothing after it. h.Fields' backing array
// is reused. A head longer than maxBytes is refused however its bytes
// arrive.
//
// Errors: a malformed head is a *ProtocolError; a clean EOF before the head
// is complete is ErrDisconnected; any other read error is returned as it
// is (wrapped), for the caller to type as a read failure or timeout.
func ReadHead(br *bufio.Reader, maxBytes int, h *Head) error {
	h.Fields = h.Fields[:0]
	raw, err := readHeadBytes(br, maxBytes)
	if err != nil {
		return err
	}
	// One string holds the whole head; names, values and the reason are
	// substrings of it.
	s := string(raw)
	line, rest := nextLine(s)
	if err := parseStatusLine(line, h); err != nil {
		return err
	}
	if n := bytes.Count(raw, newline) - 1; cap(h.Fields) < n {
		h.Fields = make([]Field, 0, n) // one allocation, whatever the count
	}
	fields, err := parseFields(rest, h.Fields)
	h.Fields = fields
	return err
}

// readHeadBytes returns the bytes of one head, up to and including the
// empty line, consuming them from br. Lines end in LF, with an optional CR
// before it.
func readHeadBytes(br *bufio.Reader, maxBytes int) ([]byte, error) {
	// Fast path: the whole head is in the buffer after one read.
	if br.Buffered() == 0 {
		if _, err := br.Peek(1); err != nil {
			if err == io.EOF {
				return nil, ErrDisconnected
			}
			return nil, err
		}
	}
	if buf, _ := br.Peek(br.Buffered()); len(buf) > 0 {
		if n := headEnd(buf); n > 0 {
			if n > maxBytes {
				return nil, errTooLarge
			}
			out := buf[:n:n]
			_, _ = br.Discard(n)
			return out, nil
		}
	}
	return readLines(br, maxBytes, false)
}

// readLines reads lines up to and including the first blank one, within
// maxBytes, judging each line whole however the buffer splits it. For a
// head (trailer false) a blank first line is an error and EOF is
// ErrDisconnected; for a trailer section it means no trailers (nil), the
// blank line must be CRLF, as net/http requires (a bare LF would end it
// for h11 but not for net/http when nothing follows), and EOF is
// ErrIncompleteBody.
func readLines(br *bufio.Reader, maxBytes int, trailer bool) ([]byte, error) {
	var acc []byte
	lineStart := 0 // where the line being read began in acc
	for {
		part, err := br.ReadSlice('\n')
		if maxBytes > 0 && len(acc)+len(part) > maxBytes {
			if trailer {
				return nil, &ProtocolError{Msg: "trailer section too large"}
			}
			return nil, errTooLarge
		}
		acc = append(acc, part...)
		switch {
		case err == nil:
			line := acc[lineStart:]
			if !isBlankLine(line) {
				lineStart = len(acc)
				continue
			}
			switch {
			case !trailer && lineStart == 0:
				return nil, &ProtocolError{Msg: "no response line received"}
			case trailer && len(line) != 2:
				return nil, &ProtocolError{Msg: "chunked body not ended by CRLF"}
			case trailer && lineStart == 0:
				return nil, nil
			}
			return acc, nil
		case err == bufio.ErrBufferFull:
			// A line longer than the buffer: keep accumulating.
		case err == io.EOF && trailer:
			return nil, ErrIncompleteBody
		case err == io.EOF:
			return nil, ErrDisconnected
		default:
			return nil, err
		}
	}
}

var newline = []byte{'\n'}

var errTooLarge = &ProtocolError{Msg: "response header section too large"}

// headEnd returns the length of the head at the start of buf (through the
// blank line), or 0 when buf does not hold a whole head. A blank first
// line is not a head end (see readHeadBytes).
func headEnd(buf []byte) int {
	i := 0
	for {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			return 0
		}
		line := buf[i : i+j+1]
		i += j + 1
		if isBlankLine(line) && i > len(line) {
			return i
		}
		if isBlankLine(line) {
			return 0 // leave the error to the slow path
		}
	}
}

func isBlankLine(line []byte) bool {
	return len(line) == 1 || (len(line) == 2 && line[0] == '\r')
}

// nextLine cuts s after its first LF and drops the line end (LF, or CRLF).
func nextLine(s string) (line, rest string) {
	i := indexByte(s, '\n')
	if i < 0 {
		return s, ""
	}
	line, rest = s[:i], s[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// parseStatusLine reads "HTTP/d.d SP 3DIGIT [SP reason]".
func parseStatusLine(line string, h *Head) error {
	if len(line) < 12 || line[:5] != "HTTP/" || !isDigit(line[5]) || line[6] != '.' || !isDigit(line[7]) ||
		line[8] != ' ' || !isDigit(line[9]) || !isDigit(line[10]) || !isDigit(line[11]) {
		return &ProtocolError{Msg: "illegal status line: " + strconv.Quote(line)}
	}
	if len(line) > 12 && line[12] != ' ' {
		return &ProtocolError{Msg: "illegal status line: " + strconv.Quote(line)}
	}
	h.Major, h.Minor = int(line[5]-'0'), int(line[7]-'0')
	h.Status = int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	if h.Status < 100 {
		return &ProtocolError{Msg: "status code " + line[9:12] + " is not in 100-999"}
	}
	h.Reason = ""
	if len(line) > 13 {
		h.Reason = line[13:]
	}
	for i := 0; i < len(h.Reason); i++ {
		switch h.Reason[i] {
		case 0, '\r', '\n', '\v', '\f':
			return &ProtocolError{Msg: "illegal character in the reason phrase: " + strconv.Quote(line)}
		}
	}
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseFields parses field lines up to the blank line that ends s,
// appending to fields. An obs-fold line is joined to the field before it
// with one space (RFC 9112 §5.2), which needs a new string for that value.
func parseFields(s string, fields []Field) ([]Field, error) {
	for {
		line, rest := nextLine(s)
		s = rest
		if line == "" {
			return fields, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return fields, &ProtocolError{Msg: "continuation line at start of headers"}
			}
			cont := trimOWS(line)
			if err := checkValue(cont); err != nil {
				return fields, err
			}
			switch last := &fields[len(fields)-1]; {
			case cont == "":
			case last.Value == "":
				last.Value = cont
			default:
				last.Value = last.Value + " " + cont
			}
			continue
		}
		colon := indexByte(line, ':')
		if colon <= 0 {
			return fields, &ProtocolError{Msg: "illegal header line: " + strconv.Quote(line)}
		}
		name := line[:colon]
		for i := 0; i < len(name); i++ {
			if !tokenChars[name[i]] {
				return fields, &ProtocolError{Msg: "illegal header name: " + strconv.Quote(name)}
			}
		}
		value := trimOWS(line[colon+1:])
		if err := checkValue(value); err != nil {
			return fields, err
		}
		fields = append(fields, Field{Name: name, Value: value})
	}
}

// checkValue refuses control bytes in a field value but HTAB, and DEL
// (a LF cannot occur, it ends the line); obs-text (0x80-0xFF) passes. h11
// lets 0x01-0x08 and 0x0E-0x1F through, but net/http refuses them, and a
// value one Go parser refuses must not pass another.
func checkValue(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return &ProtocolError{Msg: "illegal header value: " + strconv.Quote(v)}
		}
	}
	return nil
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// ResponseFraming says how the body of the response h to a request with
// method is delimited (RFC 9112 §6.3, with h11's strictness) and whether
// the connection can be reused after it.
func ResponseFraming(method string, h *Head) (Framing, error) {
	var (
		f        Framing
		cl       string // the Content-Length value, once seen
		hasCL    bool
		teCount  int
		teValue  string
		closeTok bool
	)
	for i := range h.Fields {
		fld := &h.Fields[i]
		switch {
		case EqualFold(fld.Name, "content-length"):
			// Repeated fields must agree byte for byte. A comma list in one
			// field, which h11 takes when its members agree, is refused, as
			// net/http refuses it: two parsers must never disagree about
			// where a body ends.
			if hasCL && fld.Value != cl {
				return f, &ProtocolError{Msg: "conflicting Content-Length headers"}
			}
			cl, hasCL = fld.Value, true
		case EqualFold(fld.Name, "transfer-encoding"):
			teCount++
			teValue = fld.Value
		case EqualFold(fld.Name, "connection"):
			closeTok = closeTok || hasMember(fld.Value, func(tok string) bool { return EqualFold(tok, "close") })
		case EqualFold(fld.Name, "trailer"):
			if hasMember(fld.Value, framingField) {
				return f, &ProtocolError{Msg: "a trailer cannot be a framing field: " + strconv.Quote(fld.Value)}
			}
		}
	}
	var length int64
	if hasCL {
		n, ok := parseLength(cl)
		if !ok {
			return f, &ProtocolError{Msg: "bad Content-Length: " + strconv.Quote(cl)}
		}
		length = n
	}
	if teCount > 1 {
		return f, &ProtocolError{Msg: "multiple Transfer-Encoding headers"}
	}
	if teCount == 1 && !EqualFold(trimOWS(teValue), "chunked") {
		return f, &ProtocolError{Msg: "only Transfer-Encoding: chunked is supported, got " + strconv.Quote(teValue)}
	}
	f.Close = closeTok || h.Major < 1 || (h.Major == 1 && h.Minor < 1)
	switch {
	case h.Status == 101:
		f.Kind, f.Close = NoBody, true
	case method == "HEAD", h.Status < 200, h.Status == 204, h.Status == 304:
		f.Kind = NoBody
	case method == "CONNECT" && h.Status < 300:
		f.Kind, f.Close = NoBody, true
	case teCount == 1:
		f.Kind = Chunked
		// A message framed both ways is a smuggling attempt or a broken
		// server: decode by Transfer-Encoding, never reuse the connection.
		f.Close = f.Close || hasCL
	case hasCL:
		f.Kind, f.Length = Length, length
	default:
		f.Kind, f.Close = UntilClose, true
	}
	return f, nil
}

// framingField reports the fields that frame a message, which a trailer
// section must never carry (RFC 9110 §6.5.1).
func framingField(name string) bool {
	return EqualFold(name, "content-length") || EqualFold(name, "transfer-encoding") || EqualFold(name, "trailer")
}

// hasMember reports whether a member of the comma-separated list v,
// trimmed, satisfies match.
func hasMember(v string, match func(string) bool) bool {
	for {
		i := indexByte(v, ',')
		if i < 0 {
			return match(trimOWS(v))
		}
		if match(trimOWS(v[:i])) {
			return true
		}
		v = v[i+1:]
	}
}

// parseLength accepts 1 to 18 decimal digits, nothing else.
func parseLength(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}

// EqualFold reports whether a and b are equal ignoring ASCII case, as
// header names compare; no Unicode folding.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// Body reads a response body as its Framing delimits it. It is meant to be
// reused, one per connection: Reset starts the next body.
type Body struct {
	br       *bufio.Reader
	kind     BodyKind
	left     int64 // Length: bytes left; Chunked: bytes left in this chunk
	state    chunkState
	done     bool
	maxTrail int
	trailers []Field
	overhead int64 // chunk framing bytes not yet paid for by data
}

// maxChunkOverhead bounds how far a chunked body's framing (size lines and
// their extensions) may run ahead of its data: a server that sends mostly
// framing is wasting the client's time.
const maxChunkOverhead = 16 << 10

type chunkState uint8

const (
	chunkSize  chunkState = iota // expecting a chunk-size line
	chunkData                    // inside a chunk's data
	chunkCRLF                    // expecting the CRLF after a chunk's data
	chunkTrail                   // after the last chunk: trailer fields
)

// Reset makes b read the body framed by f from br; maxTrailerBytes bounds
// a chunk-size line and the trailer section.
func (b *Body) Reset(br *bufio.Reader, f Framing, maxTrailerBytes int) {
	*b = Body{br: br, kind: f.Kind, left: f.Length, maxTrail: maxTrailerBytes, trailers: b.trailers[:0]}
	if f.Kind == NoBody || (f.Kind == Length && f.Length == 0) {
		b.done = true
	}
}

// Done reports whether the body was read to its exact end.
func (b *Body) Done() bool { return b.done }

// Trailers returns the trailer fields of a chunked body, once Done.
func (b *Body) Trailers() []Field { return b.trailers }

// Read reads body bytes into p, straight from the connection's reader. It
// returns io.EOF at the end of the body and never reads past it. A clean
// EOF before a framed body is complete is ErrIncompleteBody; malformed
// chunking a *ProtocolError; other errors are returned as they are.
func (b *Body) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	switch b.kind {
	case Length:
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
		n, err := b.br.Read(p)
		b.left -= int64(n)
		if b.left == 0 {
			// The end is known: say so with the last bytes, so that the
			// connection is free without another call.
			b.done = true
			return n, io.EOF
		}
		if err == io.EOF {
			return n, ErrIncompleteBody
		}
		return n, err
	case UntilClose:
		n, err := b.br.Read(p)
		if err == io.EOF {
			b.done = true
		}
		return n, err
	}
	return b.readChunked(p)
}

func (b *Body) readChunked(p []byte) (int, error) {
	for {
		switch b.state {
		case chunkSize:
			size, err := b.readChunkSize()
			if err != nil {
				return 0, err
			}
			if size == 0 {
				b.state = chunkTrail
				continue
			}
			b.left, b.state = size, chunkData
		case chunkData:
			if int64(len(p)) > b.left {
				p = p[:b.left]
			}
			n, err := b.br.Read(p)
			b.left -= int64(n)
			if b.left == 0 {
				b.state = chunkCRLF
			}
			if err == io.EOF {
				if b.left == 0 {
					err = nil // the CRLF is still to come
				} else {
					err = ErrIncompleteBody
				}
			}
			if n > 0 || err != nil {
				return n, err
			}
		case chunkCRLF:
			c1, err := b.br.ReadByte()
			if err != nil {
				return 0, eofIsIncomplete(err)
			}
			c2, err := b.br.ReadByte()
			if err != nil {
				return 0, eofIsIncomplete(err)
			}
			if c1 != '\r' || c2 != '\n' {
				return 0, &ProtocolError{Msg: "malformed chunk footer"}
			}
			b.state = chunkSize
		case chunkTrail:
			if err := b.readTrailers(); err != nil {
				return 0, err
			}
			b.done = true
			return 0, io.EOF
		}
	}
}

func eofIsIncomplete(err error) error {
	if err == io.EOF {
		return ErrIncompleteBody
	}
	return err
}

// readChunkSize reads "1*HEXDIG [ws] [;ext] CRLF". The line must end in
// CRLF (found by searching for it, as h11 does, so a bare LF runs on).
func (b *Body) readChunkSize() (int64, error) {
	line, err := b.readCRLFLine()
	if err != nil {
		return 0, err
	}
	end := len(line)
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		end = i
	}
	digits := line[:end]
	for len(digits) > 0 && (digits[len(digits)-1] == ' ' || digits[len(digits)-1] == '\t') {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 || len(digits) > 16 {
		return 0, &ProtocolError{Msg: "illegal chunk header: " + strconv.Quote(string(line))}
	}
	var n uint64
	for _, c := range digits {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, &ProtocolError{Msg: "illegal chunk header: " + strconv.Quote(string(line))}
		}
		n = n<<4 | uint64(d)
	}
	if n > 1<<62 {
		return 0, &ProtocolError{Msg: "chunk size too large: " + strconv.Quote(string(digits))}
	}
	// Each chunk pays for a short size line and its CRLFs, and for twice
	// its data: tiny chunks are fine, pages of extensions are not.
	b.overhead = max(b.overhead+int64(len(line))+4-16-2*int64(n), 0)
	if b.overhead > maxChunkOverhead {
		return 0, &ProtocolError{Msg: "chunked encoding carries too much besides data"}
	}
	return int64(n), nil
}

// readCRLFLine reads up to and including the next CRLF, a line of at most
// maxTrail bytes, and returns the line without it. The slice is only valid
// until the next read.
func (b *Body) readCRLFLine() ([]byte, error) {
	var acc []byte
	for {
		part, err := b.br.ReadSlice('\n')
		if len(acc)+len(part) > b.maxTrail && b.maxTrail > 0 {
			return nil, &ProtocolError{Msg: "chunk header too large"}
		}
		if err == bufio.ErrBufferFull {
			acc = append(acc, part...)
			continue
		}
		if err != nil {
			return nil, eofIsIncomplete(err)
		}
		line := part
		if acc != nil {
			line = append(acc, part...)
		}
		if len(line) >= 2 && line[len(line)-2] == '\r' {
			return line[:len(line)-2], nil
		}
		// A bare LF does not end a chunk line: it is part of it.
		acc = append(acc[:0:0], line...)
	}
}

// readTrailers reads the trailer section after the last chunk, with the
// head's field rules.
func (b *Body) readTrailers() error {
	raw, err := readLines(b.br, b.maxTrail, true)
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		return nil
	}
	fields, err := parseFields(string(raw), b.trailers[:0])
	b.trailers = fields
	if err != nil {
		return err
	}
	for _, f := range fields {
		if framingField(f.Name) {
			return &ProtocolError{Msg: "a framing field in the trailer section: " + strconv.Quote(f.Name)}
		}
	}
	return nil
}
