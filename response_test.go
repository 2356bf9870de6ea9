package httpx_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// respond sends one request through a client whose mock returns resp.
func respond(t *testing.T, resp *httpx.Response, opts ...httpx.ClientOption) *httpx.Response {
	t.Helper()
	c := httpx.NewClient(append(opts, httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) { return resp, nil })))...)
	t.Cleanup(func() { c.Close() })
	r, err := c.Stream(ctx, "GET", "https://example.org/")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

func TestNewResponseBodiesAndHeaders(t *testing.T) {
	tests := []struct {
		name   string
		opts   []httpx.RequestOption
		want   map[string]string
		absent []string
		body   string
	}{
		{"empty", nil, nil, []string{"Content-Length", "Content-Type"}, ""},
		{"empty content", []httpx.RequestOption{httpx.WithContent(nil)}, nil, []string{"Content-Length"}, ""},
		{"content", []httpx.RequestOption{httpx.WithContent([]byte("abc"))}, map[string]string{"Content-Length": "3"}, []string{"Content-Type"}, "abc"},
		{"text", []httpx.RequestOption{httpx.WithText("hé")}, map[string]string{"Content-Length": "3", "Content-Type": "text/plain; charset=utf-8"}, nil, "hé"},
		{"html", []httpx.RequestOption{httpx.WithHTML("<p>")}, map[string]string{"Content-Type": "text/html; charset=utf-8"}, nil, "<p>"},
		{"json", []httpx.RequestOption{httpx.WithJSON(map[string]any{"a": "<b>", "n": 1})}, map[string]string{"Content-Type": "application/json", "Content-Length": "17"}, nil, `{"a":"<b>","n":1}`},
		{"stream", []httpx.RequestOption{httpx.WithBody(io.MultiReader(strings.NewReader("a"), strings.NewReader("b")))}, map[string]string{"Transfer-Encoding": "chunked"}, []string{"Content-Length"}, "ab"},
		{"explicit type wins", []httpx.RequestOption{httpx.WithHeader("Content-Type", "text/csv"), httpx.WithText("a,b")}, map[string]string{"Content-Type": "text/csv"}, nil, "a,b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httpx.NewResponse(200, tt.opts...)
			for k, v := range tt.want {
				assert.Equal(t, v, r.Headers.Get(k), k)
			}
			for _, k := range tt.absent {
				assert.False(t, r.Headers.Has(k), k)
			}
			b, err := r.Content()
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(b))
		})
	}
}

func TestContentEncodingIsUndoneByTheResponse(t *testing.T) {
	payload := strings.Repeat("hello gzip ", 100)
	wire := gzipped(t, payload)
	r := respond(t, httpx.NewResponse(200, httpx.WithContent(wire), httpx.WithHeader("Content-Encoding", "gzip")))
	got, err := r.Content()
	require.NoError(t, err)
	assert.Equal(t, payload, string(got))
	assert.EqualValues(t, len(wire), r.NumBytesDownloaded(), "wire bytes, before decoding")

	raw := respond(t, httpx.NewResponse(200, httpx.WithContent(wire), httpx.WithHeader("Content-Encoding", "gzip")))
	var rawBytes []byte
	for chunk, err := range raw.IterRaw(7) {
		require.NoError(t, err)
		assert.LessOrEqual(t, len(chunk), 7)
		rawBytes = append(rawBytes, chunk...)
	}
	assert.Equal(t, wire, rawBytes)
}

func TestCorruptEncodingIsDecodingError(t *testing.T) {
	r := respond(t, httpx.NewResponse(200, httpx.WithContent([]byte("not gzip at all")), httpx.WithHeader("Content-Encoding", "gzip")))
	_, err := r.Content()
	require.ErrorIs(t, err, httpx.ErrDecoding)
	assert.ErrorIs(t, err, httpx.ErrRequest)
	var re *httpx.RequestError
	require.ErrorAs(t, err, &re)
	assert.NotNil(t, re.Request)
}

