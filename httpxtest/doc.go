// Package httpxtest mocks HTTP APIs in tests, as respx and pytest-httpx do
// for HTTPX: a [Mock] is an httpx.Transport that answers from routes and
// checks, when the test ends, that every expected request was made and no
// unexpected one was; [Record] records real exchanges to a file once and
// replays them from then on.
//
// Nothing is global: a mock belongs to one client, so tests that use mocks
// can run in parallel, and client.StdClient() carries the mock into SDKs
// that only accept an *http.Client.
//
//	func TestGetUser(t *testing.T) {
//		t.Parallel()
//		mock := httpxtest.NewMock(t)
//		mock.On("GET", "https://api.example.com/users/{id}").
//			RespondWith(func(req *httpx.Request) (*httpx.Response, error) {
//				id := httpxtest.PathValue(req, "id")
//				return httpx.NewResponse(200, httpx.WithJSON(map[string]string{"id": id})), nil
//			})
//		mock.On("POST", "https://api.example.com/users").
//			WithJSON(map[string]string{"name": "Ada"}).
//			Respond(201).Times(1)
//
//		client := httpx.NewClient(httpx.WithTransport(mock))
//		defer client.Close()
//		// ... code under test ...
//	}
//
// Routes are tried in the order they were added; the first that accepts a
// request and has calls left answers it. A request that no route answers
// returns an *UnmatchedError and fails the test at cleanup with the nearest
// route and the reason it did not match ("path segment 3 differs: got
// "posts", want the end of the path").
package httpxtest
