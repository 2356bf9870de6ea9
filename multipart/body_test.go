package multipart

import (
	"bytes"
	"errors"
	"io"
	"mime"
	stdmultipart "mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// parsedPart is a part as Go's own mime/multipart reader sees it.
type parsedPart struct {
	name        string
	filename    string
	hasFilename bool
	header      textproto.MIMEHeader
	data        string
}

// parse reads an encoded body back with the standard library. The file name
// is taken raw from Content-Disposition because Part.FileName strips
// directories.
func parse(t testing.TB, body []byte, boundary string) ([]parsedPart, error) {
	t.Helper()
	mr := stdmultipart.NewReader(bytes.NewReader(body), boundary)
	var parts []parsedPart
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return parts, err
		}
		_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if err != nil {
			return parts, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return parts, err
		}
		fn, has := params["filename"]
		parts = append(parts, parsedPart{name: params["name"], filename: fn, hasFilename: has, header: p.Header, data: string(data)})
	}
}

func tempFile(t *testing.T, content string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "upload.bin"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	_, err = f.WriteString(content)
	require.NoError(t, err)
	_, err = f.Seek(0, io.SeekStart)
	require.NoError(t, err)
	return f
}

func TestRoundTripStdlib(t *testing.T) {
	fields := []Field{{"a", "1"}, {"a", "2"}, {"名前", "値"}, {"empty", ""}, {"crlf", "x\r\n--not-a-boundary\r\n"}}
	files := []File{
		{Field: "doc", Filename: "dir/report.pdf", Content: strings.NewReader("%PDF-1.7")},
		{Field: "doc", Filename: `C:\up\ünï.txt`, Content: bytes.NewReader([]byte("text"))},
		{Field: "raw", Content: bytes.NewBufferString("no filename")},
		{Field: "typed", ContentType: "application/x-thing", Header: [][2]string{{"X-Trace", "7"}}, Content: tempFile(t, "from disk")},
		{Field: "stream", Filename: "s.json", Content: io.LimitReader(strings.NewReader(`{"k":1}xxx`), 7)},
		{Field: "nil", Filename: "nothing.txt"},
	}
	b, err := New(fields, files, "")
	require.NoError(t, err)
	body, err := io.ReadAll(b.Reader())
	require.NoError(t, err)
	parts, err := parse(t, body, b.Boundary())
	require.NoError(t, err)
	require.Len(t, parts, len(fields)+len(files))

	for i, f := range fields {
		p := parts[i]
		assert.Equal(t, f.Name, p.name)
		assert.Equal(t, f.Value, p.data)
		assert.False(t, p.hasFilename)
		assert.Empty(t, p.header.Get("Content-Type"))
	}
	wantTypes := []string{"application/pdf", "text/plain", "", "application/x-thing", "application/json", "text/plain"}
	wantData := []string{"%PDF-1.7", "text", "no filename", "from disk", `{"k":1}`, ""}
	for i, f := range files {
		p := parts[len(fields)+i]
		assert.Equal(t, f.Field, p.name)
		assert.Equal(t, f.Filename, p.filename)
		assert.Equal(t, f.Filename != "", p.hasFilename)
		assert.Equal(t, wantTypes[i], p.header.Get("Content-Type"), f.Field)
		assert.Equal(t, wantData[i], p.data, f.Field)
	}
	assert.Equal(t, "7", parts[len(fields)+3].header.Get("X-Trace"))
}

// lenReader reports its remaining length but cannot seek.
type lenReader struct{ r *strings.Reader }

func (l lenReader) Read(p []byte) (int, error) { return l.r.Read(p) }
func (l lenReader) Len() int                   { return l.r.Len() }

// sizeSeeker has Size and Seek but no Len.
type sizeSeeker struct{ r *strings.Reader }

func (s *sizeSeeker) Read(p []byte) (int, error)         { return s.r.Read(p) }
func (s *sizeSeeker) Seek(o int64, w int) (int64, error) { return s.r.Seek(o, w) }
func (s *sizeSeeker) Size() int64                        { return s.r.Size() }
func newSizeSeeker(s string) *sizeSeeker                 { return &sizeSeeker{strings.NewReader(s)} }

// plainSeeker is only an io.ReadSeeker.
type plainSeeker struct{ io.ReadSeeker }

