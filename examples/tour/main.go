// Command tour walks through the library against an in-process app and a
// loopback server, printing what each step does. It needs no network beyond
// 127.0.0.1.
//
//	go run ./examples/tour
package main

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/gohttpx/httpx"
)

func main() {
	ctx := context.Background()
	server := httptest.NewServer(app())
	defer server.Close()

	step("1. An in-process app (HTTPX's Client(app=...)): no sockets at all")
	inProcess := httpx.NewClient(httpx.WithApp(app()), httpx.WithBaseURL("http://testserver"))
	defer inProcess.Close()
	r := must(inProcess.Get(ctx, "/hello", httpx.WithParam("name", "gopher")))
	show("GET /hello?name=gopher", r)

	step("2. A loopback server through the default HTTPTransport")
	client := httpx.NewClient(
		httpx.WithBaseURL(server.URL),
		httpx.WithHeaders(map[string]string{"X-Tour": "client-level"}),
		httpx.WithParams(map[string]string{"lang": "go"}),
		httpx.WithTimeout(httpx.Timeouts(2*time.Second)),
	)
	defer client.Close()
	r = must(client.Post(ctx, "/echo", httpx.WithJSON(map[string]any{"tour": true}), httpx.WithHeader("X-Request", "request-level")))
	show("POST /echo with JSON (client and request config merged)", r)
	fmt.Printf("   request URL: %s\n", r.Request.URL)

	step("3. Content-Encoding is undone by the response; wire bytes are counted")
	r = must(client.Get(ctx, "/gzip"))
	body := must(r.Content())
	fmt.Printf("   %d bytes decoded from %d gzip bytes on the wire (Content-Encoding: %s)\n",
		len(body), r.NumBytesDownloaded(), r.Headers.Get("Content-Encoding"))

	step("4. Streaming: lines as the server flushes them")
	stream := must(client.Stream(ctx, "GET", "/stream"))
	for line, err := range stream.IterLines() {
		check(err)
		fmt.Printf("   line: %q\n", line)
	}

	step("5. Redirects are off by default; follow them per request or per client")
	r = must(client.Get(ctx, "/redirect"))
	fmt.Printf("   not followed: %s, next request %s\n", r, r.NextRequest().URL)
	r = must(client.Get(ctx, "/redirect", httpx.WithFollowRedirects(true)))
	fmt.Printf("   followed: %s at %s, history %v\n", r, r.URL(), r.History)

	step("6. Cookies persist in the client's jar")
	must(client.Get(ctx, "/set-cookie"))
	r = must(client.Get(ctx, "/cookies"))
	show("GET /cookies after /set-cookie", r)

	step("7. Errors are typed: status, timeouts, invalid URLs")
	r = must(client.Get(ctx, "/status/404"))
	fmt.Printf("   RaiseForStatus: %v\n", firstLine(r.RaiseForStatus()))
	_, err := client.Get(ctx, "/slow", httpx.WithTimeout(httpx.Timeouts(2*time.Second).WithRead(100*time.Millisecond)))
	fmt.Printf("   read timeout: errors.Is(err, ErrReadTimeout)=%v, ErrTimeout=%v\n",
		errors.Is(err, httpx.ErrReadTimeout), errors.Is(err, httpx.ErrTimeout))
	_, err = client.Get(ctx, "http://exa mple.com:port/")
	fmt.Printf("   invalid URL: %v\n", err)

	step("8. Event hooks and auth")
	hooked := httpx.NewClient(
		httpx.WithBaseURL(server.URL),
		httpx.WithAuth(httpx.BasicAuth("user", "pass")),
		httpx.WithEventHooks(httpx.EventHooks{
			Request:  []func(*httpx.Request) error{func(r *httpx.Request) error { fmt.Printf("   > %s %s\n", r.Method, r.URL); return nil }},
			Response: []func(*httpx.Response) error{func(r *httpx.Response) error { fmt.Printf("   < %s\n", r); return nil }},
		}),
	)
	defer hooked.Close()
	r = must(hooked.Get(ctx, "/whoami"))
	show("GET /whoami with basic auth", r)

	step("9. Mounts: mock one host, route a custom scheme, the rest goes to the network")
	mocked := httpx.NewClient(httpx.WithMounts(map[string]httpx.Transport{
		"all://api.example.org": httpx.MockTransport(func(req *httpx.Request) (*httpx.Response, error) {
			return httpx.NewResponse(200, httpx.WithJSON(map[string]string{"mocked": req.URL.Path()})), nil
		}),
		"memo://": httpx.TransportFunc(func(_ context.Context, req *httpx.Request) (*httpx.Response, error) {
			return httpx.NewResponse(200, httpx.WithText("memo for "+req.URL.Host())), nil
		}),
	}))
	defer mocked.Close()
	show("GET https://api.example.org/users", must(mocked.Get(ctx, "https://api.example.org/users")))
	show("GET memo://notes", must(mocked.Get(ctx, "memo://notes")))
	show("GET "+server.URL+"/hello", must(mocked.Get(ctx, server.URL+"/hello")))

	step("10. Multipart upload, streamed")
	r = must(client.Post(ctx, "/upload",
		httpx.WithForm(map[string]string{"title": "tour"}),
		httpx.WithFiles(httpx.File{Field: "file", Filename: "notes.txt", Content: strings.NewReader("file contents")}),
	))
	show("POST /upload", r)

	step("11. StdClient: an *http.Client for SDKs, through the same pipeline")
	std := client.StdClient()
	resp, err := std.Get(server.URL + "/echo")
	check(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("   %s %s\n", resp.Status, strings.TrimSpace(string(b)))

	step("12. Top-level functions use a one-off client")
	show("httpx.Get", must(httpx.Get(ctx, server.URL+"/hello")))

	step("13. HTTP/2 over TLS (ALPN), trusting the test server's certificate")
	tlsServer := httptest.NewUnstartedServer(app())
	tlsServer.EnableHTTP2 = true
	tlsServer.StartTLS()
	defer tlsServer.Close()
	pool := x509.NewCertPool()
	pool.AddCert(tlsServer.Certificate())
	h2 := httpx.NewClient(httpx.WithHTTP2(true), httpx.WithTLSConfig(&tls.Config{RootCAs: pool}))
	defer h2.Close()
	show("GET /hello over TLS", must(h2.Get(ctx, tlsServer.URL+"/hello")))

	step("14. Digest auth: the challenge is answered, then remembered")
	digest := httpx.NewClient(httpx.WithApp(digestApp()), httpx.WithAuth(httpx.DigestAuth("mufasa", "circle of life")))
	defer digest.Close()
	r = must(digest.Get(ctx, "http://testserver/secret"))
	fmt.Printf("   first:  %s after %v\n", r, r.History)
	r = must(digest.Get(ctx, "http://testserver/secret"))
	fmt.Printf("   second: %s, no challenge (history %v); %s\n", r, r.History, strings.Fields(r.Request.Headers.Get("Authorization"))[0])
}

// digestApp challenges with Digest (MD5, qop=auth) and accepts any answer
// that carries the right user: enough to show the exchange.
func digestApp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), `username="mufasa"`) {
			fmt.Fprint(w, "welcome")
			return
		}
		w.Header().Set("WWW-Authenticate", `Digest realm="tour", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop="auth", opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
}

// app is the demo server: the same handler runs in process and on loopback.
func app() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "world"
		}
		fmt.Fprintf(w, "Hello, %s!", name)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s X-Tour=%q X-Request=%q body=%s\n", r.Method, r.URL, r.Header.Get("X-Tour"), r.Header.Get("X-Request"), b)
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write([]byte(strings.Repeat("compressible text ", 500)))
		zw.Close()
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "event %d\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hello?name=redirected", http.StatusFound)
	})
	mux.HandleFunc("/set-cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "flavour", Value: "oatmeal", Path: "/"})
	})
	mux.HandleFunc("/cookies", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Cookie: %s", r.Header.Get("Cookie"))
	})
	mux.HandleFunc("/status/404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		user, _, ok := r.BasicAuth()
		fmt.Fprintf(w, "user=%s authenticated=%v", user, ok)
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		fmt.Fprintf(w, "title=%s file=%s (%s) %q", r.FormValue("title"), h.Filename, h.Header.Get("Content-Type"), b)
	})
	return mux
}

func step(title string) { fmt.Printf("\n%s\n", title) }

func show(what string, r *httpx.Response) {
	text, err := r.Text()
	check(err)
	fmt.Printf("   %s -> %s %s %q\n", what, r.HTTPVersion(), r, strings.TrimSpace(text))
}

func firstLine(err error) string {
	if err == nil {
		return "<nil>"
	}
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

func must[T any](v T, err error) T {
	check(err)
	return v
}

func check(err error) {
	if err != nil {
		log.SetOutput(os.Stderr)
		log.Fatal(err)
	}
}
