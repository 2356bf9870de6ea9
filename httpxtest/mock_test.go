package httpxtest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/httpxtest"
)

// echoPath answers with the path values a route captured, as "name=value".
func echoPath(names ...string) func(*httpx.Request) (*httpx.Response, error) {
	return func(req *httpx.Request) (*httpx.Response, error) {
		var s string
		for _, n := range names {
			s += n + "=" + httpxtest.PathValue(req, n) + ";"
		}
		return httpx.NewResponse(200, httpx.WithText(s)), nil
	}
}

func TestMockAnswers(t *testing.T) {
	t.Parallel()
	type request struct {
		method, url string
		opts        []httpx.RequestOption
	}
	tests := []struct {
		name     string
		routes   func(m *httpxtest.Mock)
		requests []request
		want     []string // status and body of each response
	}{
		{
			name: "exact host and path",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://api.example.com/users").Respond(200, httpx.WithText("users"))
			},
			requests: []request{{method: "GET", url: "https://api.example.com/users"}},
			want:     []string{"200 users"},
		},
		{
			name:     "any method and no path: every path of the host",
			routes:   func(m *httpxtest.Mock) { m.On("", "https://api.example.com").Respond(204) },
			requests: []request{{method: "DELETE", url: "https://api.example.com/a/b"}, {method: "GET", url: "https://api.example.com"}},
			want:     []string{"204 ", "204 "},
		},
		{
			name: "path values, decoded",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://api.example.com/users/{id}/posts/{post}").RespondWith(echoPath("id", "post"))
			},
			requests: []request{
				{method: "GET", url: "https://api.example.com/users/7/posts/a%20b"},
				{method: "GET", url: "https://api.example.com/users/ada/posts/1?x=y"},
			},
			want: []string{"200 id=7;post=a b;", "200 id=ada;post=1;"},
		},
		{
			name:     "mount syntax: any scheme, host and subdomains",
			routes:   func(m *httpxtest.Mock) { m.On("GET", "all://*example.com/ping").Respond(200, httpx.WithText("pong")) },
			requests: []request{{method: "GET", url: "http://example.com/ping"}, {method: "GET", url: "https://eu.api.example.com/ping"}},
			want:     []string{"200 pong", "200 pong"},
		},
		{
			name:     "explicit port",
			routes:   func(m *httpxtest.Mock) { m.On("GET", "http://127.0.0.1:8080/").Respond(200, httpx.WithText("root")) },
			requests: []request{{method: "GET", url: "http://127.0.0.1:8080"}},
			want:     []string{"200 root"},
		},
		{
			name: "first matching route in order of addition",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://api.example.com/users/me").Respond(200, httpx.WithText("me"))
				m.On("GET", "https://api.example.com/users/{id}").RespondWith(echoPath("id"))
			},
			requests: []request{{method: "GET", url: "https://api.example.com/users/me"}, {method: "GET", url: "https://api.example.com/users/9"}},
			want:     []string{"200 me", "200 id=9;"},
		},
		{
			name: "matchers choose among routes of one pattern",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://api.example.com/search").WithQuery("page", "2").Respond(200, httpx.WithText("page 2"))
				m.On("GET", "https://api.example.com/search").WithHeader("X-Tenant", "acme").Respond(200, httpx.WithText("acme"))
				m.On("POST", "https://api.example.com/search").WithJSON(map[string]any{"q": "go", "n": 2}).Respond(200, httpx.WithText("json"))
			},
			requests: []request{
				{method: "GET", url: "https://api.example.com/search", opts: []httpx.RequestOption{httpx.WithParam("page", "2")}},
				{method: "GET", url: "https://api.example.com/search", opts: []httpx.RequestOption{httpx.WithHeader("x-tenant", "acme")}},
				{method: "POST", url: "https://api.example.com/search", opts: []httpx.RequestOption{httpx.WithContent([]byte(`{ "n": 2.0, "q": "go" }`))}},
			},
			want: []string{"200 page 2", "200 acme", "200 json"},
		},
		{
			name: "a spent Times route gives way to the next: a sequence",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://api.example.com/job").Respond(503).Times(2)
				m.On("GET", "https://api.example.com/job").Respond(200, httpx.WithText("done"))
			},
			requests: []request{{method: "GET", url: "https://api.example.com/job"}, {method: "GET", url: "https://api.example.com/job"}, {method: "GET", url: "https://api.example.com/job"}},
			want:     []string{"503 ", "503 ", "200 done"},
		},
		{
			name:     "a route without a response answers 200",
			routes:   func(m *httpxtest.Mock) { m.On("PUT", "https://api.example.com/x") },
			requests: []request{{method: "PUT", url: "https://api.example.com/x"}},
			want:     []string{"200 "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := within(t, 5*time.Second)
			mock := httpxtest.NewMock(t)
			tt.routes(mock)
			client := httpx.NewClient(httpx.WithTransport(mock))
			defer client.Close()
			var got []string
			for _, r := range tt.requests {
				resp, err := client.Request(ctx, r.method, r.url, r.opts...)
				require.NoError(t, err)
				text, err := resp.Text()
				require.NoError(t, err)
				got = append(got, fmt.Sprintf("%d %s", resp.StatusCode, text))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestMockUnmatched checks the error a request no route answers gets, and
// the failure the test gets at cleanup, naming the nearest route.
func TestMockUnmatched(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		routes func(m *httpxtest.Mock)
		method string
		url    string
		opts   []httpx.RequestOption
		want   string // the reason, in the error and in the test failure
	}{
		{
			name:   "no routes",
			routes: func(*httpxtest.Mock) {},
			method: "GET", url: "https://api.example.com/",
			want: "no route matches; the mock has no routes",
		},
		{
			name:   "method differs",
			routes: func(m *httpxtest.Mock) { m.On("POST", "https://api.example.com/users").Optional() },
			method: "GET", url: "https://api.example.com/users",
			want: `no route matches; the nearest is route #1 (POST "https://api.example.com/users"): method differs: got GET, want POST`,
		},
		{
			name:   "host differs",
			routes: func(m *httpxtest.Mock) { m.On("GET", "https://api.example.com/users").Optional() },
			method: "GET", url: "https://api.example.org/users",
			want: `the nearest is route #1 (GET "https://api.example.com/users"): host differs: got "api.example.org"`,
		},
		{
			name:   "scheme differs",
			routes: func(m *httpxtest.Mock) { m.On("", "https://api.example.com").Optional() },
			method: "GET", url: "http://api.example.com/users",
			want: `the nearest is route #1 (any method "https://api.example.com"): scheme differs: got "http"`,
		},
		{
			name:   "port differs",
			routes: func(m *httpxtest.Mock) { m.On("GET", "http://127.0.0.1:8080").Optional() },
			method: "GET", url: "http://127.0.0.1:9090/",
			want: `port differs: got 9090`,
		},
		{
			name: "the route that got furthest is the nearest",
			routes: func(m *httpxtest.Mock) {
				m.On("POST", "https://api.example.com/users/{id}").Optional()
				m.On("GET", "https://other.example.com/users/{id}").Optional()
				m.On("GET", "https://api.example.com/users/{id}").Optional()
			},
			method: "GET", url: "https://api.example.com/users/7/posts",
			want: `the nearest is route #3 (GET "https://api.example.com/users/{id}"): path segment 3 differs: got "posts", want the end of the path`,
		},
		{
			name: "on a tie, the earliest route is the nearest",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://a.example.com").Optional()
				m.On("GET", "https://b.example.com").Optional()
			},
			method: "GET", url: "https://c.example.com/",
			want: `the nearest is route #1 (GET "https://a.example.com"): host differs: got "c.example.com"`,
		},
		{
			name:   "literal path segment differs",
			routes: func(m *httpxtest.Mock) { m.On("GET", "https://api.example.com/users/{id}").Optional() },
			method: "GET", url: "https://api.example.com/groups/7",
			want: `path segment 1 differs: got "groups", want "users"`,
		},
		{
			name:   "path too short",
			routes: func(m *httpxtest.Mock) { m.On("GET", "https://api.example.com/users/{id}").Optional() },
			method: "GET", url: "https://api.example.com/users",
			want: `path segment 2 differs: got the end of the path, want "{id}"`,
		},
		{
			name:   "query matcher",
			routes: func(m *httpxtest.Mock) { m.On("GET", "https://api.example.com/s").WithQuery("page", "1").Optional() },
			method: "GET", url: "https://api.example.com/s?page=2&page=3",
			want: `query matcher: "page" is "2", "3", want "1"`,
		},
		{
			name: "header matcher",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://api.example.com/s").WithHeader("X-Tenant", "acme").Optional()
			},
			method: "GET", url: "https://api.example.com/s",
			want: `header matcher: "X-Tenant" is missing`,
		},
		{
			name: "secret header values stay hidden",
			routes: func(m *httpxtest.Mock) {
				m.On("GET", "https://api.example.com/s").WithHeader("Authorization", "Bearer right").Optional()
			},
			method: "GET", url: "https://api.example.com/s",
			opts: []httpx.RequestOption{httpx.WithHeader("Authorization", "Bearer wrong")},
			want: `header matcher: "Authorization" differs (value hidden)`,
		},
		{
			name: "JSON body matcher",
			routes: func(m *httpxtest.Mock) {
				m.On("POST", "https://api.example.com/u").WithJSON(map[string]any{"name": "Ada"}).Optional()
			},
			method: "POST", url: "https://api.example.com/u",
			opts: []httpx.RequestOption{httpx.WithJSON(map[string]any{"name": "Bob", "age": 3})},
			want: `JSON body matcher: got {"age":3,"name":"Bob"}, want {"name":"Ada"}`,
		},
		{
			name:   "a body that is not JSON",
			routes: func(m *httpxtest.Mock) { m.On("POST", "https://api.example.com/u").WithJSON([]int{1}).Optional() },
			method: "POST", url: "https://api.example.com/u",
			opts: []httpx.RequestOption{httpx.WithText("hello")},
			want: `JSON body matcher: the body is not JSON`,
		},
		{
			name:   "a route called more often than Times(n)",
			routes: func(m *httpxtest.Mock) { m.On("GET", "https://api.example.com/once").Times(0) },
			method: "GET", url: "https://api.example.com/once",
			want: `route #1 (GET "https://api.example.com/once") matches but was already called 0 times (Times(0))`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := within(t, 5*time.Second)
			tb := &fakeTB{}
			mock := httpxtest.NewMock(tb)
			tt.routes(mock)
			client := httpx.NewClient(httpx.WithTransport(mock))
			defer client.Close()

			_, err := client.Request(ctx, tt.method, tt.url, tt.opts...)
			require.Error(t, err)
			assert.ErrorIs(t, err, httpx.ErrRequest)
			var ue *httpxtest.UnmatchedError
			require.ErrorAs(t, err, &ue)
			assert.Contains(t, ue.Reason, tt.want)
			assert.Empty(t, tb.errors, "failures are reported at cleanup, not at once")

			errs := tb.finish()
			require.Len(t, errs, 1, "one failure for the request: %q", errs)
			assert.Contains(t, errs[0], tt.method+" "+tt.url)
			assert.Contains(t, errs[0], tt.want)
			assert.NotContains(t, errs[0], "wrong", "a secret header value leaked")
		})
	}
}

