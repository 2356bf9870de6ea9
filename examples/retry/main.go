// Command retry sends requests under a RetryPolicy to a flaky loopback
// server and prints every attempt: a server that drops the connection
// before answering, one that answers 503 with Retry-After, and one that
// keeps failing until the policy gives up. It needs no network beyond
// 127.0.0.1.
//
//	go run ./examples/retry
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/gohttpx/httpx"
)

func main() {
	server := httptest.NewServer(flaky())
	defer server.Close()

	attempt := 0
	client := httpx.NewClient(
		httpx.WithBaseURL(server.URL),
		httpx.WithTimeout(httpx.Timeouts(2*time.Second)),
		httpx.WithRetry(httpx.RetryPolicy{Attempts: 4, Backoff: 50 * time.Millisecond, MaxBackoff: time.Second}),
		httpx.WithEventHooks(httpx.EventHooks{
			Request: []func(*httpx.Request) error{func(r *httpx.Request) error {
				attempt++
				fmt.Printf("   attempt %d: %s %s\n", attempt, r.Method, r.URL.Path())
				return nil
			}},
			Response: []func(*httpx.Response) error{func(r *httpx.Response) error {
				fmt.Printf("      -> %s\n", r)
				return nil
			}},
		}),
	)
	defer client.Close()
	ctx := context.Background()

	for _, path := range []string{"/drops-twice", "/busy-once", "/always-503", "/down"} {
		attempt = 0
		fmt.Printf("GET %s\n", path)
		start := time.Now()
		r, err := client.Get(ctx, path)
		elapsed := time.Since(start).Round(time.Millisecond)
		var re *httpx.RetryError
		switch {
		case errors.As(err, &re):
			fmt.Printf("   gave up after %d attempts in %v: %v\n", re.Attempts, elapsed, err)
		case err != nil:
			log.Fatal(err)
		default:
			body, err := r.Text()
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("   final: %s %q in %v\n", r, body, elapsed)
			printTimings(r)
		}
	}
}

// printTimings shows where the time of the last attempt went.
func printTimings(r *httpx.Response) {
	t := r.Timings()
	fmt.Printf("   timings of the last attempt: pool %v, connect %v, write %v, wait %v, read %v, reused %v\n",
		t.Pool, t.Connect, t.Write, t.Wait, t.Read, t.Reused)
}

// flaky answers each path its own way; the counters make it deterministic.
func flaky() http.Handler {
	var drops, busy atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/drops-twice", func(w http.ResponseWriter, r *http.Request) {
		if drops.Add(1) <= 2 {
			// A server that went away before answering: retried, since
			// no byte of a response arrived.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		fmt.Fprint(w, "third time lucky")
	})
	mux.HandleFunc("/busy-once", func(w http.ResponseWriter, r *http.Request) {
		if busy.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "served after Retry-After")
	})
	mux.HandleFunc("/always-503", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	return mux
}