func TestIterBytesChunking(t *testing.T) {
	tests := []struct {
		chunkSize int
		want      []string
	}{
		{0, []string{"0123456789"}},
		{3, []string{"012", "345", "678", "9"}},
		{5, []string{"01234", "56789"}},
		{20, []string{"0123456789"}},
	}
	for _, tt := range tests {
		for _, streamed := range []bool{true, false} {
			var r *httpx.Response
			if streamed {
				r = respond(t, httpx.NewResponse(200, httpx.WithBody(io.MultiReader(strings.NewReader("01234"), strings.NewReader(""), strings.NewReader("56789")))))
			} else {
				r = httpx.NewResponse(200, httpx.WithContent([]byte("0123456789")))
				_, err := r.Content()
				require.NoError(t, err)
			}
			var got []string
			for chunk, err := range r.IterBytes(tt.chunkSize) {
				require.NoError(t, err)
				got = append(got, string(chunk))
			}
			if streamed && tt.chunkSize == 0 {
				assert.Equal(t, []string{"01234", "56789"}, got, "as they come, empty chunks skipped")
				continue
			}
			assert.Equal(t, tt.want, got, "chunk %d streamed %v", tt.chunkSize, streamed)
		}
	}
}

func TestIterTextCountsCharacters(t *testing.T) {
	r := respond(t, httpx.NewResponse(200, httpx.WithBody(io.MultiReader(strings.NewReader("h\xc3"), strings.NewReader("\xa9llo wörld"))), httpx.WithHeader("Content-Type", "text/plain; charset=utf-8")))
	var got []string
	for s, err := range r.IterText(3) {
		require.NoError(t, err)
		got = append(got, s)
	}
	assert.Equal(t, []string{"hél", "lo ", "wör", "ld"}, got)
}

// gatedReader hands out its first part at once and each later part only
// after a token arrives on gate, so a test can tell whether an iterator
// yields what it has or waits for more. It gives up at ctx's deadline, so a
// broken iterator fails the test quickly instead of hanging it.
type gatedReader struct {
	ctx    context.Context
	parts  []string
	gate   chan struct{}
	served bool
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if len(g.parts) == 0 {
		return 0, io.EOF
	}
	if g.served {
		select {
		case <-g.gate:
		case <-g.ctx.Done():
			return 0, fmt.Errorf("the iterator waited for more of the body: %w", g.ctx.Err())
		}
	}
	g.served = true
	n := copy(p, g.parts[0])
	g.parts = g.parts[1:]
	return n, nil
}

