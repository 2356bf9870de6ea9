package multipart

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fuzzToken = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// fuzzSafeValue reports whether net/textproto accepts s as a header value:
// HTAB, SP, visible ASCII and any byte from 0x80 up (UTF-8 or not).
func fuzzSafeValue(s string) bool {
	for _, c := range []byte(s) {
		if c != '\t' && (c < 0x20 || c == 0x7f) {
			return false
		}
	}
	return true
}

// fuzzEscape is the name as a receiver decodes it: HTTPX's escapes for '"'
// and control characters stay percent-encoded, while the doubled backslash
// is a quoted-string escape and comes back single.
func fuzzEscape(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			sb.WriteString("%22")
		case c < 0x20 && c != 0x1b:
			fmt.Fprintf(&sb, "%%%02X", c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// FuzzRoundTrip encodes a field and a file from arbitrary strings, parses the
// result with Go's mime/multipart and expects every value back, or a
// rejection from New that the input deserves.
func FuzzRoundTrip(f *testing.F) {
	f.Add("a", "1", "f", "a.txt", "hello", "", "", "")
	f.Add("n\"a\\m\x00e\r\n", "line1\r\nline2", "f\"i\\le\t", "a\"b\\c\x01\x1fé中.txt", "", "text/plain", "X-A", "two words")
	f.Add("", "", "", "", "", "", "Content-Type", "a/b")
	f.Add("esc\x1b", "v", "del\x7f", "x", "data", "", "", "")
	f.Add("k", "--", "f", "", "\r\n--\r\n", "", "X-B", "a\r\nX-Evil: 1")
	f.Add("k", "v", "f", "x.bin", "z", "", "Bad Name", "v")
	f.Add("k", "v", "f", "x.bin", "z", "bad\x7ftype", "", "")
	f.Add("k", "v", "f", "x.bin", "z", "", "X-A", " \tpadded\t ")
	f.Fuzz(func(t *testing.T, name, value, fileField, filename, content, contentType, headerName, headerValue string) {
		file := File{Field: fileField, Filename: filename, ContentType: contentType, Content: strings.NewReader(content)}
		if headerName != "" {
			file.Header = [][2]string{{headerName, headerValue}}
		}
		headerHasType := strings.EqualFold(headerName, "Content-Type")
		wantType := strings.Trim(headerValue, " \t")
		switch {
		case headerHasType:
		case contentType != "":
			wantType = contentType
		case filename != "":
			wantType = GuessContentType(filename)
		default:
			wantType = ""
		}
		badHeader := headerName != "" && (!fuzzToken.MatchString(headerName) || !fuzzSafeValue(headerValue))
		badType := !headerHasType && contentType != "" && !fuzzSafeValue(contentType)

		b, err := New([]Field{{name, value}}, []File{file}, "")
		if badHeader || badType {
			require.ErrorIs(t, err, ErrInvalidHeader)
			require.Nil(t, b)
			return
		}
		require.NoError(t, err)
		body, err := io.ReadAll(b.Reader())
		require.NoError(t, err)
		require.Equal(t, int64(len(body)), b.Len())

		parts, err := parse(t, body, b.Boundary())
		if strings.ContainsAny(name+fileField+filename, "\x1b\x7f") {
			// Sent raw as HTTPX does, which Go's strict header reader
			// refuses; the bytes must still be HTTPX's.
			require.Contains(t, string(body), `name="`+strings.ReplaceAll(fuzzEscape(name), `\`, `\\`)+`"`)
			if err != nil {
				return
			}
		}
		require.NoError(t, err)
		require.Len(t, parts, 2)
		assert.Equal(t, fuzzEscape(name), parts[0].name)
		assert.Equal(t, value, parts[0].data)
		assert.False(t, parts[0].hasFilename)
		assert.Equal(t, fuzzEscape(fileField), parts[1].name)
		assert.Equal(t, filename != "", parts[1].hasFilename)
		assert.Equal(t, fuzzEscape(filename), parts[1].filename)
		assert.Equal(t, content, parts[1].data)
		// Header readers drop the blanks around values.
		assert.Equal(t, strings.Trim(wantType, " \t"), parts[1].header.Get("Content-Type"))
		if headerName != "" && !headerHasType {
			assert.Contains(t, parts[1].header.Values(headerName), strings.Trim(headerValue, " \t"))
		}
	})
}
