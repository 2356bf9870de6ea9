package httpxtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gohttpx/httpx"
)

// Mock is an httpx.Transport that answers requests from routes, for tests
// (respx's router, pytest-httpx's httpx_mock). Give it to a client with
// httpx.WithTransport or httpx.WithMounts; the client's StdClient then
// carries the mock to code that only takes an *http.Client.
//
// Routes are tried in the order they were added, and the first that
// accepts the request and has calls left answers it. A request no route
// answers gets an *UnmatchedError (errors.Is(err, httpx.ErrRequest) holds)
// and fails the test at cleanup, with the nearest route and why it did not
// match. At cleanup the mock also checks every route's call count.
//
// A Mock is safe for concurrent use and has no global state, so tests that
// use it may run with t.Parallel.
type Mock struct {
	t testing.TB

	mu        sync.Mutex
	routes    []*Route
	calls     []*httpx.Request
	unmatched []string // failures to report at cleanup
}

// NewMock returns an empty mock whose checks run when t's test ends. The
// failures are reported then, not when a request arrives, because requests
// may come from goroutines the test does not own.
func NewMock(t testing.TB) *Mock {
	m := &Mock{t: t}
	t.Cleanup(m.check)
	return m
}

// On adds a route for requests with method ("" for any) whose URL matches
// pattern: a mount key ("all://", "https://", "all://*example.com",
// "http://127.0.0.1:8080", ...) optionally followed by a path, in which a
// "{name}" segment matches any one non-empty segment and is captured for
// PathValue: "https://api.example.com/users/{id}". A pattern without a path
// matches every path; one with a path matches exactly that many segments.
// A pattern or matcher that is invalid fails the test at once and the
// route never matches.
func (m *Mock) On(method, pattern string) *Route {
	m.mu.Lock()
	r := &Route{m: m, index: len(m.routes) + 1, method: strings.ToUpper(method), pattern: pattern}
	err := r.parsePattern(pattern)
	r.broken = err != nil
	m.routes = append(m.routes, r)
	m.mu.Unlock()
	if err != nil {
		m.t.Helper()
		m.t.Errorf("httpxtest: %s: %v", r.describe(), err)
	}
	return r
}

// Calls returns every request the mock received, answered or not, in the
// order they arrived.
func (m *Mock) Calls() []*httpx.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls)
}

// HandleRequest answers req from the first route that accepts it. The
// request body is read first, so matchers and Calls can look at it.
func (m *Mock) HandleRequest(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
	if req == nil || req.URL == nil {
		return nil, &UnmatchedError{Reason: "the request (or its URL) is nil"}
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	body, err := req.Content()
	if err != nil {
		return nil, err
	}

	m.mu.Lock()
	m.calls = append(m.calls, req)
	route, values, reason := m.find(req, body)
	if route == nil {
		e := &UnmatchedError{Method: req.Method, URL: req.URL.Redacted(), Reason: reason}
		m.unmatched = append(m.unmatched, e.Error())
		m.mu.Unlock()
		return nil, e
	}
	route.calls = append(route.calls, req)
	respond := route.respond
	m.mu.Unlock()

	if values != nil {
		setPathValues(req, values)
	}
	if respond == nil {
		return httpx.NewResponse(200), nil
	}
	resp, err := respond(req)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, fmt.Errorf("httpxtest: %s: RespondWith returned no response and no error", route.describe())
	}
	return resp, nil
}

// find returns the route to answer req, or why there is none: the first
// route without calls left that accepted it, else the nearest route (the
// one that got furthest through its checks, the earliest on a tie).
func (m *Mock) find(req *httpx.Request, body []byte) (*Route, map[string]string, string) {
	var (
		spent     *Route
		nearest   *Route
		bestStage = -2
		bestWhy   string
	)
	for _, r := range m.routes {
		stage, why, values := r.match(req, body)
		if why == "" {
			if r.callsLeft() {
				return r, values, ""
			}
			if spent == nil {
				spent = r
			}
			continue
		}
		if stage > bestStage {
			nearest, bestStage, bestWhy = r, stage, why
		}
	}
	switch {
	case spent != nil:
		return nil, nil, fmt.Sprintf("%s matches but was already called %d time%s (Times(%d))",
			spent.describe(), len(spent.calls), plural(len(spent.calls)), spent.times)
	case nearest != nil:
		return nil, nil, fmt.Sprintf("no route matches; the nearest is %s: %s", nearest.describe(), bestWhy)
	}
	return nil, nil, "no route matches; the mock has no routes"
}

// check runs at cleanup: every unanswered request, then every route whose
// call count is wrong.
func (m *Mock) check() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range m.unmatched {
		m.t.Errorf("%s", msg)
	}
	for _, r := range m.routes {
		n := len(r.calls)
		switch {
		case r.broken:
		case r.hasTimes && n != r.times:
			m.t.Errorf("httpxtest: %s was called %d time%s, want exactly %d (Times(%d))",
				r.describe(), n, plural(n), r.times, r.times)
		case !r.hasTimes && !r.optional && n == 0:
			m.t.Errorf("httpxtest: %s was never called (mark it Optional() if that is fine)", r.describe())
		}
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pathValuesKey is the request extension under which a Mock leaves the
// values a route's "{name}" segments captured, as a map[string]string.
const pathValuesKey = "httpxtest.path_values"

// setPathValues stores the captures in a copy of the request's extensions:
// the map may be shared with other requests (one WithExtensions value
// reused), so it is never written in place.
func setPathValues(req *httpx.Request, values map[string]string) {
	ext := make(map[string]any, len(req.Extensions)+1)
	maps.Copy(ext, req.Extensions)
	ext[pathValuesKey] = values
	req.Extensions = ext
}

// PathValue returns the value the matching route's "{name}" segment
// captured from req's path (decoded), or "" when there is none. Use it in
// RespondWith.
func PathValue(req *httpx.Request, name string) string {
	if req == nil {
		return ""
	}
	values, _ := req.Extensions[pathValuesKey].(map[string]string)
	return values[name]
}

// UnmatchedError is what a Mock returns for a request no route answers, and
// what a Record replay returns for a request with no recorded exchange. It
// is a transport failure in httpx's error tree, so errors.Is(err,
// httpx.ErrTransport) and errors.Is(err, httpx.ErrRequest) hold; the same
// failure is reported to the test at cleanup.
type UnmatchedError struct {
	Method string // the request's method
	URL    string // the request's URL, password masked
	Reason string // which route came nearest and why it did not match
}

// Error names the request and the reason.
func (e *UnmatchedError) Error() string {
	if e.Method == "" && e.URL == "" {
		return "httpxtest: " + e.Reason
	}
	return fmt.Sprintf("httpxtest: %s %s: %s", e.Method, e.URL, e.Reason)
}

// Is matches httpx.ErrTransport and its ancestors, the kind a client gives
// any failure a transport returns.
func (e *UnmatchedError) Is(target error) bool { return errors.Is(httpx.ErrTransport, target) }
