package multipart

import (
	"mime"
	"strings"
)

//go:generate sh -c "python3 gen_mimetypes.py | gofmt > mimetypes_gen.go"
//go:generate sh -c "python3 gen_mimetypes.py golden > testdata/guess_type.json"

const octetStream = "application/octet-stream"

// GuessContentType guesses a file's MIME type from its name, as HTTPX does
// with Python's mimetypes.guess_type, so that uploads are labelled the same
// way without the caller having to know types.
//
// The guess follows guess_type over Python's built-in tables (generated from
// CPython, never from the system's /etc/mime.types): abbreviations such as
// .tgz are expanded, one compression suffix is set aside, and the extension
// left is looked up without regard to case. So "a.tar.gz" is
// application/x-tar (the type of the data once decompressed, as HTTPX sends)
// and "a.gz" has no type. Only for an extension Python's tables do not
// mention at all is [mime.TypeByExtension] asked (it may consult the system's
// type files), with parameters such as "; charset=utf-8" dropped because
// HTTPX sends the bare type. A name with no type, hidden files like ".txt"
// included, gets "application/octet-stream".
func GuessContentType(filename string) string {
	t, ext := pyGuessType(filename)
	if t != "" {
		return t
	}
	if ext == "" || pyKnows(ext) {
		return octetStream
	}
	if t := mime.TypeByExtension(ext); t != "" {
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
		if t = strings.TrimSpace(t); t != "" && validValue(t) {
			return t
		}
	}
	return octetStream
}

// pyGuessType is the type half of Python's mimetypes.guess_type(name)
// (strict), "" when it finds none, together with the lower-cased extension
// it looked up last, for the fallback.
func pyGuessType(name string) (typ, ext string) {
	if scheme, rest, ok := splitScheme(name); ok {
		if scheme == "data" {
			return dataURLType(rest), ""
		}
		name = rest
	}
	base, ext := splitExt(name)
	for {
		full, ok := pySuffixes[strings.ToLower(ext)]
		if !ok {
			break
		}
		base, ext = splitExt(base + full)
	}
	if _, ok := pyEncodings[ext]; ok {
		_, ext = splitExt(base)
	}
	ext = strings.ToLower(ext)
	return pyTypes[ext], ext
}

// pyKnows reports whether Python's tables mention a lower-case extension,
// in which case their answer stands even when it is "no type".
func pyKnows(ext string) bool {
	if _, ok := pyTypes[ext]; ok {
		return true
	}
	if _, ok := pySuffixes[ext]; ok {
		return true
	}
	for e := range pyEncodings {
		if strings.EqualFold(e, ext) {
			return true
		}
	}
	return false
}

// splitScheme is Python's urllib.parse._splittype, which guess_type applies
// first: a prefix of characters other than '/' and ':' followed by ':' is a
// URL scheme (lower-cased) and is dropped.
func splitScheme(name string) (scheme, rest string, ok bool) {
	i := strings.IndexAny(name, "/:")
	if i <= 0 || name[i] != ':' {
		return "", name, false
	}
	return strings.ToLower(name[:i]), name[i+1:], true
}

// dataURLType is the media type of a data: URL's body ("type/subtype" up to
// the first ';' or ','), text/plain when it has none, "" when the URL has no
// ','. A type that could not be sent in a header is dropped.
func dataURLType(rest string) string {
	comma := strings.IndexByte(rest, ',')
	if comma < 0 {
		return ""
	}
	t := rest[:comma]
	if semi := strings.IndexByte(t, ';'); semi >= 0 {
		t = t[:semi]
	}
	if strings.Contains(t, "=") || !strings.Contains(t, "/") {
		return "text/plain"
	}
	if !validValue(t) {
		return ""
	}
	return t
}

// splitExt is Python's posixpath.splitext: the extension is the last '.' and
// what follows it in the last path element, ignoring leading dots. Both '/'
// and '\' end a directory name here, since the name may come from either
// kind of system.
func splitExt(name string) (base, ext string) {
	dot := strings.LastIndexByte(name, '.')
	sep := strings.LastIndexAny(name, `/\`)
	if dot <= sep {
		return name, ""
	}
	for i := sep + 1; i < dot; i++ {
		if name[i] != '.' {
			return name[:dot], name[dot:]
		}
	}
	return name, ""
}
