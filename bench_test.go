package httpx_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gohttpx/httpx"
)

// memRoundTripper answers every request with a small canned response, so
// the benchmarks measure client overhead only.
type memRoundTripper struct{}

func (memRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{
		StatusCode:    200,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {"17"}},
		Body:          io.NopCloser(strings.NewReader(`{"hello":"world"}`)),
		ContentLength: 17,
		Request:       req,
	}, nil
}

// BenchmarkInMemoryNetHTTP is the baseline: net/http sending the same
// request (the four headers an httpx client sends by default) through the
// same in-memory RoundTripper.
func BenchmarkInMemoryNetHTTP(b *testing.B) {
	c := &http.Client{Transport: memRoundTripper{}}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://example.com/path?q=1", nil)
		req.Header.Set("Accept", "*/*")
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		req.Header.Set("Connection", "keep-alive")
		req.Header.Set("User-Agent", "gohttpx/"+httpx.Version)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
}

func BenchmarkInMemoryHTTPX(b *testing.B) {
	c := httpx.NewClient(httpx.WithTransport(httpx.FromRoundTripper(memRoundTripper{})))
	defer c.Close()
	getLoop(b, c, "http://example.com/path?q=1")
}

func loopbackServer(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello, world\n"))
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func BenchmarkLoopbackNetHTTP(b *testing.B) {
	url := loopbackServer(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 100}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
}

func BenchmarkLoopbackHTTPX(b *testing.B) {
	url := loopbackServer(b)
	c := httpx.NewClient()
	defer c.Close()
	getLoop(b, c, url)
}

// BenchmarkInMemoryMockHTTPX is the model layer alone: the same request
// answered by a MockTransport, with no net/http request or response to
// convert.
func BenchmarkInMemoryMockHTTPX(b *testing.B) {
	body := []byte(`{"hello":"world"}`)
	mock := httpx.MockTransport(func(*httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithHeader("Content-Type", "application/json"), httpx.WithContent(body)), nil
	})
	c := httpx.NewClient(httpx.WithTransport(mock))
	defer c.Close()
	getLoop(b, c, "http://example.com/path?q=1")
}

// getLoop is the httpx side of the benchmarks: GET url and read the body,
// b.N times.
func getLoop(b *testing.B, c *httpx.Client, url string) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Get(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Content(); err != nil {
			b.Fatal(err)
		}
	}
}