// TestMockCallCounts checks what cleanup says about routes called too few
// or too many times.
func TestMockCallCounts(t *testing.T) {
	t.Parallel()
	const u = "https://api.example.com/x"
	tests := []struct {
		name  string
		route func(m *httpxtest.Mock)
		calls int
		want  []string // substrings of the failures, in order; nil = none
	}{
		{"a default route called once", func(m *httpxtest.Mock) { m.On("GET", u) }, 1, nil},
		{"a default route called twice", func(m *httpxtest.Mock) { m.On("GET", u) }, 2, nil},
		{"a default route never called", func(m *httpxtest.Mock) { m.On("GET", u) }, 0,
			[]string{`httpxtest: route #1 (GET "https://api.example.com/x") was never called (mark it Optional() if that is fine)`}},
		{"an optional route never called", func(m *httpxtest.Mock) { m.On("GET", u).Optional() }, 0, nil},
		{"Times(2) called twice", func(m *httpxtest.Mock) { m.On("GET", u).Times(2) }, 2, nil},
		{"Times(2) called once", func(m *httpxtest.Mock) { m.On("GET", u).Times(2) }, 1,
			[]string{`route #1 (GET "https://api.example.com/x") was called 1 time, want exactly 2 (Times(2))`}},
		{"Times(1) called twice: the extra call fails, then the count", func(m *httpxtest.Mock) { m.On("GET", u).Times(1) }, 2,
			[]string{`GET https://api.example.com/x: route #1 (GET "https://api.example.com/x") matches but was already called 1 time (Times(1))`}},
		{"Times(0) never called", func(m *httpxtest.Mock) { m.On("GET", u).Times(0) }, 0, nil},
		{"Times wins over Optional", func(m *httpxtest.Mock) { m.On("GET", u).Optional().Times(1) }, 0,
			[]string{`was called 0 times, want exactly 1 (Times(1))`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := within(t, 5*time.Second)
			tb := &fakeTB{}
			mock := httpxtest.NewMock(tb)
			tt.route(mock)
			client := httpx.NewClient(httpx.WithTransport(mock))
			defer client.Close()
			for range tt.calls {
				_, _ = client.Get(ctx, u)
			}
			errs := tb.finish()
			require.Len(t, errs, len(tt.want), "%q", errs)
			for i, w := range tt.want {
				assert.Contains(t, errs[i], w)
			}
		})
	}
}

func TestMockInvalidPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    string
	}{
		{"api.example.com/users", `missing "://"`},
		{"https://api.example.com/users/{id}.json", `path segment 2 "{id}.json": a {name} capture must be the whole segment`},
		{"https://api.example.com/search?q=go", `use WithQuery`},
		{"https://api.example.com:99999/", `invalid port`},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			tb := &fakeTB{}
			mock := httpxtest.NewMock(tb)
			mock.On("GET", tt.pattern)
			require.Len(t, tb.errors, 1, "reported at once")
			assert.Contains(t, tb.errors[0], tt.want)

			_, err := mock.HandleRequest(within(t, 5*time.Second), mustRequest(t, "GET", "https://api.example.com/users"))
			assert.ErrorIs(t, err, httpx.ErrRequest, "a broken route never matches")
			assert.Len(t, tb.finish(), 2, "the unmatched request; no call-count failure for the broken route")
		})
	}
}

func mustRequest(t *testing.T, method, url string, opts ...httpx.RequestOption) *httpx.Request {
	t.Helper()
	req, err := httpx.NewRequest(method, url, opts...)
	require.NoError(t, err)
	return req
}

// TestMockCallsKeepBodies checks that recorded requests can be inspected
// after the client sent them, bodies included.
func TestMockCallsKeepBodies(t *testing.T) {
	t.Parallel()
	ctx := within(t, 5*time.Second)
	mock := httpxtest.NewMock(t)
	users := mock.On("POST", "https://api.example.com/users").Respond(201)
	ping := mock.On("GET", "https://api.example.com/ping").Optional()
	client := httpx.NewClient(httpx.WithTransport(mock))
	defer client.Close()

	for _, name := range []string{"Ada", "Grace"} {
		_, err := client.Post(ctx, "https://api.example.com/users", httpx.WithJSON(map[string]string{"name": name}))
		require.NoError(t, err)
	}

	var names []string
	for _, req := range users.Calls() {
		b, err := req.Content()
		require.NoError(t, err)
		var v map[string]string
		require.NoError(t, json.Unmarshal(b, &v))
		names = append(names, v["name"])
	}
	assert.Equal(t, []string{"Ada", "Grace"}, names)
	assert.Empty(t, ping.Calls())
	require.Len(t, mock.Calls(), 2)
	assert.Same(t, users.Calls()[1], mock.Calls()[1])
}

