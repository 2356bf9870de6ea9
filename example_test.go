package httpx_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gohttpx/httpx"
)

// helloApp is an in-process app for the examples, standing in for a server.
var helloApp = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/headers":
		fmt.Fprintf(w, `{"headers": {"User-Agent": %q, "X-Custom": %q}}`, r.UserAgent(), r.Header.Get("X-Custom"))
	case "/missing":
		http.NotFound(w, r)
	default:
		w.Write([]byte("Hello World!"))
	}
})

// Client Instances / Usage: a client pools connections and must be closed.
func Example_client() {
	client := httpx.NewClient(httpx.WithApp(helloApp))
	defer client.Close()

	r, err := client.Get(context.Background(), "https://example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r)
	// Output: <Response [200 OK]>
}

// Client Instances / Making requests: custom headers on one request.
func ExampleClient_Get() {
	client := httpx.NewClient(httpx.WithApp(helloApp))
	defer client.Close()

	r, _ := client.Get(context.Background(), "https://example.com", httpx.WithHeaders(map[string]string{"X-Custom": "value"}))
	fmt.Println(r.Request.Headers.Get("X-Custom"))
	// Output: value
}

// Client Instances / Sharing configuration across requests.
func ExampleWithHeaders() {
	client := httpx.NewClient(httpx.WithApp(helloApp), httpx.WithHeaders(map[string]string{"user-agent": "my-app/0.0.1"}))
	defer client.Close()

	r, _ := client.Get(context.Background(), "http://httpbin.org/headers")
	var body struct {
		Headers map[string]string `json:"headers"`
	}
	r.JSON(&body)
	fmt.Println(body.Headers["User-Agent"])
	// Output: my-app/0.0.1
}

// Client Instances / Merging of configuration: headers and params combine,
// other options take the request's value.
func ExampleNewClient_merging() {
	client := httpx.NewClient(
		httpx.WithApp(helloApp),
		httpx.WithHeaders(map[string]string{"X-Auth": "from-client"}),
		httpx.WithParams(map[string]string{"client_id": "client1"}),
		httpx.WithAuth(httpx.BasicAuth("tom", "mot123")),
	)
	defer client.Close()

	r, _ := client.Get(context.Background(), "https://example.com",
		httpx.WithHeaders(map[string]string{"X-Custom": "from-request"}),
		httpx.WithParams(map[string]string{"request_id": "request1"}),
		httpx.WithAuth(httpx.BasicAuth("alice", "ecila123")),
	)
	fmt.Println(r.Request.URL)
	fmt.Println(r.Request.Headers.Get("X-Auth"), r.Request.Headers.Get("X-Custom"))
	_, auth, _ := strings.Cut(r.Request.Headers.Get("Authorization"), " ")
	decoded, _ := base64.StdEncoding.DecodeString(auth)
	fmt.Println(string(decoded))
	// Output:
	// https://example.com?client_id=client1&request_id=request1
	// from-client from-request
	// alice:ecila123
}

// Client Instances / Other Client-only configuration options: base_url.
func ExampleWithBaseURL() {
	client := httpx.NewClient(httpx.WithApp(helloApp), httpx.WithBaseURL("http://httpbin.org"))
	defer client.Close()

	r, _ := client.Get(context.Background(), "/headers")
	fmt.Println(r.Request.URL)
	// Output: http://httpbin.org/headers
}

// Calling into Python Web Apps: an http.Handler called in process.
func ExampleWithApp() {
	client := httpx.NewClient(httpx.WithApp(helloApp), httpx.WithBaseURL("http://testserver"))
	defer client.Close()

	r, _ := client.Get(context.Background(), "/")
	text, _ := r.Text()
	fmt.Println(r.StatusCode, text)
	// Output: 200 Hello World!
}

// Calling into Python Web Apps: a client address of "1.2.3.4" (handlers see
// it with HTTPX's client port 123), and
// inspecting 500 responses instead of getting errors for panics.
func ExampleHandlerTransport() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/crash" {
			panic("oops")
		}
		fmt.Fprint(w, r.RemoteAddr)
	})
	transport := &httpx.HandlerTransport{Handler: app, RemoteAddr: "1.2.3.4", RecoverPanics: true}
	client := httpx.NewClient(httpx.WithTransport(transport), httpx.WithBaseURL("http://testserver"))
	defer client.Close()

	r, _ := client.Get(context.Background(), "/")
	text, _ := r.Text()
	fmt.Println(text)
	r, _ = client.Get(context.Background(), "/crash")
	fmt.Println(r.StatusCode)
	// Output:
	// 1.2.3.4:123
	// 500
}

