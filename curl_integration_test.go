package httpx_test

import (
	"bytes"
	"encoding/pem"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seenRequest is what the recording server saw of one request.
type seenRequest struct {
	Method, URI, Host, Proto string
	Header                   http.Header
	TransferEncoding         []string
	Body                     string
	Parts                    []seenPart // multipart bodies, compared parsed: the boundary differs
}

type seenPart struct {
	Name, Filename, ContentType, Content string
}

// recorder is a handler that keeps what it saw of the last request.
type recorder struct {
	mu   sync.Mutex
	last seenRequest
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := seenRequest{Method: r.Method, URI: r.RequestURI, Host: r.Host, Proto: r.Proto, Header: r.Header.Clone(), TransferEncoding: r.TransferEncoding}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		s.Header.Set("Content-Type", mt)
		s.Header.Del("Content-Length") // the boundaries differ in length
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			b, _ := io.ReadAll(p)
			s.Parts = append(s.Parts, seenPart{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
	} else {
		b, _ := io.ReadAll(r.Body)
		s.Body = string(b)
	}
	rec.mu.Lock()
	rec.last = s
	rec.mu.Unlock()
	w.WriteHeader(204)
}

func (rec *recorder) take() seenRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := rec.last
	rec.last = seenRequest{}
	return s
}

// TestCurlReproducesTheRequest sends requests with the client, runs the
// commands Curl gives for them through the real curl, and compares what a
// loopback server saw each time.
func TestCurlReproducesTheRequest(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("HTTPX_INTEGRATION") == "1" {
			t.Fatalf("curl is required with HTTPX_INTEGRATION=1: %v", err)
		}
		t.Skip("curl is not installed")
	}
	rec := &recorder{}

	plain := httptest.NewServer(rec)
	defer plain.Close()

	h2 := httptest.NewUnstartedServer(rec)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h2.Certificate().Raw}), 0o600))

	sockDir, err := os.MkdirTemp("", "curl") // short: socket paths are limited to ~100 bytes
	require.NoError(t, err)
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "s.sock")
	uds := httptest.NewUnstartedServer(rec)
	uds.Listener.Close()
	uds.Listener, err = net.Listen("unix", sock)
	require.NoError(t, err)
	uds.Start()
	defer uds.Close()

	upload := filepath.Join(t.TempDir(), "it's a file.txt")
	require.NoError(t, os.WriteFile(upload, []byte("file content\n"), 0o600))
	binary := []byte{0, 1, 2, 0xff, '\'', '\n', 0xfe}

	tests := []struct {
		name   string
		client []httpx.ClientOption
		method string
		url    string
		opts   func(t *testing.T) []httpx.RequestOption
		stdin  []byte // fed to curl when the command reads @-; nil: the request's Content
	}{
		{name: "GET with params, headers, a quote and a cookie", method: "GET", url: plain.URL + "/p/a%20b?x=1",
			opts: func(*testing.T) []httpx.RequestOption {
				return []httpx.RequestOption{httpx.WithParams(map[string]string{"q": "a b&c"}), httpx.WithHeader("X-Quote", `it's "q"`),
					httpx.WithHeader("X-Empty", ""), httpx.WithCookies(map[string]string{"s": "1"})}
			}},
		{name: "HEAD", method: "HEAD", url: plain.URL + "/h"},
		{name: "DELETE without body", method: "DELETE", url: plain.URL + "/d"},
		{name: "POST without body", method: "POST", url: plain.URL + "/e"},
		{name: "POST JSON with basic auth", client: []httpx.ClientOption{httpx.WithAuth(httpx.BasicAuth("user", "pa'ss"))},
			method: "POST", url: plain.URL + "/j", opts: func(*testing.T) []httpx.RequestOption {
				return []httpx.RequestOption{httpx.WithJSON(map[string]any{"a": "it's", "n": []int{1, 2}})}
			}},
		{name: "POST form", method: "POST", url: plain.URL + "/f", opts: func(*testing.T) []httpx.RequestOption {
			return []httpx.RequestOption{httpx.WithForm(map[string]string{"a": "1", "b": "x y&z"})}
		}},
		{name: "multipart with a file on disk", method: "POST", url: plain.URL + "/m", opts: func(t *testing.T) []httpx.RequestOption {
			f, err := os.Open(upload)
			require.NoError(t, err)
			t.Cleanup(func() { f.Close() })
			return []httpx.RequestOption{httpx.WithForm(map[string]string{"field": "v;1"}), httpx.WithFiles(httpx.File{Field: "up", Content: f})}
		}},
		{name: "multipart in memory on stdin", method: "POST", url: plain.URL + "/mm", opts: func(*testing.T) []httpx.RequestOption {
			return []httpx.RequestOption{httpx.WithFiles(httpx.File{Field: "up", Filename: "b.bin", Content: bytes.NewReader(binary)})}
		}},
		{name: "PUT binary on stdin", method: "PUT", url: plain.URL + "/b", opts: func(*testing.T) []httpx.RequestOption {
			return []httpx.RequestOption{httpx.WithContent(binary)}
		}},
		{name: "chunked stream on stdin", method: "POST", url: plain.URL + "/s", stdin: []byte("streamed"),
			opts: func(*testing.T) []httpx.RequestOption {
				return []httpx.RequestOption{httpx.WithBody(io.MultiReader(strings.NewReader("streamed")))}
			}},
		{name: "HTTP/2 over TLS with a CA file", client: []httpx.ClientOption{httpx.WithHTTP2(true), httpx.WithCAFile(caFile)},
			method: "POST", url: h2.URL + "/h2?x=1", opts: func(*testing.T) []httpx.RequestOption {
				return []httpx.RequestOption{httpx.WithText("hi")}
			}},
		{name: "Unix socket", client: []httpx.ClientOption{httpx.WithTransport(&httpx.HTTPTransport{UDS: sock})},
			method: "GET", url: "http://localhost/u"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(append([]httpx.ClientOption{httpx.WithTrustEnv(false)}, tt.client...)...)
			defer c.Close()
			var opts []httpx.RequestOption
			if tt.opts != nil {
				opts = tt.opts(t)
			}
			resp, err := c.Request(within(t, 5*time.Second), tt.method, tt.url, opts...)
			require.NoError(t, err)
			want := rec.take()
			cmd := resp.Request.CurlWithSecrets()
			t.Log(cmd)

			stdin := tt.stdin
			if stdin == nil && strings.Contains(cmd, "@-") {
				stdin, err = resp.Request.Content()
				require.NoError(t, err)
			}
			run := exec.CommandContext(within(t, 10*time.Second), "sh", "-c", cmd+" -sS -o /dev/null")
			run.Env = []string{"PATH=" + filepath.Dir(curl) + ":/usr/bin:/bin", "HOME=" + t.TempDir()} // no proxies, no .curlrc
			run.Stdin = bytes.NewReader(stdin)
			out, err := run.CombinedOutput()
			require.NoError(t, err, "%s", out)
			got := rec.take()
			assert.Equal(t, want, got)
		})
	}
}
