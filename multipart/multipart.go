// Package multipart encodes multipart/form-data request bodies the way HTTPX
// does, byte for byte, while streaming file contents instead of loading them.
//
// A [Body] is built once by [New] from plain fields and file parts. It knows
// its exact encoded size when every file's size can be learnt up front (so a
// request can carry Content-Length instead of chunked encoding), and it can
// be read again when every file can be rewound (so redirects and
// authentication retries can resend it).
//
// # Layout
//
// Fields come first, in the order given (repeated names are allowed), then
// files. Each part is
//
//	--BOUNDARY\r\n
//	Content-Disposition: form-data; name="…"[; filename="…"]\r\n
//	[extra header lines\r\n]
//	[Content-Type: …\r\n]
//	\r\n
//	data\r\n
//
// and the body ends with "--BOUNDARY--\r\n". Names and file names are escaped
// in the HTML5 style: '"' becomes %22, '\' becomes \\, and the control
// characters 0x00–0x1F except ESC become %XX; everything else, including
// non-ASCII UTF-8, is sent as is.
//
// # Differences from HTTPX
//
//   - Anything that would let a part header inject extra lines is an error
//     from [New] ([ErrInvalidHeader], [ErrInvalidBoundary]) instead of being
//     sent: extra header names must be HTTP tokens, header values and
//     explicit content types must not hold control characters other than
//     HTAB, and boundaries must be printable ASCII. HTTPX sends them
//     unchecked.
//   - Names and file names are escaped exactly as HTTPX does, so ESC (0x1B)
//     and DEL (0x7F) are sent raw. Strict parsers, Go's mime/multipart among
//     them, refuse such a part header; callers that need those characters
//     to arrive should escape them first.
//   - Only a header named exactly Content-Type (any case) in File.Header
//     suppresses the automatic Content-Type line; HTTPX also lets any name
//     that merely contains "content-type" do so.
//   - A seekable file is rewound to the offset it had when [New] was called,
//     not to offset 0, and its size is counted from there, as net/http does
//     for request bodies. HTTPX always seeks to 0 but counts the whole file.
//   - A file whose size was known when [New] ran must still have exactly
//     that many bytes when it is read; otherwise the body fails with
//     [ErrSizeChanged] rather than sending a body that contradicts its
//     Content-Length.
//   - An empty boundary means "pick a random one"; HTTPX would use an empty
//     boundary if the Content-Type header said boundary="".
//   - [GuessContentType] uses Python's built-in mimetypes table (generated
//     from CPython 3.11), never the machine's /etc/mime.types, so the guess
//     is the same everywhere. HTTPX's guess also reads the system files,
//     which all map .xml to application/xml, so the table does too (the
//     built-in one says text/xml). Only extensions Python's table lacks
//     fall back to [mime.TypeByExtension].
package multipart

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"sync/atomic"
)

// Errors reported by [New] and by the readers [Body.Reader] returns. They are
// sentinels so that callers can map them onto their own error kinds with
// errors.Is.
var (
	// ErrInvalidHeader means a file part's extra header or explicit content
	// type could have broken the part header: a name that is not an HTTP
	// token, or a control character other than HTAB in a value.
	ErrInvalidHeader = errors.New("multipart: invalid part header")
	// ErrInvalidBoundary means the boundary holds a byte outside printable
	// ASCII, which would corrupt the body or its Content-Type header.
	ErrInvalidBoundary = errors.New("multipart: invalid boundary")
	// ErrNotReplayable means Reader was called again on a body with a file
	// part that cannot be rewound, so the body cannot be produced twice.
	ErrNotReplayable = errors.New("multipart: body cannot be replayed: a file part is not seekable")
	// ErrSizeChanged means a file part produced a different number of bytes
	// from the size learnt by New, so the announced length would be wrong.
	ErrSizeChanged = errors.New("multipart: file size changed since the body was built")
)

// Field is a plain form field, sent without a file name or content type.
type Field struct {
	// Name is the form field name; it is escaped like a file name.
	Name string
	// Value is sent as the part's data, byte for byte.
	Value string
}

