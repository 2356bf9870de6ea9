// Package charset decodes response bodies to text the way Python's codecs
// module does for HTTPX: codec labels are resolved with CPython's alias rules
// and names, and undecodable input becomes U+FFFD exactly as Python's
// errors="replace" handler produces it.
//
// UTF-8, UTF-8-SIG, ASCII, Latin-1, UTF-16 and UTF-32 are implemented by hand
// (UTF-8 is the common case and has a validate-and-copy fast path). Every
// CPython single-byte ("charmap") codec is table driven, with tables generated
// from CPython itself (see gen_tables.py), so cp1252 keeps Python's undefined
// bytes (0x81 decodes to U+FFFD, not U+0081 as in WHATWG). The East Asian
// multi-byte codecs are provided by golang.org/x/text; those follow the WHATWG
// mappings, which are supersets of Python's, and may differ from Python in the
// number of U+FFFD emitted for malformed input.
package charset

//go:generate sh -c "python3 gen_tables.py | gofmt > tables_gen.go"

import (
	"bytes"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// kind selects the decoding algorithm of a Codec.
type kind uint8

const (
	kUTF8 kind = iota
	kUTF8Sig
	kASCII
	kLatin1
	kSBCS
	kUTF16    // BOM-detecting, little-endian without a BOM
	kUTF16LE  // no BOM handling
	kUTF16BE  // no BOM handling
	kUTF32    // BOM-detecting, little-endian without a BOM
	kUTF32LE  // no BOM handling
	kUTF32BE  // no BOM handling
	kMultiple // golang.org/x/text multi-byte codec
)

// Codec is one text encoding. Codecs are immutable and safe for concurrent
// use; per-stream state lives in the Decoder values they create.
type Codec struct {
	name  string
	kind  kind
	enc   encoding.Encoding // kMultiple only
	chars string            // kSBCS only: the 256 characters of the code page
	once  sync.Once         // builds table from chars on first use
	table *[256]rune
	ascii bool // kSBCS: bytes below 0x80 decode to themselves
}

// sbcsTable is one generated single-byte code page (see tables_gen.go).
type sbcsTable struct {
	name  string
	chars string
}

// Name returns the canonical Python name of the codec (codecs.lookup(x).name).
// HTTPX's Response.encoding reports the label as given, not this name.
func (c *Codec) Name() string { return c.name }

// sbcs returns the decoding table of a single-byte codec, building it once.
func (c *Codec) sbcs() *[256]rune {
	c.once.Do(func() {
		var t [256]rune
		i := 0
		for _, r := range c.chars {
			t[i] = r
			i++
		}
		c.ascii = true
		for b := range utf8.RuneSelf {
			c.ascii = c.ascii && t[b] == rune(b)
		}
		c.table = &t
	})
	return c.table
}

// UTF8 is the codec HTTPX falls back to when no other encoding applies; it is
// exported so the common case needs no Lookup.
var UTF8 = &Codec{name: "utf-8", kind: kUTF8}

// registry maps a CPython encodings module name to its codec.
var registry = buildRegistry()

func buildRegistry() map[string]*Codec {
	handwritten := map[string]kind{
		"ascii": kASCII, "latin_1": kLatin1, "utf_8_sig": kUTF8Sig,
		"utf_16": kUTF16, "utf_16_le": kUTF16LE, "utf_16_be": kUTF16BE,
		"utf_32": kUTF32, "utf_32_le": kUTF32LE, "utf_32_be": kUTF32BE,
	}
	multi := map[string]encoding.Encoding{
		"big5": traditionalchinese.Big5, "big5hkscs": traditionalchinese.Big5,
		"cp950": traditionalchinese.Big5,
		"cp932": japanese.ShiftJIS, "shift_jis": japanese.ShiftJIS,
		"euc_jp": japanese.EUCJP, "iso2022_jp": japanese.ISO2022JP,
		"euc_kr": korean.EUCKR, "cp949": korean.EUCKR,
		"gb2312": simplifiedchinese.GBK, "gbk": simplifiedchinese.GBK,
		"gb18030": simplifiedchinese.GB18030, "hz": simplifiedchinese.HZGB2312,
	}
	r := make(map[string]*Codec, len(sbcsTables)+len(pyNames))
	r["utf_8"] = UTF8
	for mod, k := range handwritten {
		r[mod] = &Codec{name: pyNames[mod], kind: k}
	}
	for mod, e := range multi {
		r[mod] = &Codec{name: pyNames[mod], kind: kMultiple, enc: e}
	}
	for mod, t := range sbcsTables {
		r[mod] = &Codec{name: t.name, kind: kSBCS, chars: t.chars}
	}
	return r
}

// Lookup finds a codec by label the way Python's codecs.lookup does, so a
// charset that HTTPX accepts is accepted here and resolves to the same codec:
// ASCII letters are compared case-insensitively, every run of characters other
// than ASCII letters, digits and '.' collapses to '_' (so "UTF 8", "utf--8" and
// "utf_8" are equal), and CPython's alias table applies ("latin1" and
// "iso-8859-1" name iso8859-1, "sjis" names shift_jis). It reports the
// canonical Python name; ok is false for labels Python does not know or whose
// codec this package does not implement (bytes-to-bytes codecs such as base64,
// utf-7, the unicode-escape codecs and a few rare CJK variants).
func Lookup(label string) (c *Codec, name string, ok bool) {
	var buf [64]byte
	norm, valid := normalize(buf[:0], label)
	if !valid || len(norm) == 0 {
		return nil, "", false
	}
	alias, found := pyAliases[string(norm)]
	if !found {
		if bytes.IndexByte(norm, '.') >= 0 {
			dotless := bytes.ReplaceAll(norm, []byte("."), []byte("_"))
			alias, found = pyAliases[string(dotless)]
		}
	}
	if found {
		if c := registry[alias]; c != nil {
			return c, c.name, true
		}
	}
	// CPython then imports the normalized name itself as a module, skipping
	// names that contain a dot.
	if bytes.IndexByte(norm, '.') < 0 {
		if c := registry[string(norm)]; c != nil {
			return c, c.name, true
		}
	}
	return nil, "", false
}

// normalize applies CPython's codec-name normalization: ASCII lower-casing,
// then encodings.normalize_encoding (runs of punctuation become one '_',
// leading and trailing punctuation dropped, non-ASCII letters and digits
// dropped without acting as separators). valid is false for labels CPython
// rejects outright (an embedded NUL).
func normalize(dst []byte, label string) (out []byte, valid bool) {
	punct := false
	for _, r := range label {
		switch {
		case r == 0:
			return nil, false
		case r < utf8.RuneSelf && (isASCIIAlnum(byte(r)) || r == '.'):
			if punct && len(dst) > 0 {
				dst = append(dst, '_')
			}
			b := byte(r)
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			dst = append(dst, b)
			punct = false
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r)):
			// Python's str.isalnum accepts it, but only ASCII is kept.
			punct = false
		default:
			punct = true
		}
	}
	return dst, true
}

func isASCIIAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// DecodeAll decodes a complete body, as HTTPX's Response.text does (an
// incremental decoder fed the whole body and then flushed).
func (c *Codec) DecodeAll(p []byte) string {
	if c.kind == kUTF8 && utf8.Valid(p) {
		return string(p)
	}
	d := Decoder{c: c}
	return d.Decode(p, true)
}

// NewDecoder returns an incremental decoder, which HTTPX's iter_text needs
// because network chunks split multi-byte characters.
func (c *Codec) NewDecoder() *Decoder {
	return &Decoder{c: c}
}