func TestIteratorsYieldWithoutWaitingAndKeepTheLastChunk(t *testing.T) {
	bytesOf := func(r *httpx.Response, n int) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for b, err := range r.IterBytes(n) {
				if !yield(string(b), err) {
					return
				}
			}
		}
	}
	textOf := func(r *httpx.Response, n int) iter.Seq2[string, error] { return r.IterText(n) }
	tests := []struct {
		name      string
		iterate   func(*httpx.Response, int) iter.Seq2[string, error]
		chunkSize int
		parts     []string
		early     int // chunks due before the reader may deliver its second part
		want      []string
	}{
		{"IterBytes hands out a full chunk", bytesOf, 4, []string{"abcd", "ef"}, 1, []string{"abcd", "ef"}},
		{"IterBytes hands out every full chunk it has", bytesOf, 2, []string{"abcd", "e"}, 2, []string{"ab", "cd", "e"}},
		{"IterText hands out a full chunk", textOf, 3, []string{"abc", "de"}, 1, []string{"abc", "de"}},
		{"IterText keeps a final 1-character chunk", textOf, 3, []string{"abc", "d"}, 1, []string{"abc", "d"}},
		{"IterText keeps a final multi-byte character", textOf, 2, []string{"hé", "\u2028"}, 1, []string{"hé", "\u2028"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			body := &gatedReader{ctx: ctx, parts: tt.parts, gate: make(chan struct{}, len(tt.parts))}
			r := respond(t, httpx.NewResponse(200, httpx.WithBody(body), httpx.WithHeader("Content-Type", "text/plain; charset=utf-8")))
			next, stop := iter.Pull2(tt.iterate(r, tt.chunkSize))
			defer stop()

			// Every chunk the first part completes must come out before the
			// reader is allowed to deliver more.
			var got []string
			for range tt.early {
				chunk, err, ok := next()
				require.True(t, ok, "the iterator ended early")
				require.NoError(t, err)
				got = append(got, chunk)
			}
			for range len(tt.parts) - 1 {
				body.gate <- struct{}{}
			}
			for chunk, err, ok := next(); ok; chunk, err, ok = next() {
				require.NoError(t, err)
				got = append(got, chunk)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestIterLinesSplitsLikePython(t *testing.T) {
	body := io.MultiReader(strings.NewReader("one\r"), strings.NewReader("\ntwo\n\nthree\rfour\u2028five\n"))
	r := respond(t, httpx.NewResponse(200, httpx.WithBody(body)))
	var got []string
	for line, err := range r.IterLines() {
		require.NoError(t, err)
		got = append(got, line)
	}
	assert.Equal(t, []string{"one", "two", "", "three", "four", "five"}, got)
}

func TestTextEncodingChoice(t *testing.T) {
	latin1 := []byte{'c', 'a', 'f', 0xe9}
	tests := []struct {
		name        string
		contentType string
		client      []httpx.ClientOption
		want        string
		encoding    string
	}{
		// Encoding reports the charset as the server wrote it, lower-cased
		// and unquoted (HTTPX's charset_encoding), not the codec's
		// canonical Python name.
		{"charset from header", "text/plain; charset=ISO-8859-1", nil, "café", "iso-8859-1"},
		{"quoted charset", `text/plain; charset="latin-1"`, nil, "café", "latin-1"},
		{"alias kept as written", "text/plain; charset=latin1", nil, "café", "latin1"},
		{"us-ascii", "text/plain; charset=us-ascii", nil, "caf\ufffd", "us-ascii"},
		{"utf8 without dash", "text/plain; charset=UTF8", nil, "caf\ufffd", "utf8"},
		{"windows-1251", "text/plain; charset=Windows-1251", nil, "cafй", "windows-1251"},
		{"unknown charset falls back", "text/plain; charset=bogus", nil, "caf\ufffd", "utf-8"},
		{"no charset: utf-8 with replacement", "text/plain", nil, "caf\ufffd", "utf-8"},
		{"client default encoding, as given", "text/plain", []httpx.ClientOption{httpx.WithDefaultEncoding("ISO-8859-1")}, "café", "ISO-8859-1"},
		{"unknown client default falls back", "text/plain", []httpx.ClientOption{httpx.WithDefaultEncoding("bogus")}, "caf\ufffd", "utf-8"},
		{"charset beats client default", "text/plain; charset=windows-1251", []httpx.ClientOption{httpx.WithDefaultEncoding("latin-1")}, "cafй", "windows-1251"},
		{"unknown charset yields to client default", "text/plain; charset=bogus", []httpx.ClientOption{httpx.WithDefaultEncoding("latin-1")}, "café", "latin-1"},
		{"detector function, as returned", "", []httpx.ClientOption{httpx.WithDefaultEncodingFunc(func([]byte) string { return "CP1252" })}, "café", "CP1252"},
		{"charset beats detector function", "text/plain; charset=windows-1251", []httpx.ClientOption{httpx.WithDefaultEncodingFunc(func([]byte) string { return "latin-1" })}, "cafй", "windows-1251"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []httpx.RequestOption{httpx.WithContent(latin1)}
			if tt.contentType != "" {
				opts = append(opts, httpx.WithHeader("Content-Type", tt.contentType))
			}
			r := respond(t, httpx.NewResponse(200, opts...), tt.client...)
			text, err := r.Text()
			require.NoError(t, err)
			assert.Equal(t, tt.want, text)
			assert.Equal(t, tt.encoding, r.Encoding())
		})
	}
}

func TestSetEncoding(t *testing.T) {
	r := httpx.NewResponse(200, httpx.WithContent([]byte{0xe9}), httpx.WithHeader("Content-Type", "text/plain; charset=utf-8"))
	require.NoError(t, r.SetEncoding("Latin-1"))
	assert.Equal(t, "Latin-1", r.Encoding(), "as given, as HTTPX's encoding setter keeps it")
	text, err := r.Text()
	require.NoError(t, err)
	assert.Equal(t, "é", text)
	assert.ErrorIs(t, r.SetEncoding("utf-8"), httpx.ErrUsage, "too late once the text was decoded")
	assert.ErrorIs(t, httpx.NewResponse(200).SetEncoding("no-such-codec"), httpx.ErrUsage)
}

func TestJSONDetectsUTFEncodings(t *testing.T) {
	utf16 := []byte{0xff, 0xfe, '{', 0, '"', 0, 'a', 0, '"', 0, ':', 0, '1', 0, '}', 0}
	var v map[string]int
	require.NoError(t, httpx.NewResponse(200, httpx.WithContent(utf16), httpx.WithHeader("Content-Type", "application/json; charset=latin-1")).JSON(&v))
	assert.Equal(t, map[string]int{"a": 1}, v)

	err := httpx.NewResponse(200, httpx.WithContent([]byte("{oops"))).JSON(&v)
	assert.ErrorIs(t, err, httpx.ErrDecoding)
}

func TestJSONRejectsMalformedText(t *testing.T) {
	utf16le := func(s string) []byte {
		var b []byte
		for _, c := range s {
			b = append(b, byte(c), 0)
		}
		return b
	}
	utf32be := func(s string) []byte {
		var b []byte
		for _, c := range s {
			b = append(b, 0, 0, 0, byte(c))
		}
		return b
	}
	tests := []struct {
		name string
		body []byte
		ok   bool
	}{
		{"utf-8", []byte(`{"a":"é"}`), true},
		{"utf-8 with BOM", []byte("\xef\xbb\xbf{\"a\":\"é\"}"), true},
		{"utf-16-le", utf16le(`{"a":"b"}`), true},
		{"utf-32-be", utf32be(`{"a":"b"}`), true},
		// Python's json.loads decodes strictly, so HTTPX fails on these;
		// encoding/json alone would read U+FFFD.
		{"invalid utf-8 in a string", []byte("{\"a\":\"\xff\"}"), false},
		{"invalid utf-8 after a BOM", []byte("\xef\xbb\xbf{\"a\":\"\xc3\"}"), false},
		{"latin-1 bytes", []byte("{\"a\":\"caf\xe9\"}"), false},
		{"truncated utf-16", append(utf16le(`{"a":"b"}`), 0), false},
		{"utf-32 code point out of range", append(utf32be(`{"a":"`), 0, 0x11, 0, 0, 0, 0, 0, '"', 0, 0, 0, '}'), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v map[string]string
			err := httpx.NewResponse(200, httpx.WithContent(tt.body)).JSON(&v)
			if tt.ok {
				require.NoError(t, err)
				assert.NotContains(t, v["a"], "\ufffd")
				return
			}
			require.ErrorIs(t, err, httpx.ErrDecoding)
			assert.Nil(t, v, "nothing decoded")
		})
	}
}

func TestStreamStateErrors(t *testing.T) {
	// Streamed then read again.
	r := respond(t, httpx.NewResponse(200, httpx.WithBody(strings.NewReader("abc"))))
	buf := make([]byte, 1)
	_, err := r.Read(buf)
	require.NoError(t, err)
	_, err = r.Content()
	assert.ErrorIs(t, err, httpx.ErrStreamConsumed)

	// Closed before reading.
	r = respond(t, httpx.NewResponse(200, httpx.WithBody(strings.NewReader("abc"))))
	require.NoError(t, r.Close())
	_, err = r.Content()
	assert.ErrorIs(t, err, httpx.ErrStreamClosed)
	_, err = r.Read(buf)
	assert.ErrorIs(t, err, httpx.ErrStreamClosed)

	// Raw after read.
	r = respond(t, httpx.NewResponse(200, httpx.WithContent([]byte("abc"))))
	_, err = r.Content()
	require.NoError(t, err)
	var rawErrs []error
	for chunk, err := range r.IterRaw(0) {
		assert.Empty(t, chunk)
		rawErrs = append(rawErrs, err)
	}
	require.Len(t, rawErrs, 1, "IterRaw after a read yields exactly its error")
	assert.ErrorIs(t, rawErrs[0], httpx.ErrStreamConsumed)

	// Reading after a full read serves the cached content.
	b1, err := r.Content()
	require.NoError(t, err)
	b2, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, b1, b2)
}

func TestResponseReaderReleasesAtEOF(t *testing.T) {
	r := respond(t, httpx.NewResponse(200, httpx.WithBody(strings.NewReader("streamed body"))))
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "streamed body", string(b))
	assert.True(t, r.IsClosed())
	n, err := r.Read(make([]byte, 4))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
}

