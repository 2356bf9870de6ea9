package httpxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/proxy"
)

// Route is one expected request of a Mock and the answer to it, made by
// Mock.On. Its methods configure it and return it, so that a route reads as
// one chained statement; configure a route before the code under test sends
// requests.
type Route struct {
	m       *Mock
	index   int // 1-based position in the mock, as messages number routes
	method  string
	pattern string
	target  proxy.Pattern
	path    []string // nil: any path; else one entry per segment, "{name}" captures
	broken  bool     // the pattern or a matcher was invalid (already reported)

	matchers []matcher
	respond  func(*httpx.Request) (*httpx.Response, error)
	times    int
	hasTimes bool
	optional bool
	calls    []*httpx.Request
}

// matcher is one extra condition on a request; check returns "" when the
// request passes, else why it does not.
type matcher struct {
	kind  string // "query", "header" or "JSON body": the first words of a failure
	check func(req *httpx.Request, body []byte) string
}

// parseRoutePattern splits "scheme://host[:port]/path/{name}" into the mount
// key and the path segments. A path begins at the first "/" after "://",
// so an IP prefix key ("all://10.0.0.0/8") would read as an address and a
// path; mocks name hosts, not networks.
func (r *Route) parsePattern(pattern string) error {
	key, path := pattern, ""
	if i := strings.Index(pattern, "://"); i >= 0 {
		if j := strings.IndexByte(pattern[i+3:], '/'); j >= 0 {
			key, path = pattern[:i+3+j], pattern[i+3+j:]
		}
	}
	if strings.ContainsAny(pattern, "?#") {
		return fmt.Errorf("a route pattern has no query or fragment; use WithQuery to match query parameters")
	}
	p, err := proxy.ParsePattern(key)
	if err != nil {
		return err
	}
	r.target = p
	if path != "" {
		r.path = strings.Split(path[1:], "/")
		for i, seg := range r.path {
			if isCapture(seg) {
				continue
			}
			if strings.ContainsAny(seg, "{}") {
				return fmt.Errorf("path segment %d %q: a {name} capture must be the whole segment", i+1, seg)
			}
			dec, err := url.PathUnescape(seg)
			if err != nil {
				return fmt.Errorf("path segment %d %q: %v", i+1, seg, err)
			}
			r.path[i] = dec
		}
	}
	return nil
}

