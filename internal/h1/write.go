package h1

import (
	"bufio"
	"strconv"
)

// tokenChars marks the bytes allowed in a token (RFC 9110 §5.6.2): method
// names and field names.
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsToken reports whether s is a non-empty RFC 9110 token.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

func localError(msg string) error { return &ProtocolError{Msg: msg, Local: true} }

// AppendRequestLine appends "method SP target SP HTTP/1.1 CRLF" to dst. The
// method must be a token and the target one or more visible ASCII bytes
// (0x21-0x7E), as h11 requires, so nothing can split the request line.
func AppendRequestLine(dst []byte, method, target string) ([]byte, error) {
	if !IsToken(method) {
		return dst, localError("illegal method " + strconv.Quote(method))
	}
	if target == "" {
		return dst, localError("empty request target")
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c < 0x21 || c > 0x7e {
			return dst, localError("illegal request target character " + strconv.QuoteRune(rune(c)) + " in " + strconv.Quote(target))
		}
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, target...)
	return append(dst, " HTTP/1.1\r\n"...), nil
}

// AppendField appends "name: value CRLF" to dst. The name must be a token;
// the value may hold any byte but NUL, CR and LF, so that no field can
// smuggle another field or end the head.
func AppendField(dst []byte, name, value string) ([]byte, error) {
	if !IsToken(name) {
		return dst, localError("illegal header name " + strconv.Quote(name))
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c == 0 || c == '\r' || c == '\n' {
			return dst, localError("illegal header value for " + name + ": " + strconv.Quote(value))
		}
	}
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...), nil
}

// ChunkWriter writes a chunked request body (RFC 9112 §7.1) to a buffered
// writer: each Write is one chunk, Close writes the last chunk and an empty
// trailer section. It holds no buffer of its own.
type ChunkWriter struct {
	w *bufio.Writer
}

// Reset makes the writer write to w.
func (c *ChunkWriter) Reset(w *bufio.Writer) { c.w = w }

// Write writes p as one chunk; an empty p writes nothing (a zero-size chunk
// would end the body).
func (c *ChunkWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var size [18]byte
	line := strconv.AppendUint(size[:0], uint64(len(p)), 16)
	line = append(line, '\r', '\n')
	if _, err := c.w.Write(line); err != nil {
		return 0, err
	}
	if _, err := c.w.Write(p); err != nil {
		return 0, err
	}
	if _, err := c.w.WriteString("\r\n"); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes the last chunk and the empty trailer section. It does not
// flush.
func (c *ChunkWriter) Close() error {
	_, err := c.w.WriteString("0\r\n\r\n")
	return err
}
