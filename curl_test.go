package httpx_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bare is what every command of a request built without a client ends
// with before its body: curl's own Accept and User-Agent suppressed.
const bare = "-H 'Accept:' -H 'User-Agent:'"

func TestCurlStandaloneRequests(t *testing.T) {
	tests := []struct {
		name   string
		method string
		url    string
		opts   []httpx.RequestOption
		want   string
	}{
		{"GET", "GET", "http://example.com/a?b=1&c=x+y", nil,
			"curl " + bare + " 'http://example.com/a?b=1&c=x+y'"},
		{"fragment not sent", "GET", "http://example.com/a#frag", nil,
			"curl " + bare + " 'http://example.com/a'"},
		{"HEAD", "HEAD", "http://example.com/", nil,
			"curl --head " + bare + " 'http://example.com/'"},
		{"DELETE", "DELETE", "http://example.com/", nil,
			"curl -X DELETE " + bare + " 'http://example.com/'"},
		{"POST without body keeps its zero length", "POST", "http://example.com/", nil,
			"curl -X POST -H 'Content-Length: 0' " + bare + " 'http://example.com/'"},
		{"POST JSON inline, quote escaped", "POST", "http://example.com/", []httpx.RequestOption{httpx.WithJSON(map[string]string{"a": "it's"})},
			`curl -H 'Content-Type: application/json' ` + bare + ` --data-raw '{"a":"it'\''s"}' 'http://example.com/'`},
		{"POST form", "POST", "http://example.com/", []httpx.RequestOption{httpx.WithForm(map[string]string{"a": "1", "b": "x y"})},
			"curl -H 'Content-Type: application/x-www-form-urlencoded' " + bare + " --data-raw 'a=1&b=x+y' 'http://example.com/'"},
		{"text with newlines and a leading @ is inline", "PUT", "http://example.com/", []httpx.RequestOption{httpx.WithContent([]byte("@x\n'y'\r\n"))},
			"curl -X PUT " + bare + " -H 'Content-Type:' --data-raw '@x\n'\\''y'\\''\r\n' 'http://example.com/'"},
		{"GET with a body", "GET", "http://example.com/", []httpx.RequestOption{httpx.WithText("hi")},
			"curl -X GET -H 'Content-Type: text/plain; charset=utf-8' " + bare + " --data-raw hi 'http://example.com/'"},
		{"binary body on stdin", "PUT", "http://example.com/", []httpx.RequestOption{httpx.WithContent([]byte{0xff, 0xfe, 'a'})},
			"curl -X PUT " + bare + " -H 'Content-Type:' -H 'Expect:' --data-binary @- 'http://example.com/'"},
		{"NUL on stdin", "POST", "http://example.com/", []httpx.RequestOption{httpx.WithContent([]byte("a\x00b"))},
			"curl " + bare + " -H 'Content-Type:' -H 'Expect:' --data-binary @- 'http://example.com/'"},
		{"large text on stdin", "POST", "http://example.com/", []httpx.RequestOption{httpx.WithContent(bytes.Repeat([]byte("a"), 64<<10+1))},
			"curl " + bare + " -H 'Content-Type:' -H 'Expect:' --data-binary @- 'http://example.com/'"},
		{"stream on stdin, chunked as sent", "POST", "http://example.com/", []httpx.RequestOption{httpx.WithBody(io.MultiReader(strings.NewReader("x")))},
			"curl -H 'Transfer-Encoding: chunked' " + bare + " -H 'Content-Type:' -H 'Expect:' --data-binary @- 'http://example.com/'"},
		{"headers in order, empty value, quote", "GET", "http://example.com/", []httpx.RequestOption{
			httpx.WithHeader("X-B", "it's"), httpx.WithHeader("X-Empty", ""), httpx.WithHeader("X-A", "1"), httpx.WithHeader("Accept", "text/html")},
			"curl -H 'X-B: it'\\''s' -H 'X-Empty;' -H 'X-A: 1' -H 'Accept: text/html' -H 'User-Agent:' 'http://example.com/'"},
		{"a Host other than the URL's", "GET", "http://127.0.0.1:8080/", []httpx.RequestOption{httpx.WithHeader("Host", "api.example")},
			"curl -H 'Host: api.example' " + bare + " 'http://127.0.0.1:8080/'"},
		{"secrets masked", "GET", "http://user:pw@example.com/", []httpx.RequestOption{
			httpx.WithHeader("Authorization", "Bearer t"), httpx.WithHeader("Cookie", "s=1"), httpx.WithHeader("X-Api-Key", "k")},
			"curl -H 'Authorization: [secure]' -H 'Cookie: [secure]' -H 'X-Api-Key: k' " + bare + " --globoff 'http://user:[secure]@example.com/'"},
		{"request target", "OPTIONS", "http://example.com/", []httpx.RequestOption{httpx.WithExtensions(map[string]any{"target": "*"})},
			"curl -X OPTIONS --request-target '*' " + bare + " 'http://example.com/'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := httpx.NewRequest(tt.method, tt.url, tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, req.Curl())
		})
	}
}