func TestStatusHelpersAndReason(t *testing.T) {
	tests := []struct {
		status                                               int
		info, success, redirect, client, server, isErr, rasd bool
		reason                                               string
	}{
		{101, true, false, false, false, false, false, true, "Switching Protocols"},
		{200, false, true, false, false, false, false, false, "OK"},
		{302, false, false, true, false, false, false, true, "Found"},
		{413, false, false, false, true, false, true, true, "Request Entity Too Large"},
		{503, false, false, false, false, true, true, true, "Service Unavailable"},
		{600, false, false, false, false, false, false, true, ""},
	}
	for _, tt := range tests {
		r := httpx.NewResponse(tt.status)
		r.Request, _ = httpx.NewRequest("GET", "https://example.org/")
		assert.Equal(t, tt.info, r.IsInformational(), tt.status)
		assert.Equal(t, tt.success, r.IsSuccess(), tt.status)
		assert.Equal(t, tt.redirect, r.IsRedirect(), tt.status)
		assert.Equal(t, tt.client, r.IsClientError(), tt.status)
		assert.Equal(t, tt.server, r.IsServerError(), tt.status)
		assert.Equal(t, tt.isErr, r.IsError(), tt.status)
		assert.Equal(t, tt.rasd, r.RaiseForStatus() != nil, tt.status)
		assert.Equal(t, tt.reason, r.ReasonPhrase(), tt.status)
	}
}