// File is one file part. Only Field and Content are usually needed; the
// other members mirror HTTPX's (filename, file, content_type, headers) tuple.
type File struct {
	// Field is the form field name.
	Field string
	// Filename is sent as the filename parameter and used to guess the
	// content type. Empty means neither is done, like HTTPX's None filename.
	Filename string
	// ContentType is sent as the part's Content-Type when set, even without
	// a Filename; when empty it is guessed from Filename's extension with
	// [GuessContentType].
	ContentType string
	// Header holds extra part header lines, sent in order before the
	// automatic Content-Type line. A Content-Type entry here replaces both
	// ContentType and the guess.
	Header [][2]string
	// Content is the file's data, read in place when the body is read and
	// never buffered whole. Nil means an empty file.
	Content io.Reader
}

// Body is an encoded multipart/form-data body. It is immutable after New, and
// its methods are safe for concurrent use, but the readers it hands out share
// the file readers and must not be read concurrently.
type Body struct {
	boundary   string
	segs       []segment
	length     int64 // -1 when some file size is unknown
	replayable bool
	renders    atomic.Int64
}

// segment is one run of the encoded body: either in-memory text or the data
// of a file part.
type segment struct {
	s string
	f *filePart
}

// filePart is a file's data with what New learnt about its size and
// position.
type filePart struct {
	field  string
	r      io.Reader
	size   int64     // bytes to send, -1 when unknown
	seeker io.Seeker // nil when the part cannot be rewound
	start  int64     // offset to rewind to
}

const crlf = "\r\n"

// New builds a body from fields and files. An empty boundary asks for a
// random one (16 random bytes as 32 lower-case hex digits), which is what
// callers want unless the user fixed one in a Content-Type header (see
// [BoundaryFromContentType]).
//
// File sizes and offsets are looked up now, so that Len and replays agree
// with what the files held at this moment. The error, if any, wraps
// [ErrInvalidHeader] or [ErrInvalidBoundary]; nothing has been read then.
func New(fields []Field, files []File, boundary string) (*Body, error) {
	if boundary == "" {
		boundary = randomBoundary()
	} else if err := checkBoundary(boundary); err != nil {
		return nil, err
	}
	b := &Body{boundary: boundary, replayable: true}
	b.segs = make([]segment, 0, 3*(len(fields)+len(files))+1)
	var length int64
	unknown := false
	add := func(s segment) {
		b.segs = append(b.segs, s)
		length += int64(len(s.s))
	}
	for _, f := range fields {
		add(segment{s: partHead(boundary, f.Name, nil, nil)})
		if f.Value != "" {
			add(segment{s: f.Value})
		}
		add(segment{s: crlf})
	}
	for i := range files {
		f := &files[i]
		headers, err := fileHeaders(f)
		if err != nil {
			return nil, err
		}
		filename := &f.Filename
		if f.Filename == "" {
			filename = nil
		}
		add(segment{s: partHead(boundary, f.Field, filename, headers)})
		if f.Content != nil {
			fp := inspect(f.Field, f.Content)
			b.segs = append(b.segs, segment{f: fp})
			if fp.size < 0 {
				unknown = true
			}
			length += fp.size
			if fp.seeker == nil {
				b.replayable = false
			}
		}
		add(segment{s: crlf})
	}
	add(segment{s: "--" + boundary + "--" + crlf})
	b.length = length
	if unknown {
		b.length = -1
	}
	return b, nil
}

// Boundary returns the boundary separating the parts, for callers that build
// their own Content-Type header.
func (b *Body) Boundary() string { return b.boundary }

// ContentType returns the Content-Type header value announcing this body,
// "multipart/form-data; boundary=…", quoting the boundary when it is not a
// plain token so that receivers parse it back unchanged.
func (b *Body) ContentType() string {
	if isToken(b.boundary) {
		return "multipart/form-data; boundary=" + b.boundary
	}
	if ct := mime.FormatMediaType("multipart/form-data", map[string]string{"boundary": b.boundary}); ct != "" {
		return ct
	}
	return "multipart/form-data; boundary=" + b.boundary
}

// Len returns the exact number of bytes Reader produces, or -1 when a file's
// size could not be learnt without reading it, in which case the body has to
// be sent with chunked encoding. Sizes are known for regular *os.File files
// (counted from their offset at New), and for readers that report their
// remaining length: *bytes.Reader, *strings.Reader, *bytes.Buffer, any
// reader with Len() int, any io.Seeker with Size() int64, and any other
// io.Seeker (found by seeking to the end and back).
func (b *Body) Len() int64 { return b.length }