// Request instances: build, adjust, send.
func ExampleClient_BuildRequest() {
	headers := map[string]string{"X-Api-Key": "...", "X-Client-ID": "ABC123"}
	client := httpx.NewClient(httpx.WithApp(helloApp), httpx.WithHeaders(headers))
	defer client.Close()

	request, _ := client.BuildRequest("GET", "https://api.example.com")
	fmt.Println(request.Headers.Get("X-Client-ID"))

	// Don't send the API key for this particular request.
	request.Headers.Del("X-Api-Key")

	response, _ := client.Send(context.Background(), request)
	fmt.Println(response.Request.Headers.Has("X-Api-Key"))
	// Output:
	// ABC123
	// false
}

// Request instances: an 'OPTIONS *' request, its target set by the "target"
// extension (HTTPX's extensions["target"]).
func ExampleClient_Send_optionsStar() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Method, " ", r.RequestURI)
	})
	client := httpx.NewClient(httpx.WithApp(app))
	defer client.Close()

	request, _ := client.BuildRequest("OPTIONS", "https://example.com")
	request.Extensions = map[string]any{"target": "*"}
	response, _ := client.Send(context.Background(), request)
	text, _ := response.Text()
	fmt.Println(text)
	// Output: OPTIONS *
}

// Request instances: a standalone request sent with a client.
func ExampleNewRequest() {
	request, _ := httpx.NewRequest("GET", "https://example.com")
	client := httpx.NewClient(httpx.WithApp(helloApp))
	defer client.Close()

	response, _ := client.Send(context.Background(), request)
	fmt.Println(response)
	// Output: <Response [200 OK]>
}

// Event Hooks: logging every request and response.
func ExampleEventHooks() {
	logRequest := func(request *httpx.Request) error {
		fmt.Printf("Request event hook: %s %s - Waiting for response\n", request.Method, request.URL)
		return nil
	}
	logResponse := func(response *httpx.Response) error {
		request := response.Request
		fmt.Printf("Response event hook: %s %s - Status %d\n", request.Method, request.URL, response.StatusCode)
		return nil
	}
	client := httpx.NewClient(httpx.WithApp(helloApp), httpx.WithEventHooks(httpx.EventHooks{
		Request:  []func(*httpx.Request) error{logRequest},
		Response: []func(*httpx.Response) error{logResponse},
	}))
	defer client.Close()

	client.Get(context.Background(), "https://example.com/")
	// Output:
	// Request event hook: GET https://example.com/ - Waiting for response
	// Response event hook: GET https://example.com/ - Status 200
}

// Event Hooks: a client that always fails on 4xx and 5xx, with hooks set
// after construction.
func ExampleClient_EventHooks() {
	raiseOn4xx5xx := func(response *httpx.Response) error { return response.RaiseForStatus() }
	client := httpx.NewClient(httpx.WithApp(helloApp))
	defer client.Close()
	client.EventHooks.Response = []func(*httpx.Response) error{raiseOn4xx5xx}

	_, err := client.Get(context.Background(), "https://example.com/missing")
	fmt.Println(err)
	// Output:
	// Client error '404 Not Found' for url 'https://example.com/missing'
	// For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/404
}

// tokenAuth is the docs' MyCustomAuth: resend with a token after a 401.
type tokenAuth struct{ token string }

func (a tokenAuth) Flow(ctx context.Context, req *httpx.Request, send func(*httpx.Request) (*httpx.Response, error)) (*httpx.Response, error) {
	response, err := send(req)
	if err != nil || response.StatusCode != 401 {
		return response, err
	}
	// If the server issues a 401 response then resend the request,
	// with a custom X-Authentication header.
	req.Headers.Set("X-Authentication", a.token)
	return send(req)
}

// Customizing authentication: a multi-step flow.
func ExampleAuth() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Authentication") != "secret" {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, "welcome")
	})
	client := httpx.NewClient(httpx.WithApp(app), httpx.WithAuth(tokenAuth{token: "secret"}))
	defer client.Close()

	r, _ := client.Get(context.Background(), "https://example.com/")
	text, _ := r.Text()
	fmt.Println(r.StatusCode, text, len(r.History), r.History[0].StatusCode)
	// Output: 200 welcome 1 401
}

// Customizing authentication: a function that modifies the request.
func ExampleAuthFunc() {
	auth := httpx.AuthFunc(func(request *httpx.Request) error {
		request.Headers.Set("X-Authentication", "token")
		return nil
	})
	client := httpx.NewClient(httpx.WithApp(helloApp), httpx.WithAuth(auth))
	defer client.Close()

	r, _ := client.Get(context.Background(), "https://example.com/")
	fmt.Println(r.Request.Headers.Get("X-Authentication"))
	// Output: token
}