func TestStatusPredicatesAtEveryBoundary(t *testing.T) {
	tests := []struct {
		status int
		class  string // "" for none of the five
	}{
		{99, ""}, {100, "1xx"}, {199, "1xx"},
		{200, "2xx"}, {299, "2xx"},
		{300, "3xx"}, {399, "3xx"},
		{400, "4xx"}, {499, "4xx"},
		{500, "5xx"}, {599, "5xx"},
		{600, ""},
	}
	for _, tt := range tests {
		r := httpx.NewResponse(tt.status)
		assert.Equal(t, tt.class == "1xx", r.IsInformational(), "IsInformational(%d)", tt.status)
		assert.Equal(t, tt.class == "2xx", r.IsSuccess(), "IsSuccess(%d)", tt.status)
		assert.Equal(t, tt.class == "3xx", r.IsRedirect(), "IsRedirect(%d)", tt.status)
		assert.Equal(t, tt.class == "4xx", r.IsClientError(), "IsClientError(%d)", tt.status)
		assert.Equal(t, tt.class == "5xx", r.IsServerError(), "IsServerError(%d)", tt.status)
		assert.Equal(t, tt.class == "4xx" || tt.class == "5xx", r.IsError(), "IsError(%d)", tt.status)
	}
}

func TestRaiseForStatusMessages(t *testing.T) {
	req, err := httpx.NewRequest("GET", "https://example.org/a")
	require.NoError(t, err)
	tests := []struct {
		status int
		opts   []httpx.RequestOption
		want   string
	}{
		{301, []httpx.RequestOption{httpx.WithHeader("Location", "https://example.org/b")}, "Redirect response '301 Moved Permanently' for url 'https://example.org/a'\nRedirect location: 'https://example.org/b'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/301"},
		{500, nil, "Server error '500 Internal Server Error' for url 'https://example.org/a'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/500"},
		{100, nil, "Informational response '100 Continue' for url 'https://example.org/a'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/100"},
		{999, nil, "Invalid status code '999 ' for url 'https://example.org/a'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/999"},
	}
	for _, tt := range tests {
		r := httpx.NewResponse(tt.status, tt.opts...)
		r.Request = req
		err := r.RaiseForStatus()
		require.Error(t, err)
		assert.Equal(t, tt.want, err.Error())
		assert.ErrorIs(t, err, httpx.ErrHTTPStatus)
		assert.ErrorIs(t, err, httpx.ErrHTTP)
	}
	assert.ErrorIs(t, httpx.NewResponse(500).RaiseForStatus(), httpx.ErrUsage, "no request attached")
}

