package multipart

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBoundaryFromContentType(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"multipart/form-data; boundary=XYZ", "XYZ"},
		{`multipart/form-data; boundary="XYZ"`, "XYZ"},
		{"multipart/form-data;boundary=XYZ", "XYZ"},
		{"multipart/form-data; charset=utf-8; boundary=XYZ", "XYZ"},
		{"multipart/form-data; boundary=XYZ; charset=utf-8", "XYZ"},
		{`multipart/form-data; foo="boundary=no; really"; boundary=yes`, "yes"},
		{"Multipart/Form-Data; BOUNDARY=XYZ", "XYZ"},
		{"  multipart/form-data ;  boundary=XYZ  ", "XYZ"},
		{`multipart/form-data; boundary="a;b c"`, "a;b c"},
		{`multipart/form-data; boundary="a\"b"`, `a"b`},
		{`multipart/form-data; boundary="unterminated`, "unterminated"},
		{"multipart/form-data; boundary=first; boundary=second", "first"},
		{"multipart/form-data; flag; boundary=XYZ", "XYZ"},
		{"multipart/form-data; boundary=", ""},
		{`multipart/form-data; boundary=""`, ""},
		{"multipart/form-data", ""},
		{"multipart/form-data; charset=utf-8", ""},
		{"multipart/mixed; boundary=XYZ", ""},
		{"text/plain; boundary=XYZ", ""},
		{"", ""},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, BoundaryFromContentType(c.in), c.in)
	}
}

func TestGuessContentType(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		// Same answers as Python's mimetypes (and so HTTPX).
		{"a.txt", "text/plain"},
		{"A.TXT", "text/plain"},
		{"index.html", "text/html"},
		{"index.htm", "text/html"},
		{"data.json", "application/json"},
		{"pic.png", "image/png"},
		{"pic.jpg", "image/jpeg"},
		{"pic.JPEG", "image/jpeg"},
		{"anim.gif", "image/gif"},
		{"logo.svg", "image/svg+xml"},
		{"doc.pdf", "application/pdf"},
		{"a.zip", "application/zip"},
		{"t.csv", "text/csv"},
		{"app.js", "text/javascript"},
		{"s.css", "text/css"},
		{"v.mp4", "video/mp4"},
		{"s.mp3", "audio/mpeg"},
		{"s.wav", "audio/x-wav"},
		{"i.webp", "image/webp"},
		{"report.xls", "application/vnd.ms-excel"},
		{"sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"dir/sub.d/file.txt", "text/plain"},
		{`C:\dir.d\file.png`, "image/png"},
		{"archive.tar", "application/x-tar"},
		// Python says text/xml in its own table; /etc/mime.types may differ.
		{"feed.xml", "text/xml"},
		// Compression suffixes: Python reports none (HTTPX would send
		// application/octet-stream); we name the compressed format.
		{"a.gz", "application/gzip"},
		{"a.tar.gz", "application/gzip"},
		// No usable extension.
		{"README", "application/octet-stream"},
		{".txt", "application/octet-stream"},
		{"..txt", "application/octet-stream"},
		{"trailing.", "application/octet-stream"},
		{"dir.d/noext", "application/octet-stream"},
		{"x.unknownext", "application/octet-stream"},
		{"", "application/octet-stream"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, GuessContentType(c.in), c.in)
	}
}

// TestGuessContentTypeNoParameters checks that types coming from the
// system's table lose parameters such as charset, which HTTPX never sends.
func TestGuessContentTypeNoParameters(t *testing.T) {
	for ext := range commonTypes {
		assert.NotContains(t, GuessContentType("x"+ext), ";", ext)
	}
	for _, name := range []string{"x.wasm", "x.avif", "x.mjs", "x.py", "x.sh", "x.c", "x.yaml"} {
		got := GuessContentType(name)
		assert.NotContains(t, got, ";", name)
		assert.NotEmpty(t, got, name)
	}
}