// TestPathValueLeavesSharedExtensionsAlone checks that the captures do not
// leak into an extensions map that several requests share.
func TestPathValueLeavesSharedExtensionsAlone(t *testing.T) {
	t.Parallel()
	ctx := within(t, 5*time.Second)
	shared := map[string]any{"trace": "on"}
	mock := httpxtest.NewMock(t)
	mock.On("GET", "https://api.example.com/users/{id}").RespondWith(echoPath("id"))
	client := httpx.NewClient(httpx.WithTransport(mock))
	defer client.Close()

	req, err := client.BuildRequest("GET", "https://api.example.com/users/1")
	require.NoError(t, err)
	req.Extensions = shared // a map the caller may hand to other requests too
	resp, err := client.Send(ctx, req)
	require.NoError(t, err)
	text, _ := resp.Text()
	assert.Equal(t, "id=1;", text)
	assert.Equal(t, map[string]any{"trace": "on"}, shared)
	assert.Equal(t, "on", resp.Request.Extensions["trace"], "the request keeps its own extensions")
	assert.Empty(t, httpxtest.PathValue(resp.Request, "nope"))
	assert.Empty(t, httpxtest.PathValue(nil, "id"))
}

func TestRespondWithError(t *testing.T) {
	t.Parallel()
	ctx := within(t, 5*time.Second)
	boom := errors.New("connection reset by mock")
	mock := httpxtest.NewMock(t)
	mock.On("GET", "https://api.example.com/a").RespondWith(func(*httpx.Request) (*httpx.Response, error) { return nil, boom })
	mock.On("GET", "https://api.example.com/b").RespondWith(func(*httpx.Request) (*httpx.Response, error) { return nil, nil })
	client := httpx.NewClient(httpx.WithTransport(mock))
	defer client.Close()

	_, err := client.Get(ctx, "https://api.example.com/a")
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, httpx.ErrRequest)
	_, err = client.Get(ctx, "https://api.example.com/b")
	assert.ErrorContains(t, err, "RespondWith returned no response and no error")
}