func isCapture(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// match reports how far req gets through the route's checks (method, then
// scheme/host/port, then path, then each matcher in the order added), why
// it stopped ("" when it passed them all), and the path values captured.
// The stage lets the mock name the nearest route for a request that matches
// none.
func (r *Route) match(req *httpx.Request, body []byte) (stage int, reason string, values map[string]string) {
	if r.broken {
		return -1, "the route's pattern or a matcher is invalid", nil
	}
	if r.method != "" && r.method != req.Method {
		return 0, fmt.Sprintf("method differs: got %s, want %s", req.Method, r.method), nil
	}
	u := req.URL
	switch r.target.Mismatch(u.Scheme(), u.RawHost(), u.EffectivePort()) {
	case "scheme":
		return 1, fmt.Sprintf("scheme differs: got %q", u.Scheme()), nil
	case "host":
		return 1, fmt.Sprintf("host differs: got %q", u.RawHost()), nil
	case "port":
		return 1, fmt.Sprintf("port differs: got %d", u.EffectivePort()), nil
	}
	values, reason = r.matchPath(u)
	if reason != "" {
		return 2, reason, nil
	}
	for i, m := range r.matchers {
		if why := m.check(req, body); why != "" {
			return 3 + i, m.kind + " matcher: " + why, nil
		}
	}
	return 3 + len(r.matchers), "", values
}

// matchPath compares the request path segment by segment; captures take the
// decoded segment, literal segments compare decoded too.
func (r *Route) matchPath(u *httpx.URL) (map[string]string, string) {
	if r.path == nil {
		return nil, ""
	}
	raw, _, _ := strings.Cut(u.RawPath(), "?")
	got := strings.Split(strings.TrimPrefix(raw, "/"), "/")
	var values map[string]string
	for i := 0; i < max(len(got), len(r.path)); i++ {
		if i >= len(r.path) {
			return nil, fmt.Sprintf("path segment %d differs: got %q, want the end of the path", i+1, got[i])
		}
		want := r.path[i]
		if i >= len(got) {
			return nil, fmt.Sprintf("path segment %d differs: got the end of the path, want %q", i+1, want)
		}
		seg, err := url.PathUnescape(got[i])
		if err != nil {
			seg = got[i]
		}
		if isCapture(want) {
			if seg == "" {
				return nil, fmt.Sprintf("path segment %d differs: got an empty segment, want a value for %s", i+1, want)
			}
			if values == nil {
				values = make(map[string]string, len(r.path))
			}
			values[want[1:len(want)-1]] = seg
			continue
		}
		if seg != want {
			return nil, fmt.Sprintf("path segment %d differs: got %q, want %q", i+1, seg, want)
		}
	}
	return values, ""
}

// describe names the route in messages: its number, method and pattern.
func (r *Route) describe() string {
	method := r.method
	if method == "" {
		method = "any method"
	}
	return fmt.Sprintf("route #%d (%s %q)", r.index, method, r.pattern)
}

// callsLeft reports whether a Times limit still allows a call.
func (r *Route) callsLeft() bool { return !r.hasTimes || len(r.calls) < r.times }

// Respond makes the route answer with a fresh httpx.NewResponse(status,
// opts...) for every call, so each caller can read its body. Options that
// hold a reader (WithBody) are single-use; give bodies as values
// (WithContent, WithText, WithJSON). Without Respond or RespondWith a route
// answers 200 with an empty body.
func (r *Route) Respond(status int, opts ...httpx.RequestOption) *Route {
	return r.RespondWith(func(*httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(status, opts...), nil
	})
}

// RespondWith makes the route answer each call with f's result: a response,
// or an error returned to the caller as the transport's (to simulate a
// network failure, return one). f runs outside the mock's lock, possibly
// on several goroutines at once. PathValue gives it the path's captures.
func (r *Route) RespondWith(f func(*httpx.Request) (*httpx.Response, error)) *Route {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	r.respond = f
	return r
}

// Times makes the route expect exactly n calls, checked at cleanup. Once it
// has had n calls it no longer answers: a later route for the same request
// does, so routes added in order form a sequence (a 503 once, then a 200),
// and a request no route has calls left for fails. Times(0) asserts that a
// request is never made (unless a later route takes it).
func (r *Route) Times(n int) *Route {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	if n < 0 {
		r.m.t.Helper()
		r.m.t.Errorf("httpxtest: %s: Times(%d): a call count cannot be negative", r.describe(), n)
		n = 0
	}
	r.times, r.hasTimes = n, true
	return r
}

// Optional lets the route go uncalled; by default a route must be called at
// least once. With Times, Times wins.
func (r *Route) Optional() *Route {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	r.optional = true
	return r
}

// Calls returns the requests the route answered, in order. Their bodies
// were read when they arrived, so Content works on them.
func (r *Route) Calls() []*httpx.Request {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	return slices.Clone(r.calls)
}

// WithQuery makes the route match only requests whose query has value among
// the values of key.
func (r *Route) WithQuery(key, value string) *Route {
	return r.addMatcher(matcher{kind: "query", check: func(req *httpx.Request, _ []byte) string {
		got := req.URL.Params().Values(key)
		if slices.Contains(got, value) {
			return ""
		}
		if len(got) == 0 {
			return fmt.Sprintf("%q is missing, want %q", key, value)
		}
		return fmt.Sprintf("%q is %s, want %q", key, quoteAll(got), value)
	}})
}

// WithHeader makes the route match only requests with value among the
// values of the header key (compared case-insensitively by name, exactly by
// value). The values of secret headers (Authorization, Cookie, ...) are not
// shown in failure messages.
func (r *Route) WithHeader(key, value string) *Route {
	secret := httpx.NewHeaders(key, "x").Redacted().Get(key) == httpx.Masked
	return r.addMatcher(matcher{kind: "header", check: func(req *httpx.Request, _ []byte) string {
		got := req.Headers.Values(key)
		switch {
		case slices.Contains(got, value):
			return ""
		case len(got) == 0:
			return fmt.Sprintf("%q is missing", key)
		case secret:
			return fmt.Sprintf("%q differs (value hidden)", key)
		}
		return fmt.Sprintf("%q is %s, want %q", key, quoteAll(got), value)
	}})
}

// WithJSON makes the route match only requests whose body decodes to the
// same JSON value as v encodes to, so key order and spacing do not matter
// (numbers compare as float64, as encoding/json decodes them).
func (r *Route) WithJSON(v any) *Route {
	wantJSON, err := json.Marshal(v)
	var want any
	if err == nil {
		err = json.Unmarshal(wantJSON, &want)
	}
	if err != nil {
		r.m.t.Helper()
		r.m.t.Errorf("httpxtest: %s: WithJSON: %v", r.describe(), err)
		r.m.mu.Lock()
		r.broken = true
		r.m.mu.Unlock()
		return r
	}
	return r.addMatcher(matcher{kind: "JSON body", check: func(_ *httpx.Request, body []byte) string {
		var got any
		if err := json.Unmarshal(body, &got); err != nil {
			return fmt.Sprintf("the body is not JSON (%v): %s", err, abbreviate(body))
		}
		if reflect.DeepEqual(got, want) {
			return ""
		}
		// Both in canonical form (sorted keys, no spaces), so the
		// difference is easy to spot.
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		return fmt.Sprintf("got %s, want %s", abbreviate(gotJSON), abbreviate(wantJSON))
	}})
}

func (r *Route) addMatcher(m matcher) *Route {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	r.matchers = append(r.matchers, m)
	return r
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// abbreviate keeps failure messages readable when a body is large.
func abbreviate(b []byte) string {
	const limit = 200
	b = bytes.TrimSpace(b)
	if len(b) <= limit {
		return string(b)
	}
	return string(b[:limit]) + "..."
}
