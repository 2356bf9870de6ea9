package httpx

import (
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gohttpx/httpx/multipart"
)

// File is one file of a multipart upload (an entry of HTTPX's files=).
type File struct {
	// Field is the form field name.
	Field string
	// Filename is sent as the part's filename. When it is "" and Content
	// has a Name() string method, as *os.File does, the last element of that
	// name is sent instead, so that a bare open file uploads like HTTPX's
	// files={"f": open("report.xls", "rb")}. Otherwise "" sends no filename
	// and guesses no Content-Type.
	Filename string
	// NoFilename sends no filename and guesses no Content-Type even when
	// Content has a name: HTTPX's (None, file) tuple. Setting it together
	// with Filename is a usage error.
	NoFilename bool
	// ContentType, when set, is always sent; else it is guessed from the
	// filename's extension (unknown: application/octet-stream).
	ContentType string
	// Header holds extra part headers; a Content-Type here wins.
	Header Headers
	// Content is streamed, never buffered whole. Its size is known (and the
	// body gets a Content-Length) for *os.File, *bytes.Reader,
	// *strings.Reader and *bytes.Buffer; any other reader makes the body
	// chunked.
	Content io.Reader
}

// multipartBody encodes form fields and files as multipart/form-data,
// honouring a boundary the user put in a Content-Type header.
func multipartBody(form QueryParams, files []File, h *Headers) (requestBody, string, error) {
	var fields []multipart.Field
	for k, v := range form.All() {
		fields = append(fields, multipart.Field{Name: k, Value: v})
	}
	mfiles := make([]multipart.File, len(files))
	for i, f := range files {
		if f.Content != nil && isNil(f.Content) {
			return requestBody{}, "", usageError("WithFiles", "the content of file %q is a nil %T", f.Field, f.Content)
		}
		filename, err := f.filename()
		if err != nil {
			return requestBody{}, "", err
		}
		var extra [][2]string
		for k, v := range f.Header.All() {
			extra = append(extra, [2]string{k, v})
		}
		mfiles[i] = multipart.File{Field: f.Field, Filename: filename, ContentType: f.ContentType, Header: extra, Content: f.Content}
	}
	body, err := multipart.New(fields, mfiles, multipart.BoundaryFromContentType(h.Get("Content-Type")))
	if err != nil {
		return requestBody{}, "", &UsageError{Op: "WithFiles", Msg: err.Error(), Err: err}
	}
	rb := requestBody{stream: body.Reader(), length: body.Len(), parts: &formParts{fields: form, files: files}}
	if body.Replayable() {
		rb.rewind = func() (io.Reader, error) { return body.Reader(), nil }
	}
	return rb, body.ContentType(), nil
}

// filename is the filename to send, "" for none: Filename, else the base of
// Content's name as HTTPX takes it from a file object's name attribute.
func (f *File) filename() (string, error) {
	if f.NoFilename {
		if f.Filename != "" {
			return "", &UsageError{Op: "WithFiles", Msg: "file " + strconv.Quote(f.Field) + ": both Filename and NoFilename are set"}
		}
		return "", nil
	}
	if f.Filename != "" {
		return f.Filename, nil
	}
	if n, ok := f.Content.(interface{ Name() string }); ok {
		return pathName(filepath.ToSlash(n.Name())), nil
	}
	return "", nil
}

// pathName is the last element of a slash-separated path as Python's
// PurePath.name gives it: trailing slashes and "." elements are skipped, and
// a path with no other element ("", ".", "/") has no name.
func pathName(p string) string {
	for p != "" {
		p = strings.TrimRight(p, "/")
		i := strings.LastIndexByte(p, '/')
		if last := p[i+1:]; last != "." {
			return last
		}
		p = p[:i+1]
	}
	return ""
}
