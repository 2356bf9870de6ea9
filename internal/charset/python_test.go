package charset

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expectations below were produced with CPython 3.11:
// codecs.lookup(label).name, an incremental decoder with errors="replace"
// fed the bytes and flushed (what HTTPX's TextDecoder does),
// httpx._utils.parse_content_type_charset and json.detect_encoding.

func TestLookup(t *testing.T) {
	// name "" means unknown; a few labels Python knows are deliberately
	// unsupported (see the comments).
	tests := []struct{ label, name string }{
		{"utf-8", "utf-8"},
		{"UTF8", "utf-8"},
		{"utf_8", "utf-8"},
		{"U8", "utf-8"},
		{"utf", "utf-8"},
		{"UTF 8", "utf-8"},
		{"utf--8", "utf-8"},
		{" utf-8 ", "utf-8"},
		{"utf-8;", "utf-8"},
		{"utf8\u00e9", "utf-8"},
		{"\u00e9utf8", "utf-8"},
		{"cp65001", "utf-8"},
		{"latin-1", "iso8859-1"},
		{"latin1", "iso8859-1"},
		{"Latin_1", "iso8859-1"},
		{"iso-8859-1", "iso8859-1"},
		{"ISO_8859-1", "iso8859-1"},
		{"iso8859-1", "iso8859-1"},
		{"iso.8859.1", "iso8859-1"},
		{"iso8859.1", "iso8859-1"},
		{"l1", "iso8859-1"},
		{"iso-ir-100", "iso8859-1"},
		{"ascii", "ascii"},
		{"US-ASCII", "ascii"},
		{"ANSI_X3.4-1968", "ascii"},
		{"646", "ascii"},
		{"cp1252", "cp1252"},
		{"windows-1252", "cp1252"},
		{"1252", "cp1252"},
		{"utf-16", "utf-16"},
		{"utf16", "utf-16"},
		{"UTF-16LE", "utf-16-le"},
		{"utf-16-be", "utf-16-be"},
		{"utf-32", "utf-32"},
		{"utf_32_le", "utf-32-le"},
		{"UTF-32BE", "utf-32-be"},
		{"utf-8-sig", "utf-8-sig"},
		{"UTF_8_SIG", "utf-8-sig"},
		{"shift_jis", "shift_jis"},
		{"sjis", "shift_jis"},
		{"Shift-JIS", "shift_jis"},
		{"ms_kanji", "cp932"},
		{"euc-jp", "euc_jp"},
		{"ujis", "euc_jp"},
		{"euc-kr", "euc_kr"},
		{"ks_c-5601-1987", "euc_kr"},
		{"gb2312", "gb2312"},
		{"chinese", "gb2312"},
		{"gbk", "gbk"},
		{"cp936", "gbk"},
		{"gb18030", "gb18030"},
		{"big5", "big5"},
		{"csbig5", "big5"},
		{"big5-hkscs", "big5hkscs"},
		{"cp950", "cp950"},
		{"koi8-r", "koi8-r"},
		{"koi8-u", "koi8-u"},
		{"iso-8859-2", "iso8859-2"},
		{"iso-8859-3", "iso8859-3"},
		{"iso-8859-4", "iso8859-4"},
		{"iso-8859-5", "iso8859-5"},
		{"iso-8859-6", "iso8859-6"},
		{"iso-8859-7", "iso8859-7"},
		{"iso-8859-8", "iso8859-8"},
		{"iso-8859-9", "iso8859-9"},
		{"iso-8859-10", "iso8859-10"},
		{"iso-8859-11", "iso8859-11"},
		{"iso-8859-13", "iso8859-13"},
		{"iso-8859-14", "iso8859-14"},
		{"iso-8859-15", "iso8859-15"},
		{"iso-8859-16", "iso8859-16"},
		{"cp1250", "cp1250"},
		{"cp1251", "cp1251"},
		{"cp1253", "cp1253"},
		{"cp1254", "cp1254"},
		{"cp1255", "cp1255"},
		{"cp1256", "cp1256"},
		{"cp1257", "cp1257"},
		{"cp1258", "cp1258"},
		{"mac-roman", "mac-roman"},
		{"macintosh", "mac-roman"},
		{"cp437", "cp437"},
		{"IBM437", "cp437"},
		{"cp850", "cp850"},
		{"cp866", "cp866"},
		{"hz", "hz"},
		{"iso-2022-jp", "iso2022_jp"},
		{"tis-620", "tis-620"},
		{"cp874", "cp874"},
		{"cp037", "cp037"},
		{"charmap", "charmap"},
		{"x-sjis", ""},
		{"windows-874", ""},
		{"latin-9", ""},
		{"iso-8859-12", ""},
		{"utf.8", ""},
		{"u.t.f.8", ""},
		{"646.", ""},
		{"", ""},
		{" ", ""},
		{"base64", ""},         // Python knows it; bytes-to-bytes codec
		{"utf-7", ""},          // Python knows it; not implemented
		{"unicode-escape", ""}, // Python knows it; not implemented
		{"\u0130SO-8859-1", ""},
		{"cp-1252", ""},
		{"bogus", ""},
		{"x-user-defined", ""},
		{"euc_jis_2004", ""}, // Python knows it; no x/text codec
		{"johab", ""},        // Python knows it; no x/text codec
	}
	for _, tc := range tests {
		c, name, ok := Lookup(tc.label)
		if tc.name == "" {
			assert.False(t, ok, "label %q", tc.label)
			assert.Nil(t, c)
			assert.Empty(t, name)
			continue
		}
		if assert.True(t, ok, "label %q", tc.label) {
			assert.Equal(t, tc.name, name, "label %q", tc.label)
			assert.Equal(t, tc.name, c.Name())
		}
	}
}

