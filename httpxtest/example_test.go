package httpxtest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/httpxtest"
)

// These examples show the body of a test function; they are compiled, not
// run, because a mock reports to the test's *testing.T.

// A mock answers from routes and, when the test ends, fails it for every
// route that was not called and every request that matched no route.
func ExampleNewMock() {
	var t *testing.T // the test's *testing.T
	t.Parallel()     // mocks share nothing, so tests using them may run in parallel

	mock := httpxtest.NewMock(t)
	mock.On("GET", "https://api.example.com/users/{id}").
		Respond(200, httpx.WithJSON(map[string]string{"name": "Ada"}))
	mock.On("POST", "https://api.example.com/users").
		WithJSON(map[string]string{"name": "Grace"}).
		Respond(201).
		Times(1)

	client := httpx.NewClient(httpx.WithTransport(mock))
	defer client.Close()
	ctx := context.Background()

	resp, err := client.Get(ctx, "https://api.example.com/users/1")
	if err != nil {
		t.Fatal(err)
	}
	var user struct{ Name string }
	if err := resp.JSON(&user); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Post(ctx, "https://api.example.com/users", httpx.WithJSON(map[string]string{"name": "Grace"})); err != nil {
		t.Fatal(err)
	}
}

// PathValue gives a RespondWith function what the route's "{name}"
// segments captured.
func ExamplePathValue() {
	var t *testing.T // the test's *testing.T
	mock := httpxtest.NewMock(t)
	mock.On("GET", "https://api.example.com/users/{id}").
		RespondWith(func(req *httpx.Request) (*httpx.Response, error) {
			id := httpxtest.PathValue(req, "id")
			return httpx.NewResponse(200, httpx.WithText("user "+id)), nil
		})
}

// Routes for the same request form a sequence when the first has a call
// count: here a flaky endpoint fails twice before it answers, which is how
// code that retries is tested.
func ExampleRoute_Times() {
	var t *testing.T // the test's *testing.T
	mock := httpxtest.NewMock(t)
	mock.On("GET", "https://api.example.com/report").Respond(503).Times(2)
	mock.On("GET", "https://api.example.com/report").Respond(200, httpx.WithText("ready"))

	client := httpx.NewClient(httpx.WithTransport(mock))
	defer client.Close()
	for range 3 { // 503, 503, 200
		resp, err := client.Get(context.Background(), "https://api.example.com/report")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(resp.StatusCode)
	}
}

// Record talks to the real API the first time (or with GOHTTPX_RECORD=1)
// and writes testdata/github.json; later runs replay it offline.
func ExampleRecord() {
	var t *testing.T // the test's *testing.T
	tr := httpxtest.Record(t, "testdata/github.json", &httpx.HTTPTransport{})
	client := httpx.NewClient(httpx.WithTransport(tr))
	defer client.Close()

	resp, err := client.Get(context.Background(), "https://api.github.com/repos/golang/go",
		httpx.WithHeader("Authorization", "Bearer "+"token from the environment")) // written as [secure]
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(resp.StatusCode)
}
