package urlparse

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxURLLength bounds the whole URL and each component, as HTTPX does, so
// that hostile input cannot make the parser or later consumers do
// unbounded work.
const maxURLLength = 65536

// Error reports an invalid URL or URL component.
//
// Reason carries HTTPX's own wording (for example "Invalid port: 'abc'")
// so that messages shown to users match those of the Python library and
// can be compared in tests.
type Error struct {
	Reason string
}

// Error returns the reason unchanged, so the message matches HTTPX's
// InvalidURL text.
func (e *Error) Error() string { return e.Reason }

func newError(reason string) *Error { return &Error{Reason: reason} }

// Repr quotes s as Python's repr() does, for the root package's String
// methods, which read like HTTPX's reprs.
func Repr(s string) string { return pyRepr(s) }

// pyRepr quotes s the way Python's repr() quotes a str, because HTTPX
// embeds repr() output in its error messages.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Python strings cannot hold invalid UTF-8; show the raw byte.
			b.WriteString(`\x`)
			writeHex2(&b, s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(quote):
			b.WriteByte('\\')
			b.WriteByte(quote)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == ' ' || (r < utf8.RuneSelf && r > ' ' && r != 0x7f):
			b.WriteRune(r)
		case r < 0x100 && !unicode.IsPrint(r):
			b.WriteString(`\x`)
			writeHex2(&b, byte(r))
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x10000:
			b.WriteString(`\u`)
			b.WriteString(leftPad(strconv.FormatInt(int64(r), 16), 4))
		default:
			b.WriteString(`\U`)
			b.WriteString(leftPad(strconv.FormatInt(int64(r), 16), 8))
		}
	}
	b.WriteByte(quote)
	return b.String()
}

func leftPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

func writeHex2(b *strings.Builder, c byte) {
	const hex = "0123456789abcdef"
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// checkPrintable rejects ASCII control characters (including TAB, CR, LF
// and DEL). HTTPX refuses them instead of stripping them WHATWG-style,
// because silently altering a URL hides request-smuggling attempts.
// component is "" for a whole URL, otherwise the component's name.
func checkPrintable(s, component string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != 0x7f {
			continue
		}
		// Python reports the position in code points, not bytes.
		pos := utf8.RuneCountInString(s[:i])
		ch := pyRepr(s[i : i+1])
		if component == "" {
			return newError("Invalid non-printable ASCII character in URL, " +
				ch + " at position " + strconv.Itoa(pos) + ".")
		}
		return newError("Invalid non-printable ASCII character in URL " + component +
			" component, " + ch + " at position " + strconv.Itoa(pos) + ".")
	}
	return nil
}

// tooLong reports whether s exceeds the length limit. Python measures code
// points, so multi-byte text is only counted precisely when the cheap byte
// length is already over the limit.
func tooLong(s string) bool {
	return len(s) > maxURLLength && utf8.RuneCountInString(s) > maxURLLength
}
