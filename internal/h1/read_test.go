package h1

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parse reads one response to method from raw: head, framing and body.
func parse(method, raw string) (*Head, Framing, string, error) {
	br := bufio.NewReaderSize(strings.NewReader(raw), 64)
	var h Head
	if err := ReadHead(br, 1<<16, &h); err != nil {
		return &h, Framing{}, "", err
	}
	f, err := ResponseFraming(method, &h)
	if err != nil {
		return &h, f, "", err
	}
	var b Body
	b.Reset(br, f, 1<<12)
	body, err := io.ReadAll(&b)
	return &h, f, string(body), err
}

func isProtocolError(err error) bool {
	var pe *ProtocolError
	return errors.As(err, &pe) && !pe.Local
}

// TestStatusLine follows engine-notes §1.2's status-line rows (h11).
func TestStatusLine(t *testing.T) {
	cases := []struct {
		line         string
		status       int
		reason       string
		major, minor int
		refused      bool
	}{
		{line: "HTTP/1.1 200 OK", status: 200, reason: "OK", major: 1, minor: 1},
		{line: "HTTP/1.0 404 Not Found", status: 404, reason: "Not Found", major: 1, minor: 0},
		{line: "HTTP/1.1 200", status: 200, major: 1, minor: 1},
		{line: "HTTP/1.1 200 ", status: 200, major: 1, minor: 1},
		{line: "HTTP/1.2 200 OK", status: 200, reason: "OK", major: 1, minor: 2},
		{line: "HTTP/2.0 200 OK", status: 200, reason: "OK", major: 2, minor: 0},
		{line: "HTTP/1.1 999 Custom", status: 999, reason: "Custom", major: 1, minor: 1},
		{line: "HTTP/1.1 100 Continue", status: 100, reason: "Continue", major: 1, minor: 1},
		{line: "HTTP/1.1 200 tab\there and \x01 obs\xff", status: 200, reason: "tab\there and \x01 obs\xff", major: 1, minor: 1},
		{line: "HTTP/1.1 099 Low", refused: true},
		{line: "HTTP/1.1 000 Zero", refused: true},
		{line: "HTTP/1.1 20 OK", refused: true},
		{line: "HTTP/1.1 2000 OK", refused: true},
		{line: "HTTP/1.1  200 OK", refused: true},
		{line: "HTTP/1.1\t200 OK", refused: true},
		{line: "http/1.1 200 OK", refused: true},
		{line: "HTTP/2 200 OK", refused: true},
		{line: " HTTP/1.1 200 OK", refused: true},
		{line: "HTTP/1.1 200OK", refused: true},
		{line: "HTTP/1.1 abc OK", refused: true},
		{line: "HTTP/9.x 200 OK", refused: true},
		{line: "HELLO WORLD", refused: true},
		{line: "HTTP/1.1 200 O\x00K", refused: true},
		{line: "HTTP/1.1 200 O\vK", refused: true},
		{line: "HTTP/1.1 200 O\fK", refused: true},
		{line: "HTTP/1.1 200 O\rK", refused: true},
		{line: "\x16\x03\x01\x02\x00", refused: true},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			h, _, _, err := parse("GET", tc.line+"\r\nContent-Length: 0\r\n\r\n")
			if tc.refused {
				assert.True(t, isProtocolError(err), "want a ProtocolError, got %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.status, h.Status)
			assert.Equal(t, tc.reason, h.Reason)
			assert.Equal(t, [2]int{tc.major, tc.minor}, [2]int{h.Major, h.Minor})
		})
	}
}

