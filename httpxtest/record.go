package httpxtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gohttpx/httpx"
)

// RecordEnv is the environment variable that makes Record record afresh
// even when its file exists: GOHTTPX_RECORD=1 go test ./...
const RecordEnv = "GOHTTPX_RECORD"

// Record returns a transport that records real exchanges or replays them
// (VCR-style "cassettes"), so a test can run once against a real API and
// offline from then on.
//
// When file (a path as given, usually under testdata/) does not exist, or
// GOHTTPX_RECORD=1 is set, requests go to next and each exchange is kept;
// when t's test ends, they are written to file as indented JSON (directories
// are created as needed), unless the test failed, so that a bad run never
// becomes the recording. A failed exchange (next returned an error) is not
// recorded.
//
// When file exists, next is never called: each request is answered from the
// first recorded exchange with the same method and URL (and the same body,
// when one was recorded) that has not been replayed yet, so repeated
// identical requests replay in recorded order. A request with no such
// exchange gets an *UnmatchedError and fails the test.
//
// What is written is what a reader may see in a repository: Authorization,
// Proxy-Authorization, Cookie and Set-Cookie values are masked with
// httpx.Masked (see Headers.Redacted), and so is a password in a URL.
// Tokens in query strings or bodies are not recognised; keep them out of
// recorded requests. Bodies are stored as text when they are valid UTF-8,
// else as base64. Response bodies are stored decoded, with Content-Encoding,
// Content-Length and Transfer-Encoding dropped, and both recording and
// replay answer with that decoded form, so a test sees the same response
// either way.
//
// The returned transport is safe for concurrent use. Closing it (a client
// does, on Close) closes next when next is an io.Closer.
func Record(t testing.TB, file string, next httpx.Transport) httpx.Transport {
	t.Helper()
	rec := &recorder{t: t, file: file, next: next}
	_, statErr := os.Stat(file)
	switch {
	case os.Getenv(RecordEnv) == "1" || errors.Is(statErr, os.ErrNotExist):
		if next == nil {
			t.Errorf("httpxtest: Record(%q): recording needs a next transport to send requests to", file)
			rec.err = &UnmatchedError{Reason: "Record has no next transport"}
			return rec
		}
		rec.recording = true
		t.Cleanup(rec.save)
	case statErr != nil:
		rec.fail(fmt.Sprintf("httpxtest: Record(%q): %v", file, statErr))
	default:
		if err := rec.load(); err != nil {
			rec.fail(fmt.Sprintf("httpxtest: Record(%q): %v", file, err))
			break
		}
		t.Cleanup(rec.check)
	}
	return rec
}

type recorder struct {
	t         testing.TB
	file      string
	next      httpx.Transport
	recording bool
	err       error // a file that cannot be read: every request fails with it

	mu        sync.Mutex
	exchanges []exchange
	used      []bool
	unmatched []string // replay failures, reported at cleanup as a Mock does
}

func (r *recorder) fail(msg string) {
	r.t.Helper()
	r.t.Errorf("%s", msg)
	r.err = &UnmatchedError{Reason: msg}
}

// cassette is the file format: a list of exchanges in the order they
// completed.
type cassette struct {
	Exchanges []exchange `json:"exchanges"`
}

type exchange struct {
	Request  recordedRequest  `json:"request"`
	Response recordedResponse `json:"response"`
}

// Headers are "Name: value" lines, which keep order and repeated fields and
// read like the wire.
type recordedRequest struct {
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []string `json:"headers,omitempty"`
	// Body is absent for an empty body; then any body matches on replay,
	// which also lets a reader delete a body to match loosely.
	Body       *string `json:"body,omitempty"`
	BodyBase64 *string `json:"body_base64,omitempty"`
}

type recordedResponse struct {
	Status     int      `json:"status"`
	Headers    []string `json:"headers,omitempty"`
	Body       string   `json:"body,omitempty"`
	BodyBase64 string   `json:"body_base64,omitempty"`
}

// HandleRequest records or replays one exchange.
func (r *recorder) HandleRequest(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
	if r.err != nil {
		return nil, r.err
	}
	if req == nil || req.URL == nil {
		return nil, &UnmatchedError{Reason: "the request (or its URL) is nil"}
	}
	body, err := req.Content()
	if err != nil {
		return nil, err
	}
	if r.recording {
		return r.record(ctx, req, body)
	}
	return r.replay(req, body)
}

