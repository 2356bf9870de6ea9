package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// seeds are responses good and bad, for every fuzz target.
var seeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.0 200 OK\r\n\r\nuntil close",
	"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
	"HTTP/1.1 200 OK\nA: b\n c\n\nbody",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"HTTP/1.1 099 X\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX Y: 1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
}

// fuzzParse runs the whole response parser over data, checking the
// invariants every input must keep.
func fuzzParse(t *testing.T, method string, data []byte) (h *Head, body []byte, err error) {
	br := bufio.NewReaderSize(bytes.NewReader(data), 16)
	h = &Head{}
	if err = ReadHead(br, 4096, h); err != nil {
		return h, nil, err
	}
	if h.Status < 100 || h.Status > 999 {
		t.Fatalf("status %d accepted", h.Status)
	}
	for _, f := range h.Fields {
		if !IsToken(f.Name) || strings.ContainsAny(f.Value, "\x00\r\n") {
			t.Fatalf("field %q accepted", f)
		}
	}
	f, err := ResponseFraming(method, h)
	if err != nil {
		return h, nil, err
	}
	var b Body
	b.Reset(br, f, 1024)
	body, err = io.ReadAll(&b)
	if err == nil && !b.Done() {
		t.Fatal("io.EOF before the end of the body")
	}
	if err == nil && f.Kind == Length && int64(len(body)) != f.Length {
		t.Fatalf("body of %d bytes for Content-Length %d", len(body), f.Length)
	}
	if err == nil && f.Kind == NoBody && len(body) != 0 {
		t.Fatal("a body where none may be")
	}
	return h, body, err
}

func FuzzReadResponse(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		method := "GET"
		if head {
			method = "HEAD"
		}
		fuzzParse(t, method, data)
	})
}

// FuzzChunked decodes arbitrary chunked bodies, and bodies the ChunkWriter
// wrote from arbitrary parts, which must come back whole.
func FuzzChunked(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), []byte("hello world"), uint8(3))
	f.Add([]byte("1;a=b\r\nx\r\n0\r\nT: v\r\n\r\n"), []byte(""), uint8(1))
	f.Add([]byte("fffffffffffffffffff\r\n"), []byte("x"), uint8(0))
	f.Fuzz(func(t *testing.T, data, payload []byte, cut uint8) {
		br := bufio.NewReaderSize(bytes.NewReader(append(slices.Clip(data), "NEXT"...)), 16)
		var b Body
		b.Reset(br, Framing{Kind: Chunked}, 256)
		if _, err := io.ReadAll(&b); err == nil {
			// A body that ended leaves what follows unread.
			rest, _ := io.ReadAll(br)
			if !bytes.HasSuffix(rest, []byte("NEXT")) {
				t.Fatalf("read past the end of the body: %q left", rest)
			}
		}

		var wire bytes.Buffer
		bw := bufio.NewWriter(&wire)
		var cw ChunkWriter
		cw.Reset(bw)
		step := int(cut) + 1
		for p := payload; len(p) > 0; {
			n := min(step, len(p))
			cw.Write(p[:n])
			p = p[n:]
		}
		cw.Close()
		bw.Flush()
		b.Reset(bufio.NewReaderSize(&wire, 16), Framing{Kind: Chunked}, 256)
		got, err := io.ReadAll(&b)
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("round trip of %q: got %q, %v", payload, got, err)
		}
	})
}

// FuzzDifferentialNetHTTP parses the same bytes with net/http's
// ReadResponse: wherever net/http refuses a response, we refuse it too;
// wherever both accept it, status, fields and body agree.
func FuzzDifferentialNetHTTP(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ourHead, ourBody, ourErr := fuzzParse(t, "GET", data)
		resp, theirErr := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), &http.Request{Method: "GET"})
		var theirBody []byte
		if theirErr == nil {
			theirBody, theirErr = io.ReadAll(resp.Body)
			if theirErr == nil && resp.StatusCode < 200 && resp.Header.Get("Content-Length") != "" {
				// net/http reads a body it announces on an interim response;
				// RFC 9110 §15.2 gives a 1xx none.
				return
			}
		}
		switch {
		case theirErr != nil && ourErr == nil:
			if acceptedOverNetHTTP(data, theirErr) {
				return
			}
			t.Fatalf("net/http refuses (%v) what we accept:\n%q", theirErr, data)
		case theirErr != nil || ourErr != nil:
			return // we refuse more than net/http: h11's strictness
		}
		if resp.StatusCode != ourHead.Status {
			t.Fatalf("status %d, net/http %d:\n%q", ourHead.Status, resp.StatusCode, data)
		}
		ours := http.Header{}
		for _, f := range ourHead.Fields {
			ours.Add(textproto.CanonicalMIMEHeaderKey(f.Name), f.Value)
		}
		theirs := resp.Header.Clone()
		// net/http moves these out of the header map as it frames the body.
		for _, h := range []http.Header{ours, theirs} {
			h.Del("Transfer-Encoding")
			h.Del("Content-Length")
			h.Del("Trailer")
		}
		for name, values := range theirs {
			// net/http keeps the space of a fold line holding only
			// whitespace after a non-empty value ("a" + fold " " = "a "),
			// where RFC 9112 §5.5 excludes trailing whitespace from the
			// value: compare without it.
			for i, v := range values {
				values[i] = strings.TrimRight(v, " \t")
			}
			if !slices.Equal(values, ours[name]) {
				t.Fatalf("field %s: %q, net/http %q:\n%q", name, ours[name], values, data)
			}
		}
		if len(ours) != len(theirs) {
			t.Fatalf("fields %v, net/http %v:\n%q", ours, theirs, data)
		}
		if !bytes.Equal(ourBody, theirBody) {
			t.Fatalf("body %q, net/http %q:\n%q", ourBody, theirBody, data)
		}
	})
}

// acceptedOverNetHTTP lists the deliberate cases where we accept what
// net/http refuses, each for a reason of its own.
func acceptedOverNetHTTP(data []byte, theirErr error) bool {
	msg := theirErr.Error()
	switch {
	case strings.Contains(msg, "too many transfer encodings") || strings.Contains(msg, "unsupported transfer encoding"):
		return false
	}
	return false
}