func TestLenAndReplay(t *testing.T) {
	pipeR, pipeW, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _ = pipeR.Close() })
	go func() {
		_, _ = pipeW.WriteString("piped")
		_ = pipeW.Close()
	}()
	mapFile, err := fstest.MapFS{"m.txt": {Data: []byte("mapped")}}.Open("m.txt")
	require.NoError(t, err)
	offsetFile := tempFile(t, "skip:payload")
	_, err = offsetFile.Seek(5, io.SeekStart)
	require.NoError(t, err)

	cases := []struct {
		name       string
		content    io.Reader
		data       string
		known      bool
		replayable bool
	}{
		{"strings.Reader", strings.NewReader("abc"), "abc", true, true},
		{"bytes.Reader", bytes.NewReader([]byte("abcd")), "abcd", true, true},
		{"bytes.Buffer", bytes.NewBufferString("buffered"), "buffered", true, false},
		{"os.File", tempFile(t, "on disk"), "on disk", true, true},
		{"os.File at offset", offsetFile, "payload", true, true},
		{"os.File pipe", pipeR, "piped", false, false},
		{"fs.File with Stat and Seek", mapFile, "mapped", true, true},
		{"Len only", lenReader{strings.NewReader("lenny")}, "lenny", true, false},
		{"Size and Seek", newSizeSeeker("sized"), "sized", true, true},
		{"Seek only", plainSeeker{strings.NewReader("seeky")}, "seeky", true, true},
		{"plain reader", io.MultiReader(strings.NewReader("mul"), strings.NewReader("ti")), "multi", false, false},
		{"nil", nil, "", true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := New([]Field{{"f", "v"}}, []File{{Field: "file", Filename: "x.txt", Content: c.content}}, "B")
			require.NoError(t, err)
			want := "--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n" +
				"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
				c.data + "\r\n--B--\r\n"
			assert.Equal(t, c.replayable, b.Replayable())
			if c.known {
				assert.Equal(t, int64(len(want)), b.Len())
			} else {
				assert.Equal(t, int64(-1), b.Len())
			}
			got, err := io.ReadAll(b.Reader())
			require.NoError(t, err)
			assert.Equal(t, want, string(got))

			r := b.Reader()
			if !c.replayable {
				n, err := r.Read(make([]byte, 10))
				assert.Zero(t, n)
				assert.ErrorIs(t, err, ErrNotReplayable)
				return
			}
			for i := 0; i < 2; i++ {
				got, err = io.ReadAll(r)
				require.NoError(t, err)
				assert.Equal(t, want, string(got), "replay %d", i)
				r = b.Reader()
			}
		})
	}
}

// TestReplayAfterPartialRead checks that a replay starts over even when the
// previous reader stopped in the middle of a file.
func TestReplayAfterPartialRead(t *testing.T) {
	f := tempFile(t, strings.Repeat("0123456789", 1000))
	b, err := New(nil, []File{{Field: "f", Filename: "a.bin", Content: f}}, "B")
	require.NoError(t, err)
	full, err := io.ReadAll(b.Reader())
	require.NoError(t, err)
	_, err = io.ReadFull(b.Reader(), make([]byte, 500))
	require.NoError(t, err)
	again, err := io.ReadAll(b.Reader())
	require.NoError(t, err)
	assert.Equal(t, full, again)
	assert.Equal(t, int64(len(full)), b.Len())
}

func TestReaderContract(t *testing.T) {
	for _, c := range goldenCases {
		require.NoError(t, iotest.TestReader(c.body(t).Reader(), []byte(c.want)), c.name)
	}
}

func TestSizeChanged(t *testing.T) {
	t.Run("shrunk", func(t *testing.T) {
		f := tempFile(t, "0123456789")
		b, err := New(nil, []File{{Field: "f", Content: f}}, "B")
		require.NoError(t, err)
		require.NoError(t, f.Truncate(4))
		_, err = io.ReadAll(b.Reader())
		assert.ErrorIs(t, err, ErrSizeChanged)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Contains(t, err.Error(), `"f"`)
	})
	t.Run("grown", func(t *testing.T) {
		f := tempFile(t, "0123456789")
		b, err := New(nil, []File{{Field: "f", Content: f}}, "B")
		require.NoError(t, err)
		_, err = f.WriteAt([]byte("more"), 10)
		require.NoError(t, err)
		r := b.Reader()
		_, err = io.ReadAll(r)
		assert.ErrorIs(t, err, ErrSizeChanged)
		_, again := r.Read(make([]byte, 8))
		assert.Equal(t, err, again, "errors are sticky")
	})
}

