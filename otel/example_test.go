package otelhttpx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gohttpx/httpx"
	otelhttpx "github.com/gohttpx/httpx/otel"
)

func ExampleInstrument() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		}
	}))
	defer srv.Close()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))

	client := httpx.NewClient(otelhttpx.Instrument(otelhttpx.WithTracerProvider(tp)), httpx.WithFollowRedirects(true), httpx.WithTrustEnv(false))
	defer client.Close()
	if _, err := client.Get(context.Background(), srv.URL+"/old"); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind())
	}
	// Output:
	// GET client
	// GET client
	// GET internal
}
