package charset

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustLookup(t testing.TB, label string) *Codec {
	c, _, ok := Lookup(label)
	require.True(t, ok, label)
	return c
}

// TestIncrementalCalls checks what each Decode call returns, not only the
// concatenation: incomplete characters are held back until completed.
func TestIncrementalCalls(t *testing.T) {
	tests := []struct {
		codec  string
		chunks []string
		want   []string // one per chunk, then the final flush
	}{
		{"utf-8", []string{"\xe2", "\x82", "\xac"}, []string{"", "", "€", ""}},
		{"utf-8", []string{"a\xe2", "\x82"}, []string{"a", "", "\ufffd"}},
		{"utf-8", []string{"\xe2", "\x28"}, []string{"", "\ufffd(", ""}},
		{"utf-8", []string{"\xf0\x9f", "\x98\x80!"}, []string{"", "😀!", ""}},
		{"utf-8", []string{"\xf0\x9f", "\xe2\x82\xac"}, []string{"", "\ufffd€", ""}},
		{"utf-8", []string{"\xff", "\xfe"}, []string{"\ufffd", "\ufffd", ""}},
		{"utf-8-sig", []string{"\xef", "\xbb\xbfA"}, []string{"", "A", ""}},
		{"utf-8-sig", []string{"\xef", "\xbbA"}, []string{"", "\ufffdA", ""}},
		{"utf-8-sig", []string{"\xef\xbb"}, []string{"", ""}}, // CPython drops a partial BOM
		{"utf-8-sig", []string{"", "\xef\xbb\xbf", "\xef\xbb\xbf"}, []string{"", "", "\ufeff", ""}},
		{"utf-16", []string{"\xff", "\xfe", "A", "\x00"}, []string{"", "", "", "A", ""}},
		{"utf-16", []string{"\xfe\xff\x00", "A\xd8=", "\xde\x00"}, []string{"", "A", "😀", ""}},
		{"utf-16-le", []string{"=\xd8", "\x00", "\xde"}, []string{"", "", "😀", ""}},
		{"utf-16-le", []string{"\x00\xd8\x00", "\xd8\x00\xdc"}, []string{"", "\ufffd𐀀", ""}},
		{"utf-32", []string{"\xff\xfe", "\x00\x00A\x00", "\x00\x00"}, []string{"", "", "A", ""}},
		{"utf-32-be", []string{"\x00\x01", "\xf6\x00\x00"}, []string{"", "😀", "\ufffd"}},
		{"shift_jis", []string{"\x82", "\xa0\x82"}, []string{"", "あ", "\ufffd"}},
	}
	for _, tc := range tests {
		d := mustLookup(t, tc.codec).NewDecoder()
		var got []string
		for _, c := range tc.chunks {
			got = append(got, d.Decode([]byte(c), false))
		}
		got = append(got, d.Decode(nil, true))
		assert.Equal(t, tc.want, got, "%s %q", tc.codec, tc.chunks)
	}
}

func TestDecoderReusableAfterFinal(t *testing.T) {
	for _, label := range []string{"utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "gbk"} {
		c := mustLookup(t, label)
		d := c.NewDecoder()
		in := []byte("\xff\xfeA\x00\xef\xbb\xbf\xe9")
		first := d.Decode(in, true)
		assert.Equal(t, first, d.Decode(in, true), label)
		assert.Equal(t, first, c.DecodeAll(in), label)
	}
	// The BOM decision is per stream.
	d := mustLookup(t, "utf-16").NewDecoder()
	assert.Equal(t, "A", d.Decode([]byte("\xfe\xff\x00A"), true))
	assert.Equal(t, "A", d.Decode([]byte("\xff\xfeA\x00"), true))
}

func TestUTF16AndUTF32RoundTrip(t *testing.T) {
	text := "plain ascii, é, € and 😀 and 𝄞"
	units := utf16.Encode([]rune(text))
	var le, be []byte
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	var le32, be32 []byte
	for _, r := range text {
		le32 = append(le32, byte(r), byte(r>>8), byte(r>>16), 0)
		be32 = append(be32, 0, byte(r>>16), byte(r>>8), byte(r))
	}
	tests := map[string][]byte{
		"utf-16-le": le, "utf-16-be": be, "utf-16": le,
		"UTF-32LE": le32, "utf-32-be": be32, "utf-32": le32,
	}
	tests["utf-16 with BE BOM"] = append([]byte{0xfe, 0xff}, be...)
	tests["utf-32 with BE BOM"] = append([]byte{0, 0, 0xfe, 0xff}, be32...)
	for name, in := range tests {
		c := mustLookup(t, strings.Fields(name)[0])
		assert.Equal(t, text, c.DecodeAll(in), name)
		assert.Equal(t, text, decodeChunked(c, in, 1), name)
		assert.Equal(t, text, decodeChunked(c, in, 3), name)
	}
}

// decodeChunked feeds in to a new decoder in chunks of size n.
func decodeChunked(c *Codec, in []byte, n int) string {
	d := c.NewDecoder()
	var b strings.Builder
	for len(in) > n {
		b.WriteString(d.Decode(in[:n], false))
		in = in[n:]
	}
	b.WriteString(d.Decode(in, true))
	return b.String()
}