// TestFieldLines follows §1.2's field rows.
func TestFieldLines(t *testing.T) {
	cases := []struct {
		name    string
		lines   string // between the status line and the blank line
		want    []Field
		refused bool
	}{
		{name: "names keep their case", lines: "X-Mixed-Case: v\r\n", want: []Field{{"X-Mixed-Case", "v"}}},
		{name: "token characters", lines: "!#$%&'*+-.^_`|~09az: v\r\n", want: []Field{{"!#$%&'*+-.^_`|~09az", "v"}}},
		{name: "value trimmed, inside kept", lines: "A: \t a  b \t\r\n", want: []Field{{"A", "a  b"}}},
		{name: "empty value", lines: "A:\r\n", want: []Field{{"A", ""}}},
		{name: "obs-text in values passes", lines: "A: caf\xe9 \xff\tx\r\n", want: []Field{{"A", "caf\xe9 \xff\tx"}}},
		{name: "a control byte in a value (net/http refuses it)", lines: "A: a\x01b\r\n", refused: true},
		{name: "DEL in a value", lines: "A: a\x7fb\r\n", refused: true},
		{name: "repeated fields kept in order", lines: "A: 1\r\nB: 2\r\nA: 3\r\n", want: []Field{{"A", "1"}, {"B", "2"}, {"A", "3"}}},
		{name: "bare LF line ends", lines: "A: 1\nB: 2\n", want: []Field{{"A", "1"}, {"B", "2"}}},
		{name: "obs-fold unfolded to one space", lines: "A: first\r\n   second\r\n\tthird\r\nB: 2\r\n", want: []Field{{"A", "first second third"}, {"B", "2"}}},
		{name: "empty folds add nothing", lines: "A:\r\n \r\n b\r\n\t\r\n", want: []Field{{"A", "b"}}},
		{name: "fold on the first line", lines: " A: 1\r\n", refused: true},
		{name: "space before the colon", lines: "X-Bad : v\r\n", refused: true},
		{name: "tab before the colon", lines: "X-Bad\t: v\r\n", refused: true},
		{name: "space inside the name", lines: "X Bad: v\r\n", refused: true},
		{name: "empty name", lines: ": v\r\n", refused: true},
		{name: "no colon", lines: "NoColonHere\r\n", refused: true},
		{name: "NUL in a name", lines: "X-N\x00ul: v\r\n", refused: true},
		{name: "non-ASCII name", lines: "X-Ä: v\r\n", refused: true},
		{name: "NUL in a value", lines: "A: a\x00b\r\n", refused: true},
		{name: "bare CR in a value", lines: "A: a\rb\r\n", refused: true},
		{name: "VT in a value", lines: "A: a\vb\r\n", refused: true},
		{name: "FF in a value", lines: "A: a\fb\r\n", refused: true},
		{name: "NUL in a folded line", lines: "A: a\r\n b\x00\r\n", refused: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _, err := parse("HEAD", "HTTP/1.1 200 OK\r\n"+tc.lines+"\r\n")
			if tc.refused {
				assert.True(t, isProtocolError(err), "want a ProtocolError, got %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, h.Fields)
		})
	}
}

func TestHeadLimitsAndEnds(t *testing.T) {
	big := "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 2000) + "\r\n\r\n"
	for _, bufSize := range []int{16, 64, 4096} {
		br := bufio.NewReaderSize(strings.NewReader(big), bufSize)
		var h Head
		err := ReadHead(br, 1000, &h)
		assert.True(t, isProtocolError(err), "buffer %d: a head over the limit is refused however it arrives: %v", bufSize, err)
	}
	var h Head
	require.NoError(t, ReadHead(bufio.NewReader(strings.NewReader(big)), 4000, &h))

	err := ReadHead(bufio.NewReader(strings.NewReader("\r\nHTTP/1.1 200 OK\r\n\r\n")), 4000, &h)
	assert.True(t, isProtocolError(err), "a blank line first: %v", err)

	// A clean EOF anywhere in a head is ErrDisconnected; any other error is
	// passed on.
	full := "HTTP/1.1 200 OK\r\nA: 1\r\n\r\n"
	for i := range len(full) {
		err := ReadHead(bufio.NewReaderSize(strings.NewReader(full[:i]), 16), 4000, &h)
		assert.ErrorIs(t, err, ErrDisconnected, "EOF after %d bytes", i)
		err = ReadHead(bufio.NewReaderSize(io.MultiReader(strings.NewReader(full[:i]), iotest.ErrReader(syscall.ECONNRESET)), 16), 4000, &h)
		assert.ErrorIs(t, err, syscall.ECONNRESET, "reset after %d bytes", i)
		assert.False(t, isProtocolError(err))
	}
}

// TestFraming follows §1.2's framing table and RFC 9112 §6.3.
func TestFraming(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		head    string // status line and fields
		want    Framing
		refused bool
	}{
		{name: "Content-Length", head: "HTTP/1.1 200 OK\r\nContent-Length: 5", want: Framing{Kind: Length, Length: 5}},
		{name: "leading zeros", head: "HTTP/1.1 200 OK\r\nContent-Length: 002", want: Framing{Kind: Length, Length: 2}},
		{name: "identical list (h11 takes it, net/http does not)", head: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2", refused: true},
		{name: "identical repeats", head: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2", want: Framing{Kind: Length, Length: 2}},
		{name: "differing list", head: "HTTP/1.1 200 OK\r\nContent-Length: 2, 3", refused: true},
		{name: "differing repeats", head: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3", refused: true},
		{name: "same number spelt differently", head: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 02", refused: true},
		{name: "trailing comma", head: "HTTP/1.1 200 OK\r\nContent-Length: 2,", refused: true},
		{name: "empty member", head: "HTTP/1.1 200 OK\r\nContent-Length: 2,,2", refused: true},
		{name: "plus sign", head: "HTTP/1.1 200 OK\r\nContent-Length: +2", refused: true},
		{name: "negative", head: "HTTP/1.1 200 OK\r\nContent-Length: -1", refused: true},
		{name: "hex", head: "HTTP/1.1 200 OK\r\nContent-Length: 0x2", refused: true},
		{name: "empty", head: "HTTP/1.1 200 OK\r\nContent-Length: ", refused: true},
		{name: "overflow", head: "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808", refused: true},
		{name: "19 digits", head: "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000000", refused: true},
		{name: "chunked", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", want: Framing{Kind: Chunked}},
		{name: "Chunked in any case", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked", want: Framing{Kind: Chunked}},
		{name: "gzip, chunked", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked", refused: true},
		{name: "identity", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity", refused: true},
		{name: "chunked twice in a list", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked", refused: true},
		{name: "two TE fields", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked", refused: true},
		{name: "empty TE", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: ", refused: true},
		{name: "TE and CL: chunked, then close", head: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked", want: Framing{Kind: Chunked, Close: true}},
		{name: "TE and a bad CL", head: "HTTP/1.1 200 OK\r\nContent-Length: x\r\nTransfer-Encoding: chunked", refused: true},
		{name: "neither: until close", head: "HTTP/1.1 200 OK", want: Framing{Kind: UntilClose, Close: true}},
		{name: "HTTP/1.0 closes", head: "HTTP/1.0 200 OK\r\nContent-Length: 1", want: Framing{Kind: Length, Length: 1, Close: true}},
		{name: "HTTP/1.0 keep-alive still closes", head: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1", want: Framing{Kind: Length, Length: 1, Close: true}},
		{name: "HTTP/1.0 chunked", head: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked", want: Framing{Kind: Chunked, Close: true}},
		{name: "Connection close in a list", head: "HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\nContent-Length: 0", want: Framing{Kind: Length, Close: true}},
		{name: "HTTP/1.2 keeps alive", head: "HTTP/1.2 200 OK\r\nContent-Length: 0", want: Framing{Kind: Length}},
		{name: "HEAD has no body", method: "HEAD", head: "HTTP/1.1 200 OK\r\nContent-Length: 5", want: Framing{Kind: NoBody}},
		{name: "204 has no body", head: "HTTP/1.1 204 No Content\r\nContent-Length: 5", want: Framing{Kind: NoBody}},
		{name: "304 has no body", head: "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked", want: Framing{Kind: NoBody}},
		{name: "1xx has no body", head: "HTTP/1.1 103 Early Hints\r\nContent-Length: 5", want: Framing{Kind: NoBody}},
		{name: "2xx to CONNECT is a tunnel", method: "CONNECT", head: "HTTP/1.1 200 OK\r\nContent-Length: 5", want: Framing{Kind: NoBody, Close: true}},
		{name: "101 hands the stream over", head: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket", want: Framing{Kind: NoBody, Close: true}},
		{name: "HEAD still checks CL", method: "HEAD", head: "HTTP/1.1 200 OK\r\nContent-Length: 2, 3", refused: true},
		{name: "Trailer naming a framing field", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length", refused: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tc.head + "\r\n\r\n"))
			var h Head
			require.NoError(t, ReadHead(br, 4096, &h))
			method := tc.method
			if method == "" {
				method = "GET"
			}
			f, err := ResponseFraming(method, &h)
			if tc.refused {
				assert.True(t, isProtocolError(err), "want a ProtocolError, got %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, f)
		})
	}
}

func TestChunkedBody(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		want     string
		trailers []Field
		err      string // "protocol", "incomplete" or ""
	}{
		{name: "chunks", body: "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", want: "hello world"},
		{name: "upper-case hex", body: "A\r\n0123456789\r\n0\r\n\r\n", want: "0123456789"},
		{name: "extensions ignored", body: "5;name=value;x\r\nhello\r\n0;last\r\n\r\n", want: "hello"},
		{name: "trailing whitespace on the size", body: "5 \t\r\nhello\r\n0\r\n\r\n", want: "hello"},
		{name: "trailers", body: "5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Two: 2\r\n\r\n", want: "hello", trailers: []Field{{"X-Sum", "abc"}, {"X-Two", "2"}}},
		{name: "16 hex digits", body: "0000000000000005\r\nhello\r\n0\r\n\r\n", want: "hello"},
		{name: "17 hex digits", body: "00000000000000005\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "overflow", body: "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "leading space", body: " 5\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "empty size", body: "\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "not hex", body: "zz\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "0x prefix", body: "0x5\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "bare LF size line runs into the data", body: "5\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "data longer than its size", body: "3\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "lone LF after data (smuggling fix)", body: "5\r\nhello\n0\r\n\r\n", err: "protocol"},
		{name: "no CRLF after data", body: "5\r\nhelloXY0\r\n\r\n", err: "protocol"},
		{name: "CR inside the size line", body: "5\rx\r\nhello\r\n0\r\n\r\n", err: "protocol"},
		{name: "framing field in the trailers", body: "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n", want: "hello", err: "protocol"},
		{name: "bad trailer line", body: "5\r\nhello\r\n0\r\nX Bad: 1\r\n\r\n", want: "hello", err: "protocol"},
		{name: "oversized trailer", body: "5\r\nhello\r\n0\r\nX: " + strings.Repeat("t", 5000) + "\r\n\r\n", want: "hello", err: "protocol"},
		{name: "extension flood", body: strings.Repeat("1;"+strings.Repeat("e", 200)+"\r\nx\r\n", 200) + "0\r\n\r\n", err: "protocol"},
		{name: "many tiny chunks are fine", body: strings.Repeat("1\r\nx\r\n", 20000) + "0\r\n\r\n", want: strings.Repeat("x", 20000)},
		{name: "bare LF ending the body", body: "5\r\nhello\r\n0\r\n\n", want: "hello", err: "protocol"},
		{name: "bare LF ending the trailers", body: "5\r\nhello\r\n0\r\nX: 1\n\n", want: "hello", err: "protocol"},
		{name: "cut in a size line", body: "5\r\nhello\r\n", want: "hello", err: "incomplete"},
		{name: "cut in data", body: "5\r\nhel", want: "hel", err: "incomplete"},
		{name: "cut before the footer", body: "5\r\nhello", want: "hello", err: "incomplete"},
		{name: "cut in the trailers", body: "5\r\nhello\r\n0\r\n", want: "hello", err: "incomplete"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b Body
			br := bufio.NewReaderSize(strings.NewReader(tc.body+"NEXT"), 64)
			b.Reset(br, Framing{Kind: Chunked}, 4096)
			got, err := io.ReadAll(&b)
			switch tc.err {
			case "protocol":
				assert.True(t, isProtocolError(err), "want a ProtocolError, got %v", err)
				return
			case "incomplete":
				// The test's "NEXT" is no EOF: cut the input for real.
				b.Reset(bufio.NewReaderSize(strings.NewReader(tc.body), 64), Framing{Kind: Chunked}, 4096)
				got, err = io.ReadAll(&b)
				assert.ErrorIs(t, err, ErrIncompleteBody)
				assert.Equal(t, tc.want, string(got), "the data before the cut")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
			assert.True(t, b.Done())
			assert.Equal(t, tc.trailers, b.Trailers())
			rest, _ := io.ReadAll(br)
			assert.Equal(t, "NEXT", string(rest), "not a byte past the body was read")
		})
	}
}

func TestLengthAndUntilCloseBodies(t *testing.T) {
	var b Body
	br := bufio.NewReaderSize(strings.NewReader("helloNEXT"), 16)
	b.Reset(br, Framing{Kind: Length, Length: 5}, 0)
	p := make([]byte, 100)
	n, err := b.Read(p)
	assert.Equal(t, "hello", string(p[:n]))
	assert.Equal(t, io.EOF, err, "the last bytes come with io.EOF")
	assert.True(t, b.Done())
	rest, _ := io.ReadAll(br)
	assert.Equal(t, "NEXT", string(rest))

	b.Reset(bufio.NewReader(strings.NewReader("hel")), Framing{Kind: Length, Length: 5}, 0)
	_, err = io.ReadAll(&b)
	assert.ErrorIs(t, err, ErrIncompleteBody)
	assert.False(t, b.Done())

	b.Reset(bufio.NewReader(io.MultiReader(strings.NewReader("hel"), iotest.ErrReader(syscall.ECONNRESET))), Framing{Kind: Length, Length: 5}, 0)
	_, err = io.ReadAll(&b)
	assert.ErrorIs(t, err, syscall.ECONNRESET)

	b.Reset(bufio.NewReader(strings.NewReader("all of it")), Framing{Kind: UntilClose}, 0)
	got, err := io.ReadAll(&b)
	require.NoError(t, err)
	assert.Equal(t, "all of it", string(got))
	assert.True(t, b.Done())

	b.Reset(br, Framing{Kind: NoBody}, 0)
	n, err = b.Read(p)
	assert.Zero(t, n)
	assert.Equal(t, io.EOF, err)

	b.Reset(bufio.NewReader(strings.NewReader("x")), Framing{Kind: Length, Length: 1}, 0)
	n, err = b.Read(nil)
	assert.Zero(t, n)
	assert.NoError(t, err, "a zero-length read reads nothing")
}

// TestDesyncBytesStayBuffered: after a complete response, what follows is
// left in the reader, for the connection to see and refuse to reuse.
func TestDesyncBytesStayBuffered(t *testing.T) {
	cases := []struct{ name, method, raw string }{
		{"after a Content-Length body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
		{"after a chunked body", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"},
		{"after a 204", "GET", "HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\n"},
		{"after a 304", "GET", "HTTP/1.1 304 Not Modified\r\n\r\n"},
		{"after a HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"},
		{"after a 1xx head", "GET", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tc.raw + "evil"))
			var h Head
			require.NoError(t, ReadHead(br, 4096, &h))
			f, err := ResponseFraming(tc.method, &h)
			require.NoError(t, err)
			var b Body
			b.Reset(br, f, 4096)
			_, err = io.ReadAll(&b)
			require.NoError(t, err)
			assert.True(t, b.Done())
			assert.Equal(t, 4, br.Buffered(), "the extra bytes are still buffered")
		})
	}
}

func BenchmarkReadHead(b *testing.B) {
	raw := "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nDate: Wed, 02 Dec 2026 18:00:00 GMT\r\nServer: bench\r\nX-Request-Id: 0123456789abcdef\r\nCache-Control: no-cache\r\n\r\n"
	r := strings.NewReader(raw)
	br := bufio.NewReader(r)
	var h Head
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(raw)
		br.Reset(r)
		if err := ReadHead(br, 1<<20, &h); err != nil {
			b.Fatal(err)
		}
		if _, err := ResponseFraming("GET", &h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChunkedBody(b *testing.B) {
	raw := strings.Repeat("1000\r\n"+strings.Repeat("x", 0x1000)+"\r\n", 16) + "0\r\n\r\n"
	r := strings.NewReader(raw)
	br := bufio.NewReader(r)
	buf := make([]byte, 32<<10)
	var body Body
	b.SetBytes(16 << 12)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(raw)
		br.Reset(r)
		body.Reset(br, Framing{Kind: Chunked}, 8192)
		for {
			_, err := body.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