// Mock transports: switch to a mock when testing.
func ExampleMockTransport() {
	handler := func(request *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithJSON(map[string]string{"text": "Hello, world!"})), nil
	}
	// Switch to a mock transport if the TESTING environment variable is set
	// (this example sets it, to run offline).
	os.Setenv("TESTING", "true")
	var transport httpx.Transport
	if strings.ToUpper(os.Getenv("TESTING")) == "TRUE" {
		transport = httpx.MockTransport(handler)
	} else {
		transport = &httpx.HTTPTransport{}
	}
	client := httpx.NewClient(httpx.WithTransport(transport))
	defer client.Close()

	r, _ := client.Get(context.Background(), "https://example.org/")
	text, _ := r.Text()
	fmt.Println(text)
	// Output: {"text":"Hello, world!"}
}

// Mounting transports: mock one domain, other requests go as usual.
func ExampleWithMounts() {
	handler := func(request *httpx.Request) (*httpx.Response, error) {
		return httpx.NewResponse(200, httpx.WithJSON(map[string]string{"text": "Hello, World!"})), nil
	}
	mounts := map[string]httpx.Transport{"all://example.org": httpx.MockTransport(handler)}
	client := httpx.NewClient(httpx.WithMounts(mounts), httpx.WithApp(helloApp))
	defer client.Close()

	r, _ := client.Get(context.Background(), "https://example.org/")
	mocked, _ := r.Text()
	r, _ = client.Get(context.Background(), "https://example.com/")
	usual, _ := r.Text()
	fmt.Println(mocked)
	fmt.Println(usual)
	// Output:
	// {"text":"Hello, World!"}
	// Hello World!
}

// helloWorldTransport is the docs' HelloWorldTransport.
type helloWorldTransport struct{}

func (helloWorldTransport) HandleRequest(ctx context.Context, request *httpx.Request) (*httpx.Response, error) {
	return httpx.NewResponse(200, httpx.WithJSON(map[string]string{"text": "Hello, world!"})), nil
}

// Custom transports: any type with HandleRequest.
func ExampleTransport() {
	client := httpx.NewClient(httpx.WithTransport(helloWorldTransport{}))
	defer client.Close()

	response, _ := client.Get(context.Background(), "https://example.org/")
	var body map[string]string
	response.JSON(&body)
	fmt.Println(body)
	// Output: map[text:Hello, world!]
}

// httpsRedirectTransport is the docs' HTTPSRedirect transport.
type httpsRedirectTransport struct{}

func (httpsRedirectTransport) HandleRequest(ctx context.Context, request *httpx.Request) (*httpx.Response, error) {
	url, err := request.URL.CopyWith(httpx.URLComponents{Scheme: "https"})
	if err != nil {
		return nil, err
	}
	return httpx.NewResponse(303, httpx.WithHeader("Location", url.String())), nil
}

// Custom transports: a router that always redirects http:// to https://.
func ExampleNewMounts() {
	transport := httpx.NewMounts(map[string]httpx.Transport{
		"http://":  httpsRedirectTransport{},
		"https://": &httpx.HandlerTransport{Handler: helloApp},
	})
	client := httpx.NewClient(httpx.WithTransport(transport), httpx.WithFollowRedirects(true))
	defer client.Close()

	r, _ := client.Get(context.Background(), "http://example.com/")
	fmt.Println(r.URL(), r.History)
	// Output: https://example.com/ [<Response [303 See Other]>]
}

// Custom transports: net/http's own transports (or any RoundTripper) plug in.
func ExampleFromRoundTripper() {
	transport := httpx.FromRoundTripper(http.DefaultTransport)
	client := httpx.NewClient(httpx.WithTransport(transport))
	defer client.Close()
	fmt.Println(client.Err())
	// Output: <nil>
}

// StdClient hands an *http.Client to code that only accepts one; its
// requests go through the client's mounts, hooks and auth.
func ExampleClient_StdClient() {
	client := httpx.NewClient(httpx.WithApp(helloApp), httpx.WithHeader("X-Custom", "from-httpx"))
	defer client.Close()

	std := client.StdClient()
	resp, err := std.Get("https://example.com/headers")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var body struct {
		Headers map[string]string `json:"headers"`
	}
	jsonDecode(resp.Body, &body)
	fmt.Println(body.Headers["X-Custom"])
	// Output: from-httpx
}

// The docs' fine-grained timeout, httpx.Timeout(10.0, connect=60.0): ten
// seconds for every phase but the connect, which gets sixty.
func ExampleTimeouts() {
	t := httpx.Timeouts(10 * time.Second).WithConnect(60 * time.Second)
	client := httpx.NewClient(httpx.WithTimeout(t))
	defer client.Close()
	fmt.Println(client.Timeout)
	// Output: Timeout(connect=1m0s, read=10s, write=10s, pool=10s)
}
