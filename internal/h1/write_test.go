package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendRequestLine(t *testing.T) {
	cases := []struct {
		method, target string
		want           string // "" = refused
	}{
		{"GET", "/", "GET / HTTP/1.1\r\n"},
		{"OPTIONS", "*", "OPTIONS * HTTP/1.1\r\n"},
		{"GET", "http://h/x?y", "GET http://h/x?y HTTP/1.1\r\n"},
		{"CONNECT", "h:443", "CONNECT h:443 HTTP/1.1\r\n"},
		{"M-SEARCH", "/a%20b", "M-SEARCH /a%20b HTTP/1.1\r\n"},
		{"GET", "", ""},
		{"", "/", ""},
		{"GE T", "/", ""},
		{"GET\r\n", "/", ""},
		{"GET", "/a b", ""},
		{"GET", "/a\r\nX: y", ""},
		{"GET", "/a\x00", ""},
		{"GET", "/\x7f", ""},
		{"GET", "/é", ""},
		{"GET", "/\t", ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			got, err := AppendRequestLine([]byte("keep"), tc.method, tc.target)
			if tc.want == "" {
				var pe *ProtocolError
				require.ErrorAs(t, err, &pe)
				assert.True(t, pe.Local)
				assert.Equal(t, "keep", string(got), "nothing appended on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "keep"+tc.want, string(got))
		})
	}
}

func TestAppendField(t *testing.T) {
	cases := []struct {
		name, value string
		want        string
	}{
		{"Host", "example.com", "Host: example.com\r\n"},
		{"X-Empty", "", "X-Empty: \r\n"},
		{"x-lower", "a\tb c", "x-lower: a\tb c\r\n"},
		{"X-Obs", "caf\xe9", "X-Obs: caf\xe9\r\n"},
		{"X-Ctl", "a\x01b", "X-Ctl: a\x01b\r\n"},
		{"", "v", ""},
		{"X Y", "v", ""},
		{"X:Y", "v", ""},
		{"X\r\nY", "v", ""},
		{"X-Inject", "v\r\nEvil: 1", ""},
		{"X-LF", "v\nEvil: 1", ""},
		{"X-CR", "v\rEvil: 1", ""},
		{"X-NUL", "v\x00", ""},
		{"Ä", "v", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendField(nil, tc.name, tc.value)
			if tc.want == "" {
				var pe *ProtocolError
				require.ErrorAs(t, err, &pe)
				assert.True(t, pe.Local)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestWrittenRequestParsesInNetHTTP checks the head and a chunked body as
// net/http's server reads them.
func TestWrittenRequestParsesInNetHTTP(t *testing.T) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	head, err := AppendRequestLine(nil, "POST", "/upload?x=1")
	require.NoError(t, err)
	for _, f := range [][2]string{{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"X-A", "1"}, {"x-a", "2"}} {
		head, err = AppendField(head, f[0], f[1])
		require.NoError(t, err)
	}
	head = append(head, "\r\n"...)
	bw.Write(head)
	var cw ChunkWriter
	cw.Reset(bw)
	for _, part := range []string{"hello", "", " ", strings.Repeat("x", 70000)} {
		n, err := cw.Write([]byte(part))
		require.NoError(t, err)
		assert.Equal(t, len(part), n)
	}
	require.NoError(t, cw.Close())
	require.NoError(t, bw.Flush())

	req, err := http.ReadRequest(bufio.NewReader(&buf))
	require.NoError(t, err)
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "/upload?x=1", req.RequestURI)
	assert.Equal(t, []string{"1", "2"}, req.Header.Values("X-A"))
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, "hello "+strings.Repeat("x", 70000), string(body))
	assert.Zero(t, buf.Len(), "nothing after the last chunk")
}

func BenchmarkAppendHead(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 512)
	fields := [][2]string{{"Host", "127.0.0.1:8080"}, {"Accept", "*/*"}, {"Accept-Encoding", "gzip, deflate, br, zstd"}, {"Connection", "keep-alive"}, {"User-Agent", "gohttpx/0.1"}}
	for b.Loop() {
		out, _ := AppendRequestLine(buf[:0], "GET", "/small")
		for _, f := range fields {
			out, _ = AppendField(out, f[0], f[1])
		}
		_ = append(out, "\r\n"...)
	}
}
