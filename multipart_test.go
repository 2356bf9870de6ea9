package httpx_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type part struct {
	Name, Filename, ContentType, Body string
}

// multipartServer parses uploads with the standard library and reports
// every part in order, plus the request's framing.
func multipartServer(t *testing.T) (*httptest.Server, func() ([]part, int64, []string)) {
	var (
		mu     sync.Mutex
		parts  []part
		length int64
		te     []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		var got []part
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			b, _ := io.ReadAll(p)
			got = append(got, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		mu.Lock()
		parts, length, te = got, r.ContentLength, r.TransferEncoding
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() ([]part, int64, []string) {
		mu.Lock()
		defer mu.Unlock()
		return parts, length, te
	}
}

func TestMultipartUploadParsedByRealServer(t *testing.T) {
	srv, got := multipartServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	require.NoError(t, os.WriteFile(path, []byte("a,b\n1,2\n"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()

	var form httpx.QueryParams
	form.Add("tag", "one")
	form.Add("tag", "two")
	form.Add("title", "quarterly")
	c := httpx.NewClient()
	defer c.Close()
	r, err := c.Post(ctx, srv.URL, httpx.WithFormParams(form), httpx.WithFiles(
		httpx.File{Field: "upload", Filename: "report.csv", Content: f},
		httpx.File{Field: "upload", Filename: "notes.unknownext", Content: strings.NewReader("notes")},
		httpx.File{Field: "blob", Content: bytes.NewReader([]byte{0, 1, 2})},
		httpx.File{Field: "typed", Filename: "x.txt", ContentType: "application/x-custom", Content: strings.NewReader("t")},
	))
	require.NoError(t, err)
	require.Equal(t, 200, r.StatusCode)
	parts, length, te := got()
	assert.Equal(t, []part{
		{"tag", "", "", "one"},
		{"tag", "", "", "two"},
		{"title", "", "", "quarterly"},
		{"upload", "report.csv", "text/csv", "a,b\n1,2\n"},
		{"upload", "notes.unknownext", "application/octet-stream", "notes"},
		{"blob", "", "", "\x00\x01\x02"},
		{"typed", "x.txt", "application/x-custom", "t"},
	}, parts)
	assert.Equal(t, r.Request.Headers.Get("Content-Length"), itoa(length), "every size known: a Content-Length")
	assert.Empty(t, te)

	// A part of unknown size makes the body chunked.
	_, err = c.Post(ctx, srv.URL, httpx.WithFiles(httpx.File{Field: "f", Filename: "f.bin", Content: io.MultiReader(strings.NewReader("stream"))}))
	require.NoError(t, err)
	parts, length, te = got()
	assert.Equal(t, []part{{"f", "f.bin", "application/octet-stream", "stream"}}, parts)
	assert.EqualValues(t, -1, length)
	assert.Equal(t, []string{"chunked"}, te)
}

func TestMultipartBytesMatchHTTPX(t *testing.T) {
	// httpx.Request("POST", "http://x", data={"a": "1"},
	//     files={"f": ("hello.txt", b"hi")},
	//     headers={"Content-Type": "multipart/form-data; boundary=XYZ"}).read()
	want := "--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n" +
		"--XYZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"hello.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
		"--XYZ--\r\n"
	req, err := httpx.NewRequest("POST", "http://x",
		httpx.WithHeader("Content-Type", "multipart/form-data; boundary=XYZ"),
		httpx.WithForm(map[string]string{"a": "1"}),
		httpx.WithFiles(httpx.File{Field: "f", Filename: "hello.txt", Content: strings.NewReader("hi")}))
	require.NoError(t, err)
	body, err := req.Content()
	require.NoError(t, err)
	assert.Equal(t, want, string(body))
	assert.Equal(t, itoa(int64(len(want))), req.Headers.Get("Content-Length"))
	assert.Equal(t, "multipart/form-data; boundary=XYZ", req.Headers.Get("Content-Type"))

	// Without a user boundary, a random one in the header.
	req, err = httpx.NewRequest("POST", "http://x", httpx.WithFiles(httpx.File{Field: "f", Content: strings.NewReader("x")}))
	require.NoError(t, err)
	_, params, err := mime.ParseMediaType(req.Headers.Get("Content-Type"))
	require.NoError(t, err)
	assert.Len(t, params["boundary"], 32)
}

func TestUploadProgress(t *testing.T) {
	srv, _ := multipartServer(t)
	var calls [][2]int64
	var mu sync.Mutex
	payload := strings.Repeat("x", 200_000)
	c := httpx.NewClient()
	defer c.Close()
	_, err := c.Post(ctx, srv.URL, httpx.WithFiles(httpx.File{Field: "f", Filename: "big.bin", Content: strings.NewReader(payload)}),
		httpx.WithUploadProgress(func(sent, total int64) {
			mu.Lock()
			calls = append(calls, [2]int64{sent, total})
			mu.Unlock()
		}))
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, calls)
	last := calls[len(calls)-1]
	assert.Equal(t, last[1], last[0], "progress ends at the total")
	assert.Greater(t, last[0], int64(len(payload)))
	for i := 1; i < len(calls); i++ {
		assert.Greater(t, calls[i][0], calls[i-1][0])
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// namedReader is a reader that knows its name, like *os.File, without being
// a file.
type namedReader struct {
	*strings.Reader
	name string
}

func (n namedReader) Name() string { return n.name }

// TestUploadBareFile checks HTTPX's files={"f": open("report.xls", "rb")}: a
// Content that has a Name and no Filename sends the base of that name and
// the type guessed from it, unless NoFilename says to send none.
func TestUploadBareFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xls")
	require.NoError(t, os.WriteFile(path, []byte("cells"), 0o600))
	open := func() *os.File {
		f, err := os.Open(path)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}
	named := func(name string) io.Reader { return namedReader{strings.NewReader("named"), name} }
	cases := []struct {
		name string
		file httpx.File
		want part
	}{
		{"bare *os.File", httpx.File{Field: "f", Content: open()},
			part{"f", "report.xls", "application/vnd.ms-excel", "cells"}},
		{"explicit filename wins", httpx.File{Field: "f", Filename: "other.txt", Content: open()},
			part{"f", "other.txt", "text/plain", "cells"}},
		{"explicit type kept", httpx.File{Field: "f", ContentType: "application/x-sheet", Content: open()},
			part{"f", "report.xls", "application/x-sheet", "cells"}},
		{"NoFilename", httpx.File{Field: "f", NoFilename: true, Content: open()},
			part{"f", "", "", "cells"}},
		{"NoFilename with a type", httpx.File{Field: "f", NoFilename: true, ContentType: "text/csv", Content: open()},
			part{"f", "", "text/csv", "cells"}},
		{"any reader with Name", httpx.File{Field: "f", Content: named("some/dir/notes.txt")},
			part{"f", "notes.txt", "text/plain", "named"}},
		{"trailing slash and dot", httpx.File{Field: "f", Content: named("some/dir/notes.txt/./")},
			part{"f", "notes.txt", "text/plain", "named"}},
		{"empty name", httpx.File{Field: "f", Content: named("")},
			part{"f", "", "", "named"}},
		{"root", httpx.File{Field: "f", Content: named("/")},
			part{"f", "", "", "named"}},
		{"reader without Name", httpx.File{Field: "f", Content: strings.NewReader("plain")},
			part{"f", "", "", "plain"}},
	}
	srv, got := multipartServer(t)
	c := httpx.NewClient()
	defer c.Close()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Post(ctx, srv.URL, httpx.WithFiles(tc.file))
			require.NoError(t, err)
			require.Equal(t, 200, r.StatusCode)
			parts, _, _ := got()
			assert.Equal(t, []part{tc.want}, parts)
		})
	}
}

func TestUploadFilenameAndNoFilename(t *testing.T) {
	_, err := httpx.NewRequest("POST", "http://x", httpx.WithFiles(
		httpx.File{Field: "f", Filename: "a.txt", NoFilename: true, Content: strings.NewReader("x")}))
	require.ErrorIs(t, err, httpx.ErrUsage)
	assert.Contains(t, err.Error(), "NoFilename")
}

// Multipart file encoding: files={'upload-file': open('report.xls', 'rb')}
// sends the file's base name and the type guessed from it.
func ExampleFile() {
	dir, err := os.MkdirTemp("", "upload")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.xls")
	if err := os.WriteFile(path, []byte("cells"), 0o600); err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	req, err := httpx.NewRequest("POST", "https://example.com/upload",
		httpx.WithHeader("Content-Type", "multipart/form-data; boundary=B"),
		httpx.WithFiles(httpx.File{Field: "upload-file", Content: f}))
	if err != nil {
		fmt.Println(err)
		return
	}
	body, err := req.Content()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(string(body), "\r\n", "\n"))
	// Output:
	// --B
	// Content-Disposition: form-data; name="upload-file"; filename="report.xls"
	// Content-Type: application/vnd.ms-excel
	//
	// cells
	// --B--
}