// Replayable reports whether Reader may be called more than once, which is
// true when every file part can be rewound (or there are no file parts).
// Callers use it to decide whether a redirect or auth retry can resend the
// body.
func (b *Body) Replayable() bool { return b.replayable }

// Reader returns a reader that streams the whole encoded body. File data is
// read straight into the caller's buffer, so memory use does not grow with
// file size.
//
// Seekable files are rewound to their offset at New before they are read, so
// each call yields the same bytes. Calling Reader again on a body that is not
// Replayable returns a reader whose Read fails with [ErrNotReplayable] before
// producing any byte. Read errors from file parts are wrapped with the
// part's field name.
func (b *Body) Reader() io.Reader {
	if b.renders.Add(1) > 1 && !b.replayable {
		return errReader{ErrNotReplayable}
	}
	return &bodyReader{segs: b.segs}
}

// randomBoundary returns 16 random bytes as 32 lower-case hex digits, like
// HTTPX. crypto/rand.Read does not fail on supported platforms.
func randomBoundary() string {
	var buf [16]byte
	_, _ = rand.Read(buf[:])
	return hex.EncodeToString(buf[:])
}

// checkBoundary rejects boundaries that could end a line early or could not
// be announced in a Content-Type header.
func checkBoundary(boundary string) error {
	for i := 0; i < len(boundary); i++ {
		if c := boundary[i]; c < 0x20 || c > 0x7e {
			return fmt.Errorf("%w: byte %#02x at %d in %q", ErrInvalidBoundary, c, i, boundary)
		}
	}
	return nil
}

// fileHeaders validates a file's extra headers and returns them with the
// Content-Type line HTTPX would add appended.
func fileHeaders(f *File) ([][2]string, error) {
	hasType := false
	for _, h := range f.Header {
		if !isToken(h[0]) {
			return nil, fmt.Errorf("%w: file %q: header name %q is not a token", ErrInvalidHeader, f.Field, h[0])
		}
		if !validValue(h[1]) {
			return nil, fmt.Errorf("%w: file %q: header %s has a control character in its value %q", ErrInvalidHeader, f.Field, h[0], h[1])
		}
		if strings.EqualFold(h[0], "Content-Type") {
			hasType = true
		}
	}
	if hasType {
		return f.Header, nil
	}
	ct := f.ContentType
	if ct == "" && f.Filename != "" {
		ct = GuessContentType(f.Filename)
	}
	if ct == "" {
		return f.Header, nil
	}
	if !validValue(ct) {
		return nil, fmt.Errorf("%w: file %q: content type %q has a control character", ErrInvalidHeader, f.Field, ct)
	}
	headers := make([][2]string, len(f.Header), len(f.Header)+1)
	copy(headers, f.Header)
	return append(headers, [2]string{"Content-Type", ct}), nil
}

// partHead renders a part's opening boundary line and header block, up to
// and including the blank line before the data.
func partHead(boundary, name string, filename *string, headers [][2]string) string {
	var sb strings.Builder
	sb.WriteString("--")
	sb.WriteString(boundary)
	sb.WriteString("\r\nContent-Disposition: form-data; name=\"")
	writeEscaped(&sb, name)
	sb.WriteByte('"')
	if filename != nil {
		sb.WriteString("; filename=\"")
		writeEscaped(&sb, *filename)
		sb.WriteByte('"')
	}
	for _, h := range headers {
		sb.WriteString(crlf)
		sb.WriteString(h[0])
		sb.WriteString(": ")
		sb.WriteString(h[1])
	}
	sb.WriteString("\r\n\r\n")
	return sb.String()
}

const upperHex = "0123456789ABCDEF"

// writeEscaped writes s with HTML5 form escaping: '"' as %22, '\' doubled,
// control characters other than ESC as %XX. Other bytes pass unchanged, so
// UTF-8 names arrive as UTF-8.
func writeEscaped(sb *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			sb.WriteString("%22")
		case c == '\\':
			sb.WriteString(`\\`)
		case c < 0x20 && c != 0x1b:
			sb.WriteByte('%')
			sb.WriteByte(upperHex[c>>4])
			sb.WriteByte(upperHex[c&0xf])
		default:
			sb.WriteByte(c)
		}
	}
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// validValue reports whether a header value is safe to put on one line and
// acceptable to strict parsers: no control characters other than HTAB, the
// same rule net/http applies to request header values.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
