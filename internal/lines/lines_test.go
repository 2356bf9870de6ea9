package lines

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitlinesCases holds texts and what Python's str.splitlines returns for
// them (produced with CPython 3.11).
var splitlinesCases = []struct {
	text string
	want []string
}{
	{"", nil},
	{"a", []string{"a"}},
	{"a\n", []string{"a"}},
	{"a\nb", []string{"a", "b"}},
	{"a\n\nb", []string{"a", "", "b"}},
	{"\n", []string{""}},
	{"\n\n", []string{"", ""}},
	{"\r", []string{""}},
	{"\r\r", []string{"", ""}},
	{"\r\n", []string{""}},
	{"\r\n\r\n", []string{"", ""}},
	{"a\r\nb\rc\nd", []string{"a", "b", "c", "d"}},
	{"a\r\rb", []string{"a", "", "b"}},
	{"a\n\rb", []string{"a", "", "b"}},
	{"a\r\n\nb", []string{"a", "", "b"}},
	{"\n\r", []string{"", ""}},
	{"x\vy\fz", []string{"x", "y", "z"}},
	{"1\x1c2\x1d3\x1e4", []string{"1", "2", "3", "4"}},
	{"one\u0085two\u2028three\u2029four", []string{"one", "two", "three", "four"}},
	{"trailing\u2029", []string{"trailing"}},
	{"no newline at all", []string{"no newline at all"}},
	{"\u00e9\r\u20ac\n\U0001f600", []string{"\u00e9", "\u20ac", "\U0001f600"}},
	{"\x1f\u0085\v", []string{"\x1f", ""}},
	{"line\r\n", []string{"line"}},
	{"\r\na", []string{"", "a"}},
	{"a\x00b\n", []string{"a\x00b"}},
}

// feed runs a new Splitter over chunks and collects every line.
func feed(chunks []string) []string {
	var s Splitter
	var out []string
	for _, c := range chunks {
		out = append(out, s.Feed(c)...)
	}
	return append(out, s.Flush()...)
}

// chunkings returns several ways of cutting text: whole, per byte, per
// character, every two-way split and a few random cuts.
func chunkings(text string) [][]string {
	all := [][]string{{text}}
	var bytes, chars []string
	for i := 0; i < len(text); i++ {
		bytes = append(bytes, text[i:i+1])
	}
	for _, r := range text {
		chars = append(chars, string(r))
	}
	all = append(all, bytes, chars)
	for i := 0; i <= len(text); i++ {
		all = append(all, []string{text[:i], "", text[i:]})
	}
	rng := rand.New(rand.NewSource(int64(len(text))))
	for k := 0; k < 20; k++ {
		var cut []string
		rest := text
		for rest != "" {
			n := rng.Intn(len(rest) + 1)
			cut = append(cut, rest[:n])
			rest = rest[n:]
		}
		all = append(all, cut)
	}
	return all
}

func TestSplitterMatchesSplitlines(t *testing.T) {
	for _, tc := range splitlinesCases {
		for _, chunks := range chunkings(tc.text) {
			got := feed(chunks)
			if len(tc.want) == 0 {
				assert.Empty(t, got, "%q", chunks)
				continue
			}
			assert.Equal(t, tc.want, got, "%q", chunks)
		}
	}
}

func TestSplitterFeedResults(t *testing.T) {
	var s Splitter
	assert.Nil(t, s.Feed(""))
	assert.Nil(t, s.Feed("abc"), "no line completed: nil")
	assert.Equal(t, []string{"abcdef"}, s.Feed("def\nghi"))
	assert.Nil(t, s.Feed("\r"), "a trailing CR is held back")
	assert.Equal(t, []string{"ghi"}, s.Feed("\n"), "CR LF across chunks is one terminator")
	assert.Nil(t, s.Feed("x\r"))
	assert.Equal(t, []string{"x"}, s.Feed("y"), "a CR followed by text ends the line")
	assert.Equal(t, []string{"y"}, s.Flush())
	assert.Nil(t, s.Flush(), "flush leaves the splitter empty")
	assert.Nil(t, s.Feed("\xe2\x80"), "a partial U+2028 is held back")
	assert.Equal(t, []string{""}, s.Feed("\xa8z"))
	assert.Equal(t, []string{"z"}, s.Flush())
	assert.Nil(t, s.Feed("\xc2"))
	assert.Equal(t, []string{"\xc2x"}, s.Feed("x\n"), "not a terminator after all")
	assert.Nil(t, s.Feed("\xe2"))
	assert.Equal(t, []string{"\xe2"}, s.Flush(), "held bytes end the last line")
}