func TestCurlWithSecretsShowsEverything(t *testing.T) {
	req, err := httpx.NewRequest("GET", "http://user:pw@example.com/", httpx.WithHeader("Authorization", "Bearer t"))
	require.NoError(t, err)
	assert.Equal(t, "curl -H 'Authorization: Bearer t' "+bare+" 'http://user:pw@example.com/'", req.CurlWithSecrets())
	assert.Contains(t, req.Curl(), "[secure]", "the per-call opt-in changes nothing for later calls")
	var nilReq *httpx.Request
	assert.Empty(t, nilReq.Curl())
}

func TestCurlMultipart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "re;port,1.txt")
	require.NoError(t, os.WriteFile(path, []byte("hello"), 0o600))
	open := func() *os.File {
		f, err := os.Open(path)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}
	quoted := `"` + path + `"`
	tests := []struct {
		name  string
		files func() []httpx.File
		want  []string // the body arguments
	}{
		{"file on disk", func() []httpx.File { return []httpx.File{{Field: "up", Content: open()}} },
			[]string{"--form-string 'a=1'", "-F '" + `up=@` + quoted + `;filename="re;port,1.txt";type=text/plain'`}},
		{"renamed, typed", func() []httpx.File {
			return []httpx.File{{Field: "up", Filename: `q"t.bin`, ContentType: "application/x-thing", Content: open()}}
		}, []string{"--form-string 'a=1'", "-F '" + `up=@` + quoted + `;filename="q\"t.bin";type=application/x-thing'`}},
		{"no filename", func() []httpx.File { return []httpx.File{{Field: "up", NoFilename: true, Content: open()}} },
			[]string{"--form-string 'a=1'", "-F '" + `up=<` + quoted + "'"}},
		{"in-memory file on stdin", func() []httpx.File {
			return []httpx.File{{Field: "up", Filename: "a.txt", Content: strings.NewReader("hi")}}
		}, []string{"-H 'Expect:' --data-binary @-"}},
		{"type with parameters on stdin", func() []httpx.File {
			return []httpx.File{{Field: "up", Filename: "a.txt", ContentType: "text/plain; charset=utf-8", Content: open()}}
		}, []string{"-H 'Expect:' --data-binary @-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := httpx.NewRequest("POST", "http://example.com/", httpx.WithForm(map[string]string{"a": "1"}), httpx.WithFiles(tt.files()...))
			require.NoError(t, err)
			got := req.Curl()
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			if strings.Contains(got, "@-") {
				assert.Contains(t, got, "-H 'Content-Type: multipart/form-data; boundary=", "stdin carries our boundary")
			} else {
				assert.NotContains(t, got, "Content-Type", "curl writes its own boundary")
				assert.NotContains(t, got, "Content-Length")
			}
		})
	}
}