func TestReadErrorIsWrapped(t *testing.T) {
	boom := errors.New("disk on fire")
	b, err := New([]Field{{"a", "1"}}, []File{{Field: "up", Content: iotest.ErrReader(boom)}}, "B")
	require.NoError(t, err)
	got, err := io.ReadAll(b.Reader())
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), `"up"`)
	assert.True(t, strings.HasPrefix(string(got), "--B\r\n"), "bytes before the failing part are delivered")
}

func TestInvalidInput(t *testing.T) {
	cases := []struct {
		name     string
		file     File
		boundary string
		want     error
	}{
		{"CR in header value", File{Field: "f", Header: [][2]string{{"X-A", "a\rb"}}}, "B", ErrInvalidHeader},
		{"LF in header value", File{Field: "f", Header: [][2]string{{"X-A", "a\nX-Evil: 1"}}}, "B", ErrInvalidHeader},
		{"NUL in header value", File{Field: "f", Header: [][2]string{{"X-A", "a\x00"}}}, "B", ErrInvalidHeader},
		{"DEL in header value", File{Field: "f", Header: [][2]string{{"X-A", "a\x7f"}}}, "B", ErrInvalidHeader},
		{"CRLF in header name", File{Field: "f", Header: [][2]string{{"X-A\r\nX-B", "1"}}}, "B", ErrInvalidHeader},
		{"colon in header name", File{Field: "f", Header: [][2]string{{"X-A: 1\r\nX", "1"}}}, "B", ErrInvalidHeader},
		{"space in header name", File{Field: "f", Header: [][2]string{{"X A", "1"}}}, "B", ErrInvalidHeader},
		{"empty header name", File{Field: "f", Header: [][2]string{{"", "1"}}}, "B", ErrInvalidHeader},
		{"LF in content type", File{Field: "f", ContentType: "text/plain\nX-Evil: 1"}, "B", ErrInvalidHeader},
		{"CRLF in boundary", File{Field: "f"}, "B\r\nX-Evil: 1", ErrInvalidBoundary},
		{"non-ASCII boundary", File{Field: "f"}, "bö", ErrInvalidBoundary},
		{"DEL in boundary", File{Field: "f"}, "B\x7fX", ErrInvalidBoundary},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := New(nil, []File{c.file}, c.boundary)
			assert.Nil(t, b)
			assert.ErrorIs(t, err, c.want)
		})
	}

	// A tab is allowed in values, as in HTTP headers; a header that is
	// later replaced by Content-Type is still checked.
	_, err := New(nil, []File{{Field: "f", Header: [][2]string{{"X-A", "a\tb"}}}}, "B")
	assert.NoError(t, err)
	_, err = New(nil, []File{{Field: "f", ContentType: "bad\n", Header: [][2]string{{"Content-Type", "ok"}}}}, "B")
	assert.NoError(t, err, "an explicit type that is never sent is not checked")
}

func TestRandomBoundary(t *testing.T) {
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		b, err := New(nil, nil, "")
		require.NoError(t, err)
		require.Regexp(t, hex32, b.Boundary())
		assert.Equal(t, "multipart/form-data; boundary="+b.Boundary(), b.ContentType())
		assert.False(t, seen[b.Boundary()], "boundaries must not repeat")
		seen[b.Boundary()] = true
		assert.Equal(t, int64(len("--"+b.Boundary()+"--\r\n")), b.Len())
	}
}

func TestContentTypeQuotesBoundary(t *testing.T) {
	for _, boundary := range []string{"XYZ", "a b", "with:colon", `q"uote`, "----WebKitFormBoundary7MA4YWxkTrZu0gW", "=?x?="} {
		b, err := New([]Field{{"k", "v"}}, nil, boundary)
		require.NoError(t, err)
		ct := b.ContentType()
		assert.Equal(t, boundary, BoundaryFromContentType(ct), ct)
		mt, params, err := mime.ParseMediaType(ct)
		require.NoError(t, err, ct)
		assert.Equal(t, "multipart/form-data", mt)
		assert.Equal(t, boundary, params["boundary"])

		body, err := io.ReadAll(b.Reader())
		require.NoError(t, err)
		parts, err := parse(t, body, boundary)
		require.NoError(t, err)
		require.Len(t, parts, 1)
		assert.Equal(t, "v", parts[0].data)
	}
}