func (r *recorder) record(ctx context.Context, req *httpx.Request, body []byte) (*httpx.Response, error) {
	resp, err := r.next.HandleRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	content, err := resp.Content()
	resp.Close()
	if err != nil {
		return nil, err
	}
	ex := exchange{
		Request: recordedRequest{
			Method:  req.Method,
			URL:     req.URL.Redacted(),
			Headers: headerLines(req.Headers.Redacted()),
		},
		Response: recordedResponse{Status: resp.StatusCode},
	}
	if len(body) > 0 {
		text, b64 := encodeBody(body)
		if b64 {
			ex.Request.BodyBase64 = &text
		} else {
			ex.Request.Body = &text
		}
	}
	h := resp.Headers.Redacted()
	for _, name := range []string{"Content-Encoding", "Content-Length", "Transfer-Encoding"} {
		h.Del(name)
	}
	ex.Response.Headers = headerLines(h)
	if text, b64 := encodeBody(content); b64 {
		ex.Response.BodyBase64 = text
	} else {
		ex.Response.Body = text
	}
	r.mu.Lock()
	r.exchanges = append(r.exchanges, ex)
	r.mu.Unlock()
	return ex.Response.build()
}

func (r *recorder) replay(req *httpx.Request, body []byte) (*httpx.Response, error) {
	url := req.URL.Redacted()
	r.mu.Lock()
	seen, spent := 0, 0
	for i, ex := range r.exchanges {
		if ex.Request.Method != req.Method || ex.Request.URL != url {
			continue
		}
		seen++
		if want, ok, err := ex.Request.body(); err != nil || ok && !bytes.Equal(want, body) {
			continue
		}
		if r.used[i] {
			spent++
			continue
		}
		r.used[i] = true
		r.mu.Unlock()
		return ex.Response.build()
	}
	r.mu.Unlock()

	reason := fmt.Sprintf("no exchange in %s has this method and URL", r.file)
	switch {
	case spent > 0:
		reason = fmt.Sprintf("all %d matching exchange%s in %s were already replayed", spent, plural(spent), r.file)
	case seen > 0:
		reason = fmt.Sprintf("the %d exchange%s in %s for this method and URL recorded a different request body",
			seen, plural(seen), r.file)
	}
	e := &UnmatchedError{Method: req.Method, URL: url, Reason: reason + " (set " + RecordEnv + "=1 to record afresh)"}
	r.mu.Lock()
	r.unmatched = append(r.unmatched, e.Error())
	r.mu.Unlock()
	return nil, e
}

// body returns the recorded request body and whether one was recorded.
func (q recordedRequest) body() ([]byte, bool, error) {
	switch {
	case q.BodyBase64 != nil:
		b, err := base64.StdEncoding.DecodeString(*q.BodyBase64)
		return b, true, err
	case q.Body != nil:
		return []byte(*q.Body), true, nil
	}
	return nil, false, nil
}

// build makes a fresh response for one replay.
func (s recordedResponse) build() (*httpx.Response, error) {
	opts := make([]httpx.RequestOption, 0, len(s.Headers)+1)
	for _, line := range s.Headers {
		name, value, _ := strings.Cut(line, ":")
		opts = append(opts, httpx.WithHeader(name, strings.TrimLeft(value, " ")))
	}
	body := []byte(s.Body)
	if s.BodyBase64 != "" {
		var err error
		if body, err = base64.StdEncoding.DecodeString(s.BodyBase64); err != nil {
			return nil, &UnmatchedError{Reason: "a recorded response body is not valid base64: " + err.Error()}
		}
	}
	if len(body) > 0 {
		opts = append(opts, httpx.WithContent(body))
	}
	return httpx.NewResponse(s.Status, opts...), nil
}

func headerLines(h httpx.Headers) []string {
	var lines []string
	for name, value := range h.All() {
		lines = append(lines, name+": "+value)
	}
	return lines
}

// encodeBody returns b as text, or as base64 (b64 true) when it is not
// valid UTF-8.
func encodeBody(b []byte) (text string, b64 bool) {
	if utf8.Valid(b) {
		return string(b), false
	}
	return base64.StdEncoding.EncodeToString(b), true
}

func (r *recorder) load() error {
	data, err := os.ReadFile(r.file)
	if err != nil {
		return err
	}
	var c cassette
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("not a recording: %w", err)
	}
	r.exchanges, r.used = c.Exchanges, make([]bool, len(c.Exchanges))
	return nil
}

// check reports the requests a replay could not answer.
func (r *recorder) check() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, msg := range r.unmatched {
		r.t.Errorf("%s", msg)
	}
}

// save writes the recording at cleanup.
func (r *recorder) save() {
	r.t.Helper()
	if r.t.Failed() {
		r.t.Logf("httpxtest: not writing %s: the test failed", r.file)
		return
	}
	r.mu.Lock()
	c := cassette{Exchanges: r.exchanges}
	r.mu.Unlock()
	if c.Exchanges == nil {
		c.Exchanges = []exchange{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // bodies stay readable: no \u003c for '<'
	enc.SetIndent("", "  ")
	err := enc.Encode(c)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(r.file), 0o755)
	}
	if err == nil {
		err = os.WriteFile(r.file, buf.Bytes(), 0o644)
	}
	if err != nil {
		r.t.Errorf("httpxtest: writing the recording %s: %v", r.file, err)
	}
}

// Close closes next when it is an io.Closer, so that a client closing its
// transport releases the real one too.
func (r *recorder) Close() error {
	if c, ok := r.next.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
