package httpx

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gohttpx/httpx/internal/charset"
	"github.com/gohttpx/httpx/internal/decode"
)

// newDecoder undoes the Content-Encoding values, failing once more than
// limit decoded bytes are produced (limit 0: no limit).
func newDecoder(src io.Reader, contentEncoding []string, limit int64) io.ReadCloser {
	if limit > 0 {
		return decode.NewLimitedReader(src, contentEncoding, limit)
	}
	return decode.NewReader(src, contentEncoding)
}

// Encoding returns the name of the text encoding, chosen as HTTPX does: one
// set with SetEncoding; else the Content-Type charset when it names a known
// codec; else the client's default encoding (a detection function is only
// consulted once the body was read); else "utf-8". As in HTTPX the name is
// the one given, not the codec's canonical one, so a header's
// "charset=ISO-8859-1" reads "iso-8859-1" (header charsets are lower-cased
// and unquoted) and SetEncoding("Latin-1") reads "Latin-1"; the text is
// decoded with the codec the name stands for either way.
func (r *Response) Encoding() string {
	name, _, _ := r.chooseEncoding()
	return name
}

// chooseEncoding returns Encoding's name and the codec it stands for. A
// detection function that panics is passed over, and its *PanicError
// returned for Text to report.
func (r *Response) chooseEncoding() (string, *charset.Codec, error) {
	if r.encoding != "" {
		if c, _, ok := charset.Lookup(r.encoding); ok {
			return r.encoding, c, nil
		}
	}
	if cs := charset.ContentTypeCharset(r.Headers.Get("Content-Type")); cs != "" {
		if c, _, ok := charset.Lookup(cs); ok {
			return cs, c, nil
		}
	}
	var perr error
	if r.encodingFunc != nil && r.body.isRead {
		var name string
		perr = guard("default encoding func", func() error {
			name = r.encodingFunc(r.body.content)
			return nil
		})
		if name != "" {
			if c, _, ok := charset.Lookup(name); ok {
				return name, c, nil
			}
		}
	}
	if r.defaultEncoding != "" {
		if c, _, ok := charset.Lookup(r.defaultEncoding); ok {
			return r.defaultEncoding, c, perr
		}
	}
	return "utf-8", charset.UTF8, perr
}

// SetEncoding overrides the text encoding; Encoding then returns name as
// given. It fails with ErrUsage for an unknown encoding, or once Text has
// decoded the body (HTTPX's ValueError).
func (r *Response) SetEncoding(name string) error {
	if r.textDone {
		return usageError("SetEncoding", "the encoding cannot be set after the text has been decoded")
	}
	if _, _, ok := charset.Lookup(name); !ok {
		return usageError("SetEncoding", "unknown encoding %q", name)
	}
	r.encoding = name
	return nil
}

// CharsetEncoding returns the charset parameter of Content-Type, lower-cased,
// or "" (HTTPX's charset_encoding).
func (r *Response) CharsetEncoding() string {
	return charset.ContentTypeCharset(r.Headers.Get("Content-Type"))
}

// Text reads the body and decodes it with Encoding; invalid bytes become
// U+FFFD. The result is cached.
func (r *Response) Text() (string, error) {
	if r.textDone {
		return r.text, nil
	}
	content, err := r.Content()
	if err != nil {
		return "", err
	}
	_, codec, err := r.chooseEncoding()
	if err != nil {
		return "", newRequestError(ErrRequest, r.Request, err, "")
	}
	r.text, r.textDone = codec.DecodeAll(content), true
	return r.text, nil
}