// TestMockConcurrent sends from many goroutines at once; run with -race.
func TestMockConcurrent(t *testing.T) {
	t.Parallel()
	ctx := within(t, 10*time.Second)
	const goroutines, each = 16, 25
	mock := httpxtest.NewMock(t)
	route := mock.On("GET", "https://api.example.com/items/{n}").Times(goroutines * each).RespondWith(echoPath("n"))
	other := mock.On("POST", "https://api.example.com/items").Respond(201)
	client := httpx.NewClient(httpx.WithTransport(mock))
	defer client.Close()

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := fmt.Sprint(g*each + i)
				resp, err := client.Get(ctx, "https://api.example.com/items/"+n)
				if err == nil {
					var text string
					if text, err = resp.Text(); err == nil && text != "n="+n+";" {
						err = fmt.Errorf("item %s answered %q", n, text)
					}
				}
				if err == nil && i%5 == 0 {
					_, err = client.Post(ctx, "https://api.example.com/items")
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Len(t, route.Calls(), goroutines*each)
	assert.Len(t, other.Calls(), goroutines*each/5)
	assert.Len(t, mock.Calls(), goroutines*each+goroutines*each/5)
}

// fetchUser stands for a third-party SDK that only takes an *http.Client.
func fetchUser(hc *http.Client, baseURL, id string) (string, error) {
	resp, err := hc.Get(baseURL + "/users/" + id)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var u struct{ Name string }
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
		return "", err
	}
	return u.Name, nil
}

func TestStdClientCarriesTheMock(t *testing.T) {
	t.Parallel()
	tb := &fakeTB{} // the second call is meant to fail the test
	mock := httpxtest.NewMock(tb)
	route := mock.On("GET", "https://api.example.com/users/{id}").
		WithHeader("Authorization", "Bearer t0ken").
		RespondWith(func(req *httpx.Request) (*httpx.Response, error) {
			return httpx.NewResponse(200, httpx.WithJSON(map[string]string{"name": "user " + httpxtest.PathValue(req, "id")})), nil
		})
	client := httpx.NewClient(httpx.WithTransport(mock), httpx.WithHeader("Authorization", "Bearer t0ken"))
	defer client.Close()
	hc := client.StdClient()
	hc.Timeout = 5 * time.Second

	name, err := fetchUser(hc, "https://api.example.com", "42")
	require.NoError(t, err)
	assert.Equal(t, "user 42", name)
	require.Len(t, route.Calls(), 1)

	_, err = fetchUser(hc, "https://api.example.com/v2", "42")
	require.Error(t, err, "an unmatched request fails through net/http too")
	assert.ErrorIs(t, err, httpx.ErrRequest)
	assert.ErrorContains(t, err, `path segment 1 differs: got "v2", want "users"`)
	errs := tb.finish()
	require.Len(t, errs, 1, "%q", errs)
	assert.Contains(t, errs[0], "GET https://api.example.com/v2/users/42")
}
