package httpx

import (
	"io"

	"github.com/gohttpx/httpx/multipart"
)

// File is one file of a multipart upload (an entry of HTTPX's files=).
type File struct {
	// Field is the form field name.
	Field string
	// Filename is sent as the part's filename; "" sends none and guesses no
	// Content-Type (HTTPX's None filename).
	Filename string
	// ContentType, when set, is always sent; else it is guessed from
	// Filename's extension (unknown: application/octet-stream).
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
		var extra [][2]string
		for k, v := range f.Header.All() {
			extra = append(extra, [2]string{k, v})
		}
		mfiles[i] = multipart.File{Field: f.Field, Filename: f.Filename, ContentType: f.ContentType, Header: extra, Content: f.Content}
	}
	body, err := multipart.New(fields, mfiles, multipart.BoundaryFromContentType(h.Get("Content-Type")))
	if err != nil {
		return requestBody{}, "", &UsageError{Op: "WithFiles", Msg: err.Error(), Err: err}
	}
	rb := requestBody{stream: body.Reader(), length: body.Len()}
	if body.Replayable() {
		rb.rewind = func() (io.Reader, error) { return body.Reader(), nil }
	}
	return rb, body.ContentType(), nil
}
