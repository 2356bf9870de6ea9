package multipart

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenCase is one encoding whose expected bytes were produced by HTTPX
// 0.23.3 with boundary "XYZ".
type goldenCase struct {
	name   string
	fields []Field
	files  func() []File
	want   string
}

func sr(s string) io.Reader { return strings.NewReader(s) }

var goldenCases = []goldenCase{
	{
		name:   "fields only",
		fields: []Field{{"a", "1"}, {"b", "x"}, {"b", "y"}},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"a\"\r\n" +
			"\r\n" +
			"1\r\n" +
			"--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"b\"\r\n" +
			"\r\n" +
			"x\r\n" +
			"--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"b\"\r\n" +
			"\r\n" +
			"y\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:  "files only",
		files: func() []File { return []File{{Field: "f", Filename: "a.txt", Content: sr("hello")}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n" +
			"Content-Type: text/plain\r\n" +
			"\r\n" +
			"hello\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:   "fields and files",
		fields: []Field{{"a", "1"}},
		files: func() []File {
			return []File{{Field: "upload", Filename: "report.xls", ContentType: "application/vnd.ms-excel", Content: sr("\x00\x01binary")}}
		},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"a\"\r\n" +
			"\r\n" +
			"1\r\n" +
			"--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"upload\"; filename=\"report.xls\"\r\n" +
			"Content-Type: application/vnd.ms-excel\r\n" +
			"\r\n" +
			"\x00\x01binary\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:   "repeated names",
		fields: []Field{{"k", "1"}, {"k", "2"}},
		files: func() []File {
			return []File{
				{Field: "images", Filename: "foo.png", Content: sr("P1")},
				{Field: "images", Filename: "bar.png", Content: sr("P2")},
			}
		},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"k\"\r\n" +
			"\r\n" +
			"1\r\n" +
			"--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"k\"\r\n" +
			"\r\n" +
			"2\r\n" +
			"--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"images\"; filename=\"foo.png\"\r\n" +
			"Content-Type: image/png\r\n" +
			"\r\n" +
			"P1\r\n" +
			"--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"images\"; filename=\"bar.png\"\r\n" +
			"Content-Type: image/png\r\n" +
			"\r\n" +
			"P2\r\n" +
			"--XYZ--\r\n",
	},
	{
		name: "escaped filename",
		files: func() []File {
			return []File{{Field: "f", Filename: "a\"b\\c\x01\x1f\x1b\x7f\u00e9\u4e2d.txt", Content: sr("hi")}}
		},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"a%22b\\\\c%01%1F\x1b\x7f\xc3\xa9\xe4\xb8\xad.txt\"\r\n" +
			"Content-Type: text/plain\r\n" +
			"\r\n" +
			"hi\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:   "escaped names",
		fields: []Field{{"n\"a\\m\x00e\r\n", "v"}},
		files:  func() []File { return []File{{Field: "f\"i\\le\t", Filename: "x.txt", Content: sr("y")}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"n%22a\\\\m%00e%0D%0A\"\r\n" +
			"\r\n" +
			"v\r\n" +
			"--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f%22i\\\\le%09\"; filename=\"x.txt\"\r\n" +
			"Content-Type: text/plain\r\n" +
			"\r\n" +
			"y\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:  "no filename",
		files: func() []File { return []File{{Field: "f", Content: sr("text content")}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"\r\n" +
			"\r\n" +
			"text content\r\n" +
			"--XYZ--\r\n",
	},
	{
		name: "explicit type",
		files: func() []File {
			return []File{{Field: "f", Filename: "x.png", ContentType: "text/plain", Content: sr("..")}}
		},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"x.png\"\r\n" +
			"Content-Type: text/plain\r\n" +
			"\r\n" +
			"..\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:  "explicit type without filename",
		files: func() []File { return []File{{Field: "f", ContentType: "text/plain", Content: sr("c")}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"\r\n" +
			"Content-Type: text/plain\r\n" +
			"\r\n" +
			"c\r\n" +
			"--XYZ--\r\n",
	},
	{
		name: "extra headers",
		files: func() []File {
			return []File{{Field: "f", Filename: "x.bin", Header: [][2]string{{"X-A", "1"}, {"X-B", "two words"}}, Content: sr("hi")}}
		},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n" +
			"X-A: 1\r\n" +
			"X-B: two words\r\n" +
			"Content-Type: application/octet-stream\r\n" +
			"\r\n" +
			"hi\r\n" +
			"--XYZ--\r\n",
	},
	{
		name: "header content type wins",
		files: func() []File {
			return []File{{
				Field: "f", Filename: "x.png", ContentType: "text/foo",
				Header:  [][2]string{{"X-A", "1"}, {"content-type", "a/b"}},
				Content: sr("hi"),
			}}
		},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"x.png\"\r\n" +
			"X-A: 1\r\n" +
			"content-type: a/b\r\n" +
			"\r\n" +
			"hi\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:  "empty file",
		files: func() []File { return []File{{Field: "f", Filename: "empty.txt", Content: sr("")}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"empty.txt\"\r\n" +
			"Content-Type: text/plain\r\n" +
			"\r\n" +
			"\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:  "nil content is an empty file",
		files: func() []File { return []File{{Field: "f", Filename: "empty.txt"}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"empty.txt\"\r\n" +
			"Content-Type: text/plain\r\n" +
			"\r\n" +
			"\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:  "unknown extension",
		files: func() []File { return []File{{Field: "f", Filename: "data.unknownext", Content: sr("z")}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"data.unknownext\"\r\n" +
			"Content-Type: application/octet-stream\r\n" +
			"\r\n" +
			"z\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:  "no extension",
		files: func() []File { return []File{{Field: "f", Filename: "README", Content: sr("r")}} },
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"f\"; filename=\"README\"\r\n" +
			"Content-Type: application/octet-stream\r\n" +
			"\r\n" +
			"r\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:   "empty field value",
		fields: []Field{{"e", ""}},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"e\"\r\n" +
			"\r\n" +
			"\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:   "unicode field",
		fields: []Field{{"名前", "値"}},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"\xe5\x90\x8d\xe5\x89\x8d\"\r\n" +
			"\r\n" +
			"\xe5\x80\xa4\r\n" +
			"--XYZ--\r\n",
	},
	{
		name:   "crlf in value",
		fields: []Field{{"v", "line1\r\nline2\r\n"}},
		want: "--XYZ\r\n" +
			"Content-Disposition: form-data; name=\"v\"\r\n" +
			"\r\n" +
			"line1\r\n" +
			"line2\r\n" +
			"\r\n" +
			"--XYZ--\r\n",
	},
	{
		name: "no parts",
		want: "--XYZ--\r\n",
	},
}

func (c goldenCase) body(t testing.TB) *Body {
	t.Helper()
	var files []File
	if c.files != nil {
		files = c.files()
	}
	b, err := New(c.fields, files, "XYZ")
	require.NoError(t, err)
	return b
}

func TestEncodeMatchesHTTPX(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			b := c.body(t)
			got, err := io.ReadAll(b.Reader())
			require.NoError(t, err)
			assert.Equal(t, c.want, string(got))
			assert.Equal(t, int64(len(c.want)), b.Len(), "Len must match the encoded size")
			assert.True(t, b.Replayable())
			assert.Equal(t, "XYZ", b.Boundary())
			assert.Equal(t, "multipart/form-data; boundary=XYZ", b.ContentType())
		})
	}
}

// TestEncodeSmallReads checks that the streamed bytes do not depend on the
// size of the caller's buffer, including one-byte reads across every
// segment boundary.
func TestEncodeSmallReads(t *testing.T) {
	for _, size := range []int{1, 2, 3, 7, 64} {
		for _, c := range goldenCases {
			b := c.body(t)
			var out bytes.Buffer
			buf := make([]byte, size)
			r := b.Reader()
			for {
				n, err := r.Read(buf)
				assert.LessOrEqual(t, n, size)
				out.Write(buf[:n])
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
			}
			assert.Equal(t, c.want, out.String(), "%s with %d-byte reads", c.name, size)
		}
	}
}