// JSON reads the body and unmarshals it into v. As in HTTPX the encoding is
// detected from the bytes (UTF-8, UTF-16 or UTF-32, with or without BOM) and
// the Content-Type charset is ignored. Malformed JSON gives ErrDecoding,
// wrapping encoding/json's error.
func (r *Response) JSON(v any) error {
	content, err := r.Content()
	if err != nil {
		return err
	}
	enc := charset.DetectJSON(content)
	if at := malformedAt(content, enc); at >= 0 {
		return newRequestError(ErrDecoding, r.Request, nil, fmt.Sprintf("invalid JSON in response body: malformed %s at byte %d", enc, at))
	}
	if enc != "utf-8" {
		if c, _, ok := charset.Lookup(enc); ok {
			content = []byte(c.DecodeAll(content))
		}
	}
	if err := json.Unmarshal(content, v); err != nil {
		return newRequestError(ErrDecoding, r.Request, err, "invalid JSON in response body: "+err.Error())
	}
	return nil
}

// malformedAt returns the offset of the first byte of content that does not
// decode in enc (a DetectJSON result), or -1. Python's json.loads decodes
// strictly, so HTTPX fails there where encoding/json would read U+FFFD.
// Lone UTF-16/UTF-32 surrogates pass, as Python's surrogatepass lets them;
// encoded surrogates in UTF-8 do not, since a Go string cannot hold them.
func malformedAt(content []byte, enc string) int {
	switch enc {
	case "utf-8", "utf-8-sig":
		if utf8.Valid(content) {
			return -1
		}
		for i := 0; i < len(content); {
			c, size := utf8.DecodeRune(content[i:])
			if c == utf8.RuneError && size == 1 {
				return i
			}
			i += size
		}
	case "utf-16", "utf-16-le", "utf-16-be":
		if len(content)%2 != 0 {
			return len(content) - 1
		}
	case "utf-32", "utf-32-le", "utf-32-be":
		// A "utf-32" body starts with a BOM; 00 00 FE FF is big-endian.
		big := enc == "utf-32-be" || enc == "utf-32" && content[0] == 0
		for i := 0; i+4 <= len(content); i += 4 {
			u := binary.LittleEndian.Uint32(content[i:])
			if big {
				u = binary.BigEndian.Uint32(content[i:])
			}
			if u > unicode.MaxRune {
				return i
			}
		}
		if len(content)%4 != 0 {
			return len(content) - len(content)%4
		}
	}
	return -1
}

// Links parses the Link header into a map keyed by each link's "rel" (or
// its URL when it has none), each value holding the link's parameters and
// its "url" (HTTPX's response.links).
func (r *Response) Links() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, link := range parseLinkHeader(r.Headers.Get("Link")) {
		key := link["rel"]
		if key == "" {
			key = link["url"]
		}
		out[key] = link
	}
	return out
}

// parseLinkHeader splits a Link header value (RFC 8288) into links, each a
// map of its parameters plus "url", following HTTPX's lenient parser.
func parseLinkHeader(value string) []map[string]string {
	const trim = " '\""
	value = strings.Trim(value, trim)
	if value == "" {
		return nil
	}
	var links []map[string]string
	for _, val := range splitLinks(value) {
		url, params, _ := strings.Cut(val, ";")
		link := map[string]string{"url": strings.Trim(url, "<> '\"")}
		for _, param := range strings.Split(params, ";") {
			key, v, ok := strings.Cut(param, "=")
			if !ok || strings.Contains(v, "=") {
				break
			}
			link[strings.Trim(key, trim)] = strings.Trim(v, trim)
		}
		links = append(links, link)
	}
	return links
}

// splitLinks splits on ", *<" as HTTPX's regular expression does, dropping
// the separator (including the '<').
func splitLinks(value string) []string {
	var out []string
	for {
		i := strings.Index(value, ",")
		if i < 0 {
			return append(out, value)
		}
		j := i + 1
		for j < len(value) && value[j] == ' ' {
			j++
		}
		if j < len(value) && value[j] == '<' {
			out = append(out, value[:i])
			value = value[j+1:]
			continue
		}
		// A comma not followed by "<" stays inside the current link.
		rest := splitLinks(value[j:])
		rest[0] = value[:j] + rest[0]
		return append(out, rest...)
	}
}
