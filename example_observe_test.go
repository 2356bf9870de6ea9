package httpx_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/gohttpx/httpx"
)

// HTTPX's logging: one Info line per request sent.
func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a stable output for the example
			}
			return a
		},
	}))
	c := httpx.NewClient(httpx.WithLogger(logger), httpx.WithApp(helloApp))
	defer c.Close()
	if _, err := c.Get(context.Background(), "http://user:secret@example.org/"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// level=INFO msg="HTTP Request: GET http://user:[secure]@example.org/ \"HTTP/1.1 200 OK\""
}

// HTTPX's "trace" extension: httpcore's events, as HTTPTransport goes
// through them.
func ExampleWithExtensions_trace() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer srv.Close()
	c := httpx.NewClient()
	defer c.Close()
	trace := func(event string, info map[string]any) {
		if strings.HasPrefix(event, "http11.") && strings.HasSuffix(event, ".started") {
			fmt.Println(event)
		}
	}
	if _, err := c.Get(context.Background(), srv.URL, httpx.WithExtensions(map[string]any{"trace": trace})); err != nil {
		fmt.Println(err)
	}
	// Output:
	// http11.send_request_headers.started
	// http11.send_request_body.started
	// http11.receive_response_headers.started
	// http11.receive_response_body.started
	// http11.response_closed.started
}