var pythonDecodes = []struct {
	codec string
	in    string
	want  string
}{
	{"utf-8", "\xff\xfe", "\ufffd\ufffd"},
	{"utf-8", "\xe2\x82", "\ufffd"},
	{"utf-8", "\xe2\x82\x41", "\ufffdA"},
	{"utf-8", "\xed\xa0\x80", "\ufffd\ufffd\ufffd"},
	{"utf-8", "\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd"},
	{"utf-8", "\xc0\xaf", "\ufffd\ufffd"},
	{"utf-8", "\xf0\x9f\x98", "\ufffd"},
	{"utf-8", "\xf0\x9f\x98\x80", "\U0001f600"},
	{"utf-8", "\xe0\x80\x80", "\ufffd\ufffd\ufffd"},
	{"utf-8", "\xf0\x80", "\ufffd\ufffd"},
	{"utf-8", "\xf5\x80", "\ufffd\ufffd"},
	{"utf-8", "\x61\x80\x62", "a\ufffdb"},
	{"utf-8", "\xf0\x9f\xe2\x82\xac", "\ufffd\u20ac"},
	{"utf-8", "\x63\x61\x66\xc3\xa9", "caf\u00e9"},
	{"utf-8", "\xef\xbb\xbf\x41", "\ufeffA"},
	{"utf-8-sig", "\xef\xbb\xbf\x41", "A"},
	{"utf-8-sig", "\x41\xef\xbb\xbf", "A\ufeff"},
	{"utf-8-sig", "\xef\xbb\xbf\xef\xbb\xbf", "\ufeff"},
	{"utf-8-sig", "\xef\xbb", ""},
	{"utf-8-sig", "\xef", ""},
	{"utf-8-sig", "\xef\xbb\x41", "\ufffdA"},
	{"utf-8-sig", "\xff", "\ufffd"},
	{"ascii", "\x61\x80\xff\x7f", "a\ufffd\ufffd\u007f"},
	{"latin-1", "\x61\x80\xff\xe9", "a\u0080\u00ff\u00e9"},
	{"cp1252", "\x80\x81\x8d\x8f\x90\x9d\x9f\xe9", "\u20ac\ufffd\ufffd\ufffd\ufffd\ufffd\u0178\u00e9"},
	{"iso-8859-15", "\xa4\xe9", "\u20ac\u00e9"},
	{"koi8-r", "\xc1\xc2\xd7", "\u0430\u0431\u0432"},
	{"cp437", "\x01\xb0\xdb\xe1", "\u0001\u2591\u2588\u00df"},
	{"mac-roman", "\x80\xa5\xf0", "\u00c4\u2022\uf8ff"},
	{"cp037", "\xc1\x81\x40\x5b", "Aa $"},
	{"iso-8859-7", "\xae\xd2\xe1", "\ufffd\ufffd\u03b1"},
	{"iso-8859-11", "\xdb\xa1\xfb", "\ufffd\u0e01\u0e5b"},
	{"cp874", "\x80\x81\xa1", "\u20ac\ufffd\u0e01"},
	{"utf-16", "\xff\xfe\x41\x00", "A"},
	{"utf-16", "\xfe\xff\x00\x41", "A"},
	{"utf-16", "\xff", "\ufffd"},
	{"utf-16", "\xff\xfe\xff\xfe\x41\x00", "\ufeffA"},
	{"utf-16", "\xff\xfe\x3d\xd8\x00\xde", "\U0001f600"},
	{"utf-16", "\xff\xfe\x41\x00\x42", "A\ufffd"},
	{"utf-16-le", "\x41\x00", "A"},
	{"utf-16-le", "\xff\xfe\x41\x00", "\ufeffA"},
	{"utf-16-le", "\x00\xd8\x41\x00", "\ufffdA"},
	{"utf-16-le", "\x00\xdc\x41\x00", "\ufffdA"},
	{"utf-16-le", "\x00\xd8", "\ufffd"},
	{"utf-16-le", "\x00\xd8\x41", "\ufffd"},
	{"utf-16-le", "\x00\xd8\x00\xd8\x00\xdc", "\ufffd\U00010000"},
	{"utf-16-le", "\x3d\xd8\x00\xde", "\U0001f600"},
	{"utf-16-le", "\x41\x00\x42", "A\ufffd"},
	{"utf-16-be", "\x00\x41\xd8\x3d\xde\x00", "A\U0001f600"},
	{"utf-16-be", "\xfe\xff\x00\x41", "\ufeffA"},
	{"utf-16-be", "\xd8\x00", "\ufffd"},
	{"utf-32", "\xff\xfe\x00\x00\x41\x00\x00\x00", "A"},
	{"utf-32", "\x00\x00\xfe\xff\x00\x00\x00\x41", "A"},
	{"utf-32", "\xff\xfe\x00", "\ufffd"},
	{"utf-32", "\xff\xfe\x00\x00\xff\xfe\x00\x00", "\ufeff"},
	{"utf-32-le", "\x41\x00\x00\x00", "A"},
	{"utf-32-le", "\x00\xd8\x00\x00", "\ufffd"},
	{"utf-32-le", "\x00\x00\x11\x00", "\ufffd"},
	{"utf-32-le", "\x41\x00\x00\x00\x42\x00", "A\ufffd"},
	{"utf-32-le", "\x00\xf6\x01\x00", "\U0001f600"},
	{"utf-32-be", "\x00\x01\xf6\x00", "\U0001f600"},
	{"utf-32-be", "\x00\x00\xfe\xff\x41", "\ufeff\ufffd"},
	// CPython's incremental "utf-16"/"utf-32" decoders raise without a BOM;
	// like its one-shot decoder, this package assumes little-endian.
	{"utf-16", "\x41\x00\x3d\xd8\x00\xde", "A\U0001f600"},
	{"utf-32", "\x41\x00\x00\x00", "A"},
}

