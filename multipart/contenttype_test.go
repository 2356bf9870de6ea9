package multipart

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		{"a.txt", "text/plain"},
		{"report.xls", "application/vnd.ms-excel"},
		{`C:\dir.d\file.png`, "image/png"},
		// Python's built-in table, not /etc/mime.types.
		{"feed.xml", "application/xml"}, // as HTTPX sends it wherever mimetypes reads the system table
		// Compression suffixes are encodings to Python: the type is that
		// of what is inside, and a bare compressed file has none.
		{"a.tar.gz", "application/x-tar"},
		{"a.tgz", "application/x-tar"},
		{"a.gz", "application/octet-stream"},
		{"a.tar.GZ", "application/octet-stream"},
		// Extensions Python's strict table lacks come from the standard
		// library, whose built-in table has these.
		{"i.webp", "image/webp"},
		{"I.WEBP", "image/webp"},
		// No usable extension.
		{"README", "application/octet-stream"},
		{".txt", "application/octet-stream"},
		{"trailing.", "application/octet-stream"},
		{"", "application/octet-stream"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, GuessContentType(c.in), c.in)
	}
}

// TestGuessContentTypeMatchesPython compares with what HTTPX computes,
// mimetypes.guess_type(name)[0] or "application/octet-stream", recorded by
// gen_mimetypes.py from CPython for names that exercise guess_type's rules
// (abbreviations, encodings, case, URL schemes, data: URLs). Every name
// Python finds no type for is one the standard library is not asked about.
func TestGuessContentTypeMatchesPython(t *testing.T) {
	raw, err := os.ReadFile("testdata/guess_type.json")
	require.NoError(t, err)
	var golden map[string]*string
	require.NoError(t, json.Unmarshal(raw, &golden))
	require.NotEmpty(t, golden)
	for name, typ := range golden {
		want := "application/octet-stream"
		if typ != nil {
			want = *typ
		}
		assert.Equal(t, want, GuessContentType(name), name)
	}
}

// TestGuessContentTypeNoParameters checks that types coming from the
// system's table lose parameters such as charset, which HTTPX never sends.
func TestGuessContentTypeNoParameters(t *testing.T) {
	for ext := range pyTypes {
		assert.NotContains(t, GuessContentType("x"+ext), ";", ext)
	}
	for _, name := range []string{"x.webp", "x.md", "x.yaml", "x.sh", "x.c", "x.7z"} {
		got := GuessContentType(name)
		assert.NotContains(t, got, ";", name)
		assert.NotEmpty(t, got, name)
	}
}