func TestLinks(t *testing.T) {
	r := httpx.NewResponse(200, httpx.WithHeader("Link", `<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=5>; rel="last"; title="end", <https://no-rel.example.com/>`))
	assert.Equal(t, map[string]map[string]string{
		"next":                        {"url": "https://api.example.com/items?page=2", "rel": "next"},
		"last":                        {"url": "https://api.example.com/items?page=5", "rel": "last", "title": "end"},
		"https://no-rel.example.com/": {"url": "https://no-rel.example.com/"},
	}, r.Links())
	assert.Empty(t, httpx.NewResponse(200).Links())
}

func TestElapsedAndVersion(t *testing.T) {
	c := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		time.Sleep(20 * time.Millisecond)
		return httpx.NewResponse(200, httpx.WithExtensions(map[string]any{"http_version": "HTTP/2", "reason_phrase": "Fine"})), nil
	})))
	defer c.Close()
	r, err := c.Get(ctx, "https://example.org/")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, r.Elapsed(), 20*time.Millisecond)
	assert.Equal(t, "HTTP/2", r.HTTPVersion())
	assert.Equal(t, "Fine", r.ReasonPhrase())
	assert.Equal(t, "<Response [200 Fine]>", r.String())
}

func TestResponseCookies(t *testing.T) {
	r := respond(t, httpx.NewResponse(200, httpx.WithHeader("Set-Cookie", "a=1; Path=/"), httpx.WithHeader("Set-Cookie", "b=2; Path=/")))
	a, err := r.Cookies().Get("a")
	require.NoError(t, err)
	assert.Equal(t, "1", a)
	assert.Equal(t, 2, r.Cookies().Len())
}

func TestMaxResponseSize(t *testing.T) {
	bomb := gzipped(t, strings.Repeat("\x00", 10<<20))
	transport := httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithContent(bomb), httpx.WithHeader("Content-Encoding", "gzip")), nil
	}))
	c := httpx.NewClient(transport, httpx.WithMaxResponseSize(1<<20))
	defer c.Close()
	_, err := c.Get(ctx, "https://example.org/bomb")
	require.ErrorIs(t, err, httpx.ErrResponseTooLarge)
	assert.ErrorIs(t, err, httpx.ErrDecoding)
	assert.Less(t, len(bomb), 1<<20, "a small wire body")

	r, err := c.Get(ctx, "https://example.org/bomb", httpx.WithMaxResponseSize(0))
	require.NoError(t, err, "the request level lifts the limit")
	assert.Len(t, mustContent(t, r), 10<<20)

	plain := httpx.NewClient(httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithContent(make([]byte, 2048))), nil
	})))
	defer plain.Close()
	_, err = plain.Get(ctx, "https://example.org/", httpx.WithMaxResponseSize(1024))
	require.ErrorIs(t, err, httpx.ErrResponseTooLarge, "uncompressed bodies are capped too")
	_, err = plain.Get(ctx, "https://example.org/", httpx.WithMaxResponseSize(4096))
	require.NoError(t, err)
}

func TestResponseWriteTo(t *testing.T) {
	payload := strings.Repeat("0123456789", 20000)
	r := respond(t, httpx.NewResponse(200, httpx.WithBody(io.MultiReader(strings.NewReader(payload[:77]), strings.NewReader(payload[77:])))))
	var sb strings.Builder
	n, err := io.Copy(&sb, r) // uses WriteTo
	require.NoError(t, err)
	assert.EqualValues(t, len(payload), n)
	assert.Equal(t, payload, sb.String())
	assert.True(t, r.IsClosed())

	r = respond(t, httpx.NewResponse(200, httpx.WithContent([]byte("abc"))))
	_, err = r.Content()
	require.NoError(t, err)
	sb.Reset()
	_, err = r.WriteTo(&sb)
	require.NoError(t, err)
	assert.Equal(t, "abc", sb.String(), "a read body is written from memory")

	r = respond(t, httpx.NewResponse(200, httpx.WithContent([]byte("abc"))))
	require.NoError(t, r.Close())
	_, err = r.WriteTo(&sb)
	assert.ErrorIs(t, err, httpx.ErrStreamClosed)
}