func TestDecodeAll(t *testing.T) {
	for _, tc := range pythonDecodes {
		c, _, ok := Lookup(tc.codec)
		require.True(t, ok, tc.codec)
		assert.Equal(t, tc.want, c.DecodeAll([]byte(tc.in)), "%s %q", tc.codec, tc.in)
	}
}

func TestDecodeOneByteAtATime(t *testing.T) {
	for _, tc := range pythonDecodes {
		c, _, _ := Lookup(tc.codec)
		d := c.NewDecoder()
		var b strings.Builder
		for i := 0; i < len(tc.in); i++ {
			b.WriteString(d.Decode([]byte{tc.in[i]}, false))
		}
		b.WriteString(d.Decode(nil, true))
		assert.Equal(t, tc.want, b.String(), "%s %q", tc.codec, tc.in)
	}
}

func TestMultiByteCodecs(t *testing.T) {
	tests := []struct{ codec, in, want string }{
		{"shift_jis", "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\x90\xa2\x8a\x45\x20\xb6\xc0\xb6\xc5\x20\x61\x62\x63", "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c \uff76\uff80\uff76\uff85 abc"},
		{"cp932", "\x87\x40\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd", "\u2460\u3053\u3093\u306b\u3061\u306f"},
		{"euc_jp", "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf\xc0\xa4\xb3\xa6", "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c"},
		{"iso2022_jp", "\x1b\x24\x42\x24\x33\x24\x73\x24\x4b\x24\x41\x24\x4f\x1b\x28\x42\x20\x61\x62\x63\x20\x1b\x24\x42\x40\x24\x33\x26\x1b\x28\x42", "\u3053\u3093\u306b\u3061\u306f abc \u4e16\u754c"},
		{"euc_kr", "\xbe\xc8\xb3\xe7\xc7\xcf\xbc\xbc\xbf\xe4\x20\xbc\xbc\xb0\xe8", "\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4"},
		{"cp949", "\x8c\x63\xb9\xe6\xb0\xa2\xc7\xcf\x20\xbe\xc8\xb3\xe7", "\ub620\ubc29\uac01\ud558 \uc548\ub155"},
		{"gbk", "\xc4\xe3\xba\xc3\xca\xc0\xbd\xe7\x20\x61\x62\x63", "\u4f60\u597d\u4e16\u754c abc"},
		{"gb2312", "\xc4\xe3\xba\xc3\xca\xc0\xbd\xe7", "\u4f60\u597d\u4e16\u754c"},
		{"gb18030", "\xc4\xe3\xba\xc3\xca\xc0\xbd\xe7\x20\x94\x39\xfc\x36", "\u4f60\u597d\u4e16\u754c \U0001f600"},
		{"hz", "\x7e\x7b\x44\x63\x3a\x43\x7e\x7d\x20\x61\x62\x63", "\u4f60\u597d abc"},
		{"big5", "\xa7\x41\xa6\x6e\xa5\x40\xac\xc9", "\u4f60\u597d\u4e16\u754c"},
		{"cp950", "\xa7\x41\xa6\x6e\xa5\x40\xac\xc9", "\u4f60\u597d\u4e16\u754c"},
	}
	for _, tc := range tests {
		c, _, ok := Lookup(tc.codec)
		require.True(t, ok, tc.codec)
		assert.Equal(t, tc.want, c.DecodeAll([]byte(tc.in)), tc.codec)
		d := c.NewDecoder()
		var b strings.Builder
		for i := 0; i < len(tc.in); i++ {
			b.WriteString(d.Decode([]byte{tc.in[i]}, false))
		}
		b.WriteString(d.Decode(nil, true))
		assert.Equal(t, tc.want, b.String(), tc.codec)
	}
}

