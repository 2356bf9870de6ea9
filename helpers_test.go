package httpx_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var ctx = context.Background()

// within returns a context that ends after d, for tests of timeouts and
// pools: when the behaviour under test is broken, the test fails by name
// within seconds instead of hanging until go test's -timeout.
func within(t testing.TB, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// echoed is what the echo transport reports about a request it received.
type echoed struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers"`
	Order   []string            `json:"order"`
	Body    string              `json:"body"`
}

// echoTransport answers every request with a JSON description of it.
func echoTransport() httpx.MockTransport {
	return func(req *httpx.Request) (*httpx.Response, error) {
		body, err := req.Content()
		if err != nil {
			return nil, err
		}
		e := echoed{Method: req.Method, URL: req.URL.String(), Headers: map[string][]string{}, Body: string(body)}
		for k, v := range req.Headers.All() {
			e.Headers[http.CanonicalHeaderKey(k)] = append(e.Headers[http.CanonicalHeaderKey(k)], v)
			e.Order = append(e.Order, k)
		}
		return httpx.NewResponse(200, httpx.WithJSON(e)), nil
	}
}

func decodeEcho(t *testing.T, r *httpx.Response) echoed {
	t.Helper()
	var e echoed
	if err := r.JSON(&e); err != nil {
		t.Fatalf("decoding echo: %v", err)
	}
	return e
}

// routes is a tiny in-process app used by several tests.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Hello World!"))
	})
	return mux
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
