package httpx_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

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