func TestCurlClientFlagsAndRedaction(t *testing.T) {
	tests := []struct {
		name string
		opts []httpx.ClientOption
		url  string
		want []string
		not  []string
	}{
		{"plain http", nil, "http://example.com/",
			[]string{"curl -H 'Accept: */*' -H 'Accept-Encoding: ", " -H 'Connection: keep-alive' -H 'User-Agent: gohttpx/" + httpx.Version + "' 'http://example.com/'"},
			[]string{"--http", "Host:"}},
		{"https is HTTP/1.1 only by default", nil, "https://example.com/", []string{"curl --http1.1 -H"}, nil},
		{"HTTP/2 over TLS", []httpx.ClientOption{httpx.WithHTTP2(true)}, "https://example.com/", []string{"curl --http2 -H"}, nil},
		{"HTTP/2 enabled, plain http stays HTTP/1.1", []httpx.ClientOption{httpx.WithHTTP2(true)}, "http://example.com/", nil, []string{"--http"}},
		{"HTTP/2 only", []httpx.ClientOption{httpx.WithHTTP1(false), httpx.WithHTTP2(true)}, "http://example.com/", []string{"curl --http2-prior-knowledge -H"}, nil},
		{"insecure", []httpx.ClientOption{httpx.WithVerify(false)}, "https://example.com/", []string{"curl --http1.1 --insecure -H"}, nil},
		{"transport fields", []httpx.ClientOption{httpx.WithTransport(&httpx.HTTPTransport{
			CAFile: "/ca dir/ca.pem", CertFile: "/c.pem", KeyFile: "/k.pem", KeyPassword: "kp", UDS: "/run/s.sock", LocalAddress: "127.0.0.2"})},
			"https://example.com/",
			[]string{"curl --http1.1 --cacert '/ca dir/ca.pem' --cert /c.pem --key /k.pem --pass '[secure]' --unix-socket /run/s.sock --interface 127.0.0.2 -H"},
			[]string{"kp"}},
		{"proxy, password masked", []httpx.ClientOption{httpx.WithProxy(httpx.Proxy{
			URL: "http://u:pw@127.0.0.1:3128", Mode: httpx.ProxyTunnelOnly, Headers: map[string]string{"Proxy-Authorization": "Basic x", "X-P": "1"}})},
			"http://example.com/",
			[]string{"curl --proxy 'http://u:[secure]@127.0.0.1:3128' --proxytunnel --proxy-header 'Proxy-Authorization: [secure]' --proxy-header 'X-P: 1' -H"},
			[]string{"pw", "Basic x"}},
		{"proxy by mount pattern", []httpx.ClientOption{httpx.WithProxies(map[string]httpx.Proxy{"http://example.com": {URL: "socks5h://127.0.0.1:1080"}})},
			"http://example.com/", []string{"curl --proxy 'socks5h://127.0.0.1:1080' -H"}, nil},
		{"extra redacted header", []httpx.ClientOption{httpx.WithRedactHeaders("x-api-key"), httpx.WithHeader("X-Api-Key", "k1"), httpx.WithHeader("Cookie", "c")},
			"http://u:pw@example.com/", []string{"-H 'X-Api-Key: [secure]'", "-H 'Cookie: [secure]'", "'http://u:[secure]@example.com/'"}, []string{"k1", "pw"}},
		{"secrets shown client-wide", []httpx.ClientOption{httpx.WithShowSecrets(true), httpx.WithRedactHeaders("X-Api-Key"),
			httpx.WithHeader("X-Api-Key", "k1"), httpx.WithProxy(httpx.Proxy{URL: "http://u:pw@127.0.0.1:3128"})},
			"http://u:pw@example.com/", []string{"--proxy 'http://u:pw@127.0.0.1:3128'", "-H 'X-Api-Key: k1'", "'http://u:pw@example.com/'"}, []string{"[secure]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := httpx.NewClient(append([]httpx.ClientOption{httpx.WithTrustEnv(false)}, tt.opts...)...)
			defer c.Close()
			req, err := c.BuildRequest("GET", tt.url)
			require.NoError(t, err)
			got := req.Curl()
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, got, n)
			}
		})
	}
}

// TestCurlAfterAuthAndHooks checks that r.Request of a response describes
// what was sent: the auth header and a hook's header included, masked.
func TestCurlAfterAuthAndHooks(t *testing.T) {
	c := httpx.NewClient(
		httpx.WithTransport(httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) { return httpx.NewResponse(204), nil })),
		httpx.WithAuth(httpx.BasicAuth("u", "p")),
		httpx.WithEventHooks(httpx.EventHooks{Request: []func(*httpx.Request) error{func(r *httpx.Request) error {
			r.Headers.Set("X-Hook", "1")
			return nil
		}}}),
	)
	defer c.Close()
	resp, err := c.Get(ctx, "http://example.com/")
	require.NoError(t, err)
	got := resp.Request.Curl()
	assert.Contains(t, got, "-H 'Authorization: [secure]'")
	assert.Contains(t, got, "-H 'X-Hook: 1'")
	assert.Contains(t, resp.Request.CurlWithSecrets(), "-H 'Authorization: Basic dTpw'")
}