func TestSplitterFlushTrailingCR(t *testing.T) {
	var s Splitter
	assert.Equal(t, []string{"a"}, s.Feed("a\n\r"))
	assert.Equal(t, []string{""}, s.Flush(), "like \"a\\n\\r\".splitlines()")
}

func TestSplitterLinesShareInput(t *testing.T) {
	var s Splitter
	in := "first\nsecond\n"
	lines := s.Feed(in)
	require.Equal(t, []string{"first", "second"}, lines)
	allocs := testing.AllocsPerRun(100, func() { _ = s.Feed("no terminator") })
	assert.Zero(t, allocs)
}

func TestTextChunker(t *testing.T) {
	tests := []struct {
		size   int
		chunks []string
		want   []string
	}{
		{0, []string{"ab", "", "c"}, []string{"ab", "c"}},
		{-1, []string{"", "x"}, []string{"x"}},
		{2, []string{"abcde"}, []string{"ab", "cd", "e"}},
		{2, []string{"a", "b", "c"}, []string{"ab", "c"}},
		{3, []string{"ab", "cd", "ef"}, []string{"abc", "def"}},
		{3, []string{"", "abc", ""}, []string{"abc"}},
		{2, []string{"é€😀x"}, []string{"é€", "😀x"}},
		{1, []string{"日本"}, []string{"日", "本"}},
		{4, []string{"ab"}, []string{"ab"}},
		{5, nil, nil},
	}
	for _, tc := range tests {
		c := TextChunker{Size: tc.size}
		var got []string
		for _, ch := range tc.chunks {
			got = append(got, c.Feed(ch)...)
		}
		got = append(got, c.Flush()...)
		assert.Equal(t, tc.want, got, "size %d %q", tc.size, tc.chunks)
		for _, g := range got[:max(len(got)-1, 0)] {
			if tc.size > 0 {
				assert.Equal(t, tc.size, utf8.RuneCountInString(g))
			}
		}
	}
}

// FuzzSplitter checks that byte-by-byte feeding yields the same lines as
// feeding everything at once, that lines never contain terminators, and that
// the result equals a rune-by-rune str.splitlines reference.
// Run: go test -run XXX -fuzz FuzzSplitter -fuzztime 1m ./internal/lines/
func FuzzSplitter(f *testing.F) {
	for _, tc := range splitlinesCases {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		whole := feed([]string{text})
		bytewise := feed(chunkings(text)[1])
		if !equal(whole, bytewise) {
			t.Fatalf("whole %q != bytewise %q", whole, bytewise)
		}
		for _, l := range whole {
			if strings.ContainsAny(l, "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029") {
				t.Fatalf("line %q contains a terminator", l)
			}
		}
		if ref := refSplitlines(text); !equal(whole, ref) {
			t.Fatalf("splitter %q != reference %q", whole, ref)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// refSplitlines is a straightforward rune-by-rune str.splitlines, the oracle
// for the fuzz test (invalid UTF-8 bytes are ordinary characters).
func refSplitlines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			out = append(out, s[start:i])
			if r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				size = 2
			}
			start = i + size
		}
		i += size
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func TestRefSplitlines(t *testing.T) {
	for _, tc := range splitlinesCases {
		assert.Equal(t, tc.want, refSplitlines(tc.text), "%q", tc.text)
	}
}

func BenchmarkSplitter(b *testing.B) {
	text := strings.Repeat("a line of an event stream\r\ndata: {}\n\n", 2000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		var s Splitter
		for rest := text; rest != ""; {
			n := min(len(rest), 4096)
			_ = s.Feed(rest[:n])
			rest = rest[n:]
		}
		_ = s.Flush()
	}
}
