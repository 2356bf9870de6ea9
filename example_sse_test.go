package httpx_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/gohttpx/httpx"
)

// Server-Sent Events (httpx-sse's connect_sse): POST a JSON body, read the
// events, and let EventStream reconnect with Last-Event-ID when the stream
// ends; here the server ends it for good with a 204.
func ExampleClient_EventStream() {
	connections := 0
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		connections++
		if connections > 1 {
			fmt.Println("reconnected with Last-Event-ID:", r.Header.Get("Last-Event-ID"))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "retry: 10\n\n: a comment\nevent: token\nid: 1\ndata: Hel\n\nid: 2\ndata: lo\ndata: world\n\n")
	})
	client := httpx.NewClient(httpx.WithApp(app))
	defer client.Close()

	ctx := context.Background()
	for ev, err := range client.EventStream(ctx, "POST", "http://llm/v1/chat", httpx.WithJSON(map[string]any{"stream": true})) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Printf("%s %s %q\n", ev.ID, ev.Event, ev.Data)
	}
	// Output:
	// 1 token "Hel"
	// 2 message "lo\nworld"
	// reconnected with Last-Event-ID: 2
}

// Parsing a streamed response's body (httpx-sse's iter_sse).
func ExampleResponse_IterSSE() {
	r := httpx.NewResponse(200, httpx.WithContent([]byte("event: ping\ndata: {\"n\":1}\r\n\r\ndata: unterminated\n")))
	for ev, err := range r.IterSSE() {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(ev.Event, ev.Data)
	}
	// Output: ping {"n":1}
}