func TestContentTypeCharset(t *testing.T) {
	tests := []struct{ in, want string }{
		{"text/html; charset=UTF-8", "utf-8"},
		{"text/html;charset=\u0022utf-8\u0022", "utf-8"},
		{"text/html; CHARSET = latin1 ", "latin1"},
		{"text/html; charset='utf-8'", "'utf-8'"},
		{"text/html", ""},
		{"charset=utf-8", "utf-8"},
		{"text/html; foo=\u0022a;charset=x\u0022; charset=koi8-r", "koi8-r"},
		{"text/html; charset=", ""},
		{"text/html; charset", ""},
		{"text/html; charset=<UTF-8>", "utf-8"},
		{"text/html; charset=\u0022ut\u005c\u0022f\u0022", "ut\u0022f"},
		{"text/html; charset*=utf-8''ISO-8859-1", "iso-8859-1"},
		{"text/html; charset*0=utf; charset*1=-8", "utf-8"},
		{"text/html; charset*0*=us-ascii'en'ISO%2D8859; charset*1=-2", "iso-8859-2"},
		{"text/html; charset=a; charset=b", "a"},
		{"text/html; charset*=x''y; charset=z", "z"},
		{"text/html; charset=\u0022utf-8", "\u0022utf-8"},
		{"text/html; charset=utf-8;", "utf-8"},
		{"text/html;;charset=utf-8", "utf-8"},
		{"text/html; charset=\u00e9", ""},
		{"text/html;  charset  =  \u0022  UTF-8  \u0022  ", "  utf-8  "},
		{"text/html; Charset=\u0022UTF-16\u0022; foo=bar", "utf-16"},
		{";charset=x", "x"},
		{"text/html; charset=\u0022a\u005c\u005c\u0022; x=1", "\u0022a\u005c\u005c\u0022; x=1"},
		{"", ""},
		{"application/json", ""},
		{"text/plain; charset=ISO-8859-1; format=flowed", "iso-8859-1"},
		{"text/plain; charset=\u0009\u0022Windows-1252\u0022\u0009", "windows-1252"},
		{"text/plain; charset=\u0022utf-8\u0022; charset=latin1", "utf-8"},
		{"text/plain; charset = \u0022\u0022", ""},
		{"text/plain; x=\u0022\u005c\u0022;charset=a\u0022; charset=b", "b"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ContentTypeCharset(tc.in), "%q", tc.in)
	}
}

func TestDetectJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x7b\x7d", "utf-8"},
		{"\x5b\x31\x5d", "utf-8"},
		{"\xef\xbb\xbf\x7b\x7d", "utf-8-sig"},
		{"\xff\xfe\x7b\x00\x7d\x00", "utf-16"},
		{"\xfe\xff\x00\x7b\x00\x7d", "utf-16"},
		{"\xff\xfe\x00\x00\x7b\x00\x00\x00", "utf-32"},
		{"\x00\x00\xfe\xff\x00\x00\x00\x7b", "utf-32"},
		{"\x7b\x00\x7d\x00", "utf-16-le"},
		{"\x00\x7b\x00\x7d", "utf-16-be"},
		{"\x7b\x00\x00\x00", "utf-32-le"},
		{"\x00\x00\x00\x7b", "utf-32-be"},
		{"\x7b\x00\x00\x7d", "utf-16-le"},
		{"\x00\x00\x7b\x00", "utf-32-be"},
		{"\x7b\x00", "utf-16-le"},
		{"\x00\x7b", "utf-16-be"},
		{"\x31", "utf-8"},
		{"", "utf-8"},
		{"\x00", "utf-8"},
		{"\x7b\x00\x7d", "utf-8"},
		{"\xff\xfe", "utf-16"},
		{"\x00\x00\x00", "utf-8"},
		{"\xef\xbb", "utf-8"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, DetectJSON([]byte(tc.in)), "%q", tc.in)
	}
}
