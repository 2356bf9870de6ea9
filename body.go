package httpx

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
)

type bodyKind uint8

const (
	bodyNone bodyKind = iota
	bodyContent
	bodyReader
	bodyJSON
	bodyForm
	bodyMultipart
)

// bodySource is a body as the options describe it, before it is encoded.
type bodySource struct {
	kind        bodyKind
	content     []byte
	contentType string
	reader      io.Reader
	json        any
	form        QueryParams
	files       []File
}

func (b *bodySource) setForm(p QueryParams) {
	b.form = p
	if b.kind != bodyMultipart {
		b.kind = bodyForm
	}
}

func (b *bodySource) setFiles(files []File) {
	b.files = append(b.files, files...)
	b.kind = bodyMultipart
}

// encode turns the source into a request body with HTTPX's rules: bytes get
// a Content-Length, JSON and forms a Content-Type too, streams a length when
// it can be known.
func (b *bodySource) encode(h *Headers) (requestBody, string, error) {
	switch b.kind {
	case bodyContent:
		return memoryBody(b.content), b.contentType, nil
	case bodyReader:
		if b.reader != nil && isNil(b.reader) {
			return requestBody{}, "", usageError("WithBody", "the reader is a nil %T", b.reader)
		}
		return streamBody(b.reader), "", nil
	case bodyJSON:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(b.json); err != nil {
			return requestBody{}, "", &UsageError{Op: "WithJSON", Msg: "cannot encode the JSON body: " + err.Error(), Err: err}
		}
		return memoryBody(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), "application/json", nil
	case bodyForm:
		return memoryBody([]byte(b.form.Encode())), "application/x-www-form-urlencoded", nil
	case bodyMultipart:
		return multipartBody(b.form, b.files, h)
	}
	return memoryBody(nil), "", nil
}

// requestBody is a request's body: in memory, or a stream that may or may
// not be replayable.
type requestBody struct {
	content  []byte
	inMemory bool
	stream   io.Reader
	rewind   func() (io.Reader, error) // set when the stream can be sent again
	length   int64                     // -1 when unknown
	started  bool                      // the stream was handed out at least once
	progress func(sent, total int64)   // upload progress callback, if any
	parts    *formParts                // a multipart body's source, for Curl's -F
}

// formParts are the fields and files a multipart body was encoded from.
type formParts struct {
	fields QueryParams
	files  []File
}

func memoryBody(b []byte) requestBody {
	return requestBody{content: b, inMemory: true, length: int64(len(b))}
}

// streamBody wraps r, learning its length and whether it can be replayed
// from the concrete types that tell.
func streamBody(r io.Reader) requestBody {
	switch v := r.(type) {
	case nil:
		return requestBody{inMemory: true}
	case *bytes.Buffer:
		return memoryBody(v.Bytes())
	case *os.File:
		if st, err := v.Stat(); err == nil && st.Mode().IsRegular() {
			if start, err := v.Seek(0, io.SeekCurrent); err == nil {
				return seekableBody(v, start, st.Size()-start)
			}
		}
	case interface {
		io.ReadSeeker
		Len() int // *bytes.Reader, *strings.Reader
	}:
		if start, err := v.Seek(0, io.SeekCurrent); err == nil {
			return seekableBody(v, start, int64(v.Len()))
		}
	}
	return requestBody{stream: r, length: -1}
}

// seekableBody is a stream that is rewound to start to be sent again.
func seekableBody(rs io.ReadSeeker, start, length int64) requestBody {
	return requestBody{stream: rs, length: length, rewind: func() (io.Reader, error) {
		_, err := rs.Seek(start, io.SeekStart)
		return rs, err
	}}
}

// replayable reports whether the body can be sent again.
func (b *requestBody) replayable() bool {
	return b.repeatable() || !b.started
}

// repeatable reports whether the body can be sent any number of times: it
// is in memory, empty, or a stream that rewinds.
func (b *requestBody) repeatable() bool {
	return b.inMemory || b.stream == nil || b.rewind != nil
}

// reader returns a reader positioned at the start of the body, marking a
// one-shot stream as used. A user's stream, and the progress callback, are
// read through a guardedReader: transports read bodies on goroutines of
// their own, where a panic would end the process.
func (b *requestBody) reader() (io.Reader, error) {
	r, err := b.rawReader()
	if err != nil || r == http.NoBody || (b.progress == nil && (b.inMemory || b.stream == nil)) {
		return r, err
	}
	return &guardedReader{r: r, where: "request body reader", total: b.length, fn: b.progress}, nil
}

func (b *requestBody) rawReader() (io.Reader, error) {
	if b.inMemory || b.stream == nil {
		if len(b.content) == 0 {
			return http.NoBody, nil
		}
		return bytes.NewReader(b.content), nil
	}
	if b.started {
		if b.rewind == nil {
			return nil, streamError(ErrStreamConsumed)
		}
		r, err := b.rewind()
		if err != nil {
			return nil, &kindError{kind: ErrStreamConsumed.(*errorKind), msg: "cannot rewind the request body: " + err.Error()}
		}
		return r, nil
	}
	b.started = true
	return b.stream, nil
}

// readAll loads a streaming body into memory so it can be replayed.
func (b *requestBody) readAll() error {
	if b.inMemory || b.stream == nil {
		return nil
	}
	r, err := b.rawReader()
	if err != nil {
		return err
	}
	var buf []byte
	if b.length >= 0 {
		buf = make([]byte, 0, b.length)
	}
	w := bytes.NewBuffer(buf)
	if _, err := w.ReadFrom(&guardedReader{r: r, where: "request body reader"}); err != nil {
		return err
	}
	progress := b.progress
	*b = memoryBody(w.Bytes())
	b.progress = progress
	return nil
}

// setBodyHeaders adds the length and type headers a body implies, leaving
// headers the user set alone (HTTPX's setdefault).
func setBodyHeaders(h *Headers, b *requestBody, contentType string) {
	if b.length > 0 || (b.length == 0 && !b.inMemory) {
		h.SetDefault("Content-Length", strconv.FormatInt(b.length, 10))
	} else if b.length < 0 && !h.Has("Content-Length") {
		h.SetDefault("Transfer-Encoding", "chunked")
	}
	if contentType != "" {
		h.SetDefault("Content-Type", contentType)
	}
}
