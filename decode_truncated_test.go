package httpx_test

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gohttpx/httpx"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compressed encodes s with one Content-Encoding ("deflate" is zlib-wrapped,
// "raw deflate" is sent as deflate without the wrapper).
func compressed(t *testing.T, encoding, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch encoding {
	case "gzip":
		return gzipped(t, s)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw deflate":
		fw, err := flate.NewWriter(&buf, flate.DefaultCompression)
		require.NoError(t, err)
		w = fw
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		require.NoError(t, err)
		w = zw
	default:
		t.Fatalf("unknown encoding %q", encoding)
	}
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

type truncatedCase struct {
	name     string
	encoding string // Content-Encoding header
	wire     []byte
	whole    bool // the whole text is expected, else a non-empty prefix of it
	wantErr  error
}

// truncatedCases are compressed bodies whose framing is complete but whose
// stream is not: gzip and deflate give what they decoded, as HTTPX's zlib
// decoders do; corrupt data, and brotli or zstd cut short, are decoding
// errors (HTTPX's zstd decoder raises "incomplete").
func truncatedCases(t *testing.T, text string) []truncatedCase {
	gz := compressed(t, "gzip", text)
	zl := compressed(t, "deflate", text)
	raw := compressed(t, "raw deflate", text)
	br := compressed(t, "br", text)
	zs := compressed(t, "zstd", text)
	badCRC := bytes.Clone(gz)
	badCRC[len(badCRC)-8] ^= 1
	return []truncatedCase{
		{name: "gzip without trailer", encoding: "gzip", wire: gz[:len(gz)-8], whole: true},
		{name: "gzip with half a trailer", encoding: "gzip", wire: gz[:len(gz)-4], whole: true},
		{name: "gzip cut in the data", encoding: "gzip", wire: gz[:len(gz)/2]},
		{name: "deflate without checksum", encoding: "deflate", wire: zl[:len(zl)-4], whole: true},
		{name: "deflate cut in the data", encoding: "deflate", wire: zl[:len(zl)/2]},
		{name: "raw deflate cut in the data", encoding: "deflate", wire: raw[:len(raw)/2]},
		{name: "gzip with a bad CRC", encoding: "gzip", wire: badCRC, wantErr: httpx.ErrDecoding},
		{name: "gzip that is not gzip", encoding: "gzip", wire: []byte("nope"), wantErr: httpx.ErrDecoding},
		{name: "br cut short", encoding: "br", wire: br[:len(br)/2], wantErr: httpx.ErrDecoding},
		{name: "zstd cut short", encoding: "zstd", wire: zs[:len(zs)/2], wantErr: httpx.ErrDecoding},
	}
}

func checkTruncated(t *testing.T, tc truncatedCase, text string, got []byte, err error) {
	t.Helper()
	if tc.wantErr != nil {
		require.ErrorIs(t, err, tc.wantErr)
		return
	}
	require.NoError(t, err)
	if tc.whole {
		assert.Equal(t, text, string(got))
		return
	}
	assert.NotEmpty(t, got)
	assert.True(t, strings.HasPrefix(text, string(got)), "a prefix of the text, got %d bytes", len(got))
}

func TestTruncatedCompressedBodyNewResponse(t *testing.T) {
	text := strings.Repeat("a compressed body that ends early; ", 2000)
	for _, tc := range truncatedCases(t, text) {
		t.Run(tc.name, func(t *testing.T) {
			r := httpx.NewResponse(200, httpx.WithContent(tc.wire), httpx.WithHeader("Content-Encoding", tc.encoding))
			got, err := r.Content()
			checkTruncated(t, tc, text, got, err)
		})
	}
}

func TestTruncatedCompressedBodyOverLoopback(t *testing.T) {
	text := strings.Repeat("a compressed body that ends early; ", 2000)
	cases := truncatedCases(t, text)
	// The framing is complete both with a Content-Length and chunked.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(r.URL.Query().Get("case"))
		tc := cases[i]
		w.Header().Set("Content-Encoding", tc.encoding)
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(tc.wire)))
		}
		_, _ = w.Write(tc.wire)
	}))
	defer srv.Close()
	c := httpx.NewClient()
	defer c.Close()
	for i, tc := range cases {
		for _, chunked := range []string{"", "1"} {
			t.Run(tc.name+map[string]string{"": " with Content-Length", "1": " chunked"}[chunked], func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				r, err := c.Get(ctx, srv.URL, httpx.WithParams(map[string]string{"case": strconv.Itoa(i), "chunked": chunked}))
				var got []byte
				if err == nil {
					got, err = r.Content()
				}
				checkTruncated(t, tc, text, got, err)
			})
		}
	}
}

// TestTruncatedFramingIsNotForgiven checks that a body shorter than its
// Content-Length stays a protocol error even though the gzip stream it
// carries would be forgiven: only a complete body vouches for its end.
func TestTruncatedFramingIsNotForgiven(t *testing.T) {
	gz := gzipped(t, strings.Repeat("short body ", 500))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		_, _ = w.Write(gz[:len(gz)-8])
	}))
	defer srv.Close()
	c := httpx.NewClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Get(ctx, srv.URL)
	require.ErrorIs(t, err, httpx.ErrRemoteProtocol)
	assert.NotErrorIs(t, err, httpx.ErrDecoding)
}