func TestUTF8ChunkBoundaries(t *testing.T) {
	text := "ascii é € 😀 \U0010FFFF 𝄞 end"
	c := UTF8
	for n := 1; n <= len(text); n++ {
		require.Equal(t, text, decodeChunked(c, []byte(text), n), "chunk size %d", n)
	}
	bad := []byte("a\xe2\x82\xf0\x9f\x98\xed\xa0\x80\xc0\xaf\xff€")
	want := c.DecodeAll(bad)
	assert.Equal(t, "a\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd€", want)
	for n := 1; n <= len(bad); n++ {
		require.Equal(t, want, decodeChunked(c, bad, n), "chunk size %d", n)
	}
}

func TestSingleByteTables(t *testing.T) {
	for mod, tab := range sbcsTables {
		assert.Equal(t, 256, utf8.RuneCountInString(tab.chars), mod)
		c := registry[mod]
		require.NotNil(t, c, mod)
		all := make([]byte, 256)
		for i := range all {
			all[i] = byte(i)
		}
		assert.Equal(t, tab.chars, c.DecodeAll(all), mod)
	}
	assert.Equal(t, "€\ufffd", mustLookup(t, "windows-1252").DecodeAll([]byte{0x80, 0x81}))
	assert.Equal(t, "\u0080\u00ff", mustLookup(t, "latin-1").DecodeAll([]byte{0x80, 0xff}))
	assert.Equal(t, "\ufffd\ufffd", mustLookup(t, "ascii").DecodeAll([]byte{0x80, 0xff}))
}

func TestUTF8Codec(t *testing.T) {
	c, name, ok := Lookup("UTF-8")
	require.True(t, ok)
	assert.Same(t, UTF8, c)
	assert.Equal(t, "utf-8", name)
	assert.Equal(t, "", UTF8.DecodeAll(nil))
}

func TestAllocations(t *testing.T) {
	valid := []byte(strings.Repeat("text with é and € ", 100))
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = UTF8.DecodeAll(valid) }))
	d := UTF8.NewDecoder()
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = d.Decode(valid[:len(valid)-1], false) }))
	d.Decode(nil, true)
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, func() { _, _, _ = Lookup("utf-8") }))
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, func() { _, _, _ = Lookup("ISO-8859-1") }))
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"UTF-8":        "utf_8",
		"  utf--8;; ":  "utf_8",
		"iso.8859.1":   "iso.8859.1",
		"Ünicode-utf8": "nicode_utf8",
		"utf\u00e98":   "utf8",
		"a b\tc":       "a_b_c",
	}
	for in, want := range tests {
		got, ok := normalize(nil, in)
		require.True(t, ok)
		assert.Equal(t, want, string(got), in)
	}
	_, ok := normalize(nil, "utf-8\x00")
	assert.False(t, ok)
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), uint8(0), int64(1))
	f.Add([]byte("\xef\xbb\xbf\xe2\x82"), uint8(1), int64(2))
	f.Add([]byte("\xff\xfeA\x00=\xd8\x00\xde\x00\xd8"), uint8(2), int64(3))
	f.Add([]byte("\x00\x00\xfe\xff\x00\x01\xf6\x00\x00"), uint8(5), int64(4))
	f.Add([]byte("\x82\xa0\x1b$B"), uint8(10), int64(5))
	labels := []string{"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
		"utf-32-le", "utf-32-be", "ascii", "latin-1", "shift_jis", "iso2022_jp", "gb18030",
		"big5", "euc-kr", "cp1252", "cp037", "hz"}
	f.Fuzz(func(t *testing.T, data []byte, which uint8, seed int64) {
		c := mustLookup(t, labels[int(which)%len(labels)])
		whole := c.DecodeAll(data)
		if !utf8.ValidString(whole) {
			t.Fatalf("invalid UTF-8 output %q", whole)
		}
		rng := rand.New(rand.NewSource(seed))
		d := c.NewDecoder()
		var b strings.Builder
		rest := data
		for len(rest) > 0 {
			n := rng.Intn(len(rest) + 1)
			b.WriteString(d.Decode(rest[:n], false))
			rest = rest[n:]
		}
		b.WriteString(d.Decode(nil, true))
		if b.String() != whole {
			t.Fatalf("chunked %+q != whole %+q", b.String(), whole)
		}
		if c == UTF8 && utf8.Valid(data) && whole != string(data) {
			t.Fatalf("valid UTF-8 changed")
		}
	})
}

func BenchmarkDecodeUTF8(b *testing.B) {
	body := []byte(strings.Repeat("mostly ascii text with é and € now and then. ", 1500))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		_ = UTF8.DecodeAll(body)
	}
}

func BenchmarkDecoderUTF8Chunks(b *testing.B) {
	body := []byte(strings.Repeat("mostly ascii text with é and € now and then. ", 1500))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		d := UTF8.NewDecoder()
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 4093) // splits characters now and then
			_ = d.Decode(rest[:n], false)
			rest = rest[n:]
		}
		_ = d.Decode(nil, true)
	}
}

func BenchmarkDecodeCP1252(b *testing.B) {
	body := []byte(strings.Repeat("caf\xe9 cr\xe8me br\xfbl\xe9e \x80 ", 3000))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		_ = mustLookup(b, "cp1252").DecodeAll(body)
	}
}
