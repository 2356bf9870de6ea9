package httpx_test

// Fault injection: a raw-TCP server (internal/faultserver) misbehaves on
// purpose, and every fault must come back as the right kind of the HTTPX
// error tree, leave no goroutine behind, and never leave a broken
// connection in the pool.

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/gohttpx/httpx/internal/faultserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// faultTimeout bounds every phase of the fault tests: nothing legitimate
// here comes near it, and a missed fault fails fast instead of hanging.
var faultTimeout = httpx.Timeout{Connect: 2 * time.Second, Read: 2 * time.Second, Write: 2 * time.Second, Pool: 2 * time.Second}

// fastRead is faultTimeout with a read timeout short enough to hit.
var fastRead = httpx.Timeout{Connect: 2 * time.Second, Read: 200 * time.Millisecond, Write: 2 * time.Second, Pool: 2 * time.Second}

// nextConn says what the request after a fault must find.
type nextConn int

const (
	nextFresh  nextConn = iota // a new connection: the faulty one was not pooled
	nextReused                 // the same connection: the exchange ended cleanly
	nextEither                 // both are correct (the framing survived the fault)
)

type faultCase struct {
	name    string
	fault   faultserver.Handler // the first connection's script
	method  string              // "" = GET
	opts    []httpx.RequestOption
	client  []httpx.ClientOption
	timeout httpx.Timeout // zero = faultTimeout
	stream  bool          // read the body with Stream + io.ReadAll rather than Get

	want   error  // the most specific kind expected; nil = success
	body   string // the body expected on success
	status int    // the status expected on success; 0 = 200
	next   nextConn
	settle time.Duration // pause before the next request
}

// faultHead is the head of a 200 response with the given extra header lines.
func faultHead(lines ...string) string {
	return "HTTP/1.1 200 OK\r\n" + strings.Join(append(lines, ""), "\r\n") + "\r\n"
}

// faultScript is faultserver.Script after reading the whole request.
func faultScript(steps ...faultserver.Step) faultserver.Handler {
	return faultserver.Script(append([]faultserver.Step{faultserver.ReadFullRequest()}, steps...)...)
}

// faultGate pauses a script briefly, so that the client has read what was
// written before the next step (a reset discards unread data).
var faultGate = faultserver.Sleep(50 * time.Millisecond)

func TestFaultTable(t *testing.T) {
	bigHeader := "X-Big: " + strings.Repeat("a", 1<<20+1024)
	hugeHeader := "X-Huge: " + strings.Repeat("a", 10<<20+1024)
	var hints strings.Builder
	for hints.Len() <= 1<<20+1024 {
		hints.WriteString("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n")
	}
	cases := []faultCase{
		// The connection goes away.
		{name: "closed before response", fault: faultScript(faultserver.Close()), want: httpx.ErrRemoteProtocol},
		{name: "half-closed before response", fault: faultScript(faultserver.CloseWrite(), faultserver.Drain()), want: httpx.ErrRemoteProtocol},
		{name: "reset before response", fault: faultScript(faultserver.Reset()), want: httpx.ErrRead},
		{name: "reset after headers", fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")), faultGate, faultserver.Reset()), want: httpx.ErrRead},
		{name: "reset mid-body", fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")+"half a body"), faultGate, faultserver.Reset()), want: httpx.ErrRead},
		{name: "reset mid-body streamed", stream: true, fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")+"half a body"), faultGate, faultserver.Reset()), want: httpx.ErrRead},
		{name: "reset mid-chunk", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked")+"a\r\nhalf"), faultGate, faultserver.Reset()), want: httpx.ErrRead},

		// The response is cut short or malformed.
		{name: "truncated Content-Length body", fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")+"half a body"), faultserver.Close()), want: httpx.ErrRemoteProtocol},
		{name: "truncated body half-closed", fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")+"half a body"), faultserver.CloseWrite(), faultserver.Drain()), want: httpx.ErrRemoteProtocol},
		{name: "truncated body streamed", stream: true, fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")+"half a body"), faultserver.Close()), want: httpx.ErrRemoteProtocol},
		{name: "truncated headers", fault: faultScript(faultserver.Write("HTTP/1.1 200 OK\r\nContent-Le"), faultserver.Close()), want: httpx.ErrRemoteProtocol},
		{name: "truncated chunked body", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked")+"5\r\nhello\r\n"), faultserver.Close()), want: httpx.ErrRemoteProtocol},
		{name: "bad chunk size", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked") + "zz\r\nhello\r\n0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "chunk longer than its size", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked") + "3\r\nhello\r\n0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		// Framing violations net/http reports only in words (see
		// transport/errors.go's remoteProtocolMessages).
		{name: "empty chunk-size line", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked") + "5\r\nhello\r\n\r\n0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "chunk size overflow", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked") + "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "CR inside chunk-size line", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked") + "5\rx\r\nhello\r\n0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "chunk extensions flood", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked") + strings.Repeat("1;ext="+strings.Repeat("e", 100)+"\r\nx\r\n", 400) + "0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "body truncated in the trailer", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked")+"5\r\nhello\r\n0\r\n"), faultserver.Close()), want: httpx.ErrRemoteProtocol},
		{name: "oversized trailer", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked") + "5\r\nhello\r\n0\r\nX-T: " + strings.Repeat("t", 8<<10) + "\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "forbidden Trailer declaration", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked", "Trailer: Content-Length") + "0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "conflicting Content-Lengths", fault: faultScript(faultserver.Write(faultHead("Content-Length: 2", "Content-Length: 3") + "abc")), want: httpx.ErrRemoteProtocol},
		{name: "empty Content-Length", fault: faultScript(faultserver.Write(faultHead("Content-Length: ") + "abc")), want: httpx.ErrRemoteProtocol},
		{name: "garbage status line", fault: faultScript(faultserver.Write("HELLO WORLD\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "non-numeric status code", fault: faultScript(faultserver.Write("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "unknown protocol version", fault: faultScript(faultserver.Write("HTTP/9.x 200 OK\r\nContent-Length: 0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "header line without colon", fault: faultScript(faultserver.Write("HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n")), want: httpx.ErrRemoteProtocol},
		{name: "invalid Content-Length", fault: faultScript(faultserver.Write(faultHead("Content-Length: abc"))), want: httpx.ErrRemoteProtocol},
		{name: "unsupported Transfer-Encoding", fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: gzip") + "abc")), want: httpx.ErrRemoteProtocol},
		{name: "oversized headers (over net/http's 10 MiB)", fault: faultScript(faultserver.Write(faultHead(hugeHeader, "Content-Length: 0"))), want: httpx.ErrRemoteProtocol},
		{name: "oversized headers (over 1 MiB)", fault: faultScript(faultserver.Write(faultHead(bigHeader, "Content-Length: 0"))), want: httpx.ErrRemoteProtocol},
		{name: "endless 1xx responses", fault: faultScript(faultserver.Write(hints.String() + faultHead("Content-Length: 0"))), want: httpx.ErrRemoteProtocol},

		// Slow peers.
		{name: "slow headers", timeout: fastRead, fault: faultScript(faultserver.Sleep(3*time.Second), faultserver.Respond(200, "late")), want: httpx.ErrReadTimeout},
		{name: "stalled body", timeout: fastRead, fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")+"some"), faultserver.Hold()), want: httpx.ErrReadTimeout},
		{name: "stalled body streamed", stream: true, timeout: fastRead, fault: faultScript(faultserver.Write(faultHead("Content-Length: 100")+"some"), faultserver.Hold()), want: httpx.ErrReadTimeout},
		{name: "stalled chunked body", timeout: fastRead, fault: faultScript(faultserver.Write(faultHead("Transfer-Encoding: chunked")+"4\r\nsome\r\n"), faultserver.Hold()), want: httpx.ErrReadTimeout},
		// Corrupt content encodings: the framing is intact, so reusing the
		// connection is as correct as closing it.
		{name: "invalid gzip", next: nextEither, fault: faultScript(faultserver.Write(faultHead("Content-Encoding: gzip", "Content-Length: 12") + "not gzipped!")), want: httpx.ErrDecoding},
		{name: "invalid deflate", next: nextEither, fault: faultScript(faultserver.Write(faultHead("Content-Encoding: deflate", "Content-Length: 12") + "not deflate!")), want: httpx.ErrDecoding},
		{name: "invalid br", next: nextEither, fault: faultScript(faultserver.Write(faultHead("Content-Encoding: br", "Content-Length: 12") + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")), want: httpx.ErrDecoding},
		{name: "invalid zstd", next: nextEither, fault: faultScript(faultserver.Write(faultHead("Content-Encoding: zstd", "Content-Length: 12") + "not zstd!!!!")), want: httpx.ErrDecoding},
		// A complete body whose gzip stream lacks its trailer: as HTTPX, the
		// data decoded so far, without an error.
		{name: "truncated gzip", next: nextEither, fault: faultScript(faultserver.Write(faultHead("Content-Encoding: gzip", fmt.Sprintf("Content-Length: %d", len(faultTruncatedGzip))) + faultTruncatedGzip)), body: faultGzipText},
		{name: "invalid gzip streamed", stream: true, next: nextEither, fault: faultScript(faultserver.Write(faultHead("Content-Encoding: gzip", "Content-Length: 12") + "not gzipped!")), want: httpx.ErrDecoding},

		// Odd but legal, or tolerated the way net/http tolerates them.
		{
			name: "HTTP/1.0 body delimited by close",
			fault: faultScript(faultserver.Write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil "), faultserver.Sleep(20*time.Millisecond),
				faultserver.Write("the end"), faultserver.Close()),
			body: "until the end",
		},
		{
			name:  "HTTP/1.1 body delimited by close",
			fault: faultScript(faultserver.Write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"), faultserver.Close()),
			body:  "until the end",
		},
		{
			// net/http reads Content-Length bytes; the rest arrives on an idle
			// connection, which it then closes ("Unsolicited response").
			name: "Content-Length smaller than sent", settle: 50 * time.Millisecond,
			fault: faultScript(faultserver.Write(faultHead("Content-Length: 5") + "helloEXTRA")),
			body:  "hello",
		},
		{
			// RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and
			// the connection must not be reused (request smuggling).
			name: "Content-Length with Transfer-Encoding", next: nextEither,
			fault: faultScript(faultserver.Write(faultHead("Content-Length: 100", "Transfer-Encoding: chunked") + "5\r\nhello\r\n0\r\n\r\n")),
			body:  "hello",
		},
		spaceBeforeColon(),
		{name: "NUL in header value", fault: faultScript(faultserver.Write(faultHead("X-Nul: a\x00b", "Content-Length: 0"))), want: httpx.ErrRemoteProtocol},
		{name: "NUL in header name", fault: faultScript(faultserver.Write(faultHead("X-N\x00ul: ab", "Content-Length: 0"))), want: httpx.ErrRemoteProtocol},
		{name: "bare LF line endings", next: nextReused, fault: faultScript(faultserver.Write("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")), body: "ok"},
		{
			name: "103 Early Hints skipped", next: nextReused,
			fault: faultScript(faultserver.Write("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" +
				"HTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\n\r\n" + faultHead("Content-Length: 5") + "final")),
			body: "final",
		},
		{
			name: "unsolicited 100 Continue skipped", next: nextReused,
			fault: faultScript(faultserver.Write("HTTP/1.1 100 Continue\r\n\r\n" + faultHead("Content-Length: 5") + "final")),
			body:  "final",
		},
		{
			name: "HEAD with Content-Length", method: "HEAD", next: nextReused,
			fault: faultScript(faultserver.Write(faultHead("Content-Length: 1000"))),
		},
		{
			name: "204 with a stray body", settle: 50 * time.Millisecond, status: 204,
			fault: faultScript(faultserver.Write("HTTP/1.1 204 No Content\r\n\r\nstray")),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runFault(t, tc) })
	}
}

// faultGzipText is what faultTruncatedGzip holds.
var faultGzipText = strings.Repeat("hello gzip ", 100)

// faultTruncatedGzip is a valid gzip stream cut before its 8-byte trailer.
var faultTruncatedGzip = func() string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(faultGzipText))
	_ = zw.Close()
	return b.String()[:b.Len()-8]
}()

// faultNoLeaks checks, after every other cleanup of the test (client,
// server), that the test left no goroutine behind. Register it first.
func faultNoLeaks(t *testing.T) {
	opts := []goleak.Option{goleak.IgnoreCurrent()}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

// faultClient is a client with short timeouts, closed when the test ends.
func faultClient(t *testing.T, to httpx.Timeout, opts ...httpx.ClientOption) *httpx.Client {
	if to == (httpx.Timeout{}) {
		to = faultTimeout
	}
	c := httpx.NewClient(append([]httpx.ClientOption{httpx.WithTimeout(to)}, opts...)...)
	require.NoError(t, c.Err())
	t.Cleanup(func() { c.Close() })
	return c
}

// faultReuseTries is how often runFault runs a nextReused case before a
// healthy connection that was not reused fails it. net/http declines to pool
// a connection whose writer goroutine has not confirmed the request within
// 50 ms of the response's end, which a loaded machine under -race causes
// once in a while; a connection left unusable by the fault fails every try.
const faultReuseTries = 3

func runFault(t *testing.T, tc faultCase) {
	faultNoLeaks(t)
	for try := 1; !runFaultOnce(t, tc, try == faultReuseTries); try++ {
		t.Logf("try %d: the healthy connection was not reused (slow machine?); running the case again", try)
	}
}

// runFaultOnce runs tc once, under a deadline of its own. It reports false,
// without failing, when a nextReused case found a fresh connection and last
// is not set.
func runFaultOnce(t *testing.T, tc faultCase, last bool) bool {
	ctx := within(t, 10*time.Second)
	// After its fault, the first connection answers "reused" to anything
	// more it is sent; later connections answer "fresh".
	s := faultserver.New(t,
		func(c *faultserver.Conn) { tc.fault(c); c.Serve("reused") },
		faultserver.Script(faultserver.Serve("fresh")),
	)
	client := faultClient(t, tc.timeout, tc.client...)
	method := tc.method
	if method == "" {
		method = "GET"
	}
	url := s.URL("/fault")

	var (
		resp *httpx.Response
		body []byte
		err  error
	)
	start := time.Now()
	if tc.stream {
		resp, err = client.Stream(ctx, method, url, tc.opts...)
		if err == nil {
			body, err = io.ReadAll(resp)
			resp.Close()
		}
	} else {
		resp, err = client.Request(ctx, method, url, tc.opts...)
		if err == nil {
			body, err = resp.Content()
		}
	}
	elapsed := time.Since(start)

	if tc.want == nil {
		require.NoError(t, err)
		status := tc.status
		if status == 0 {
			status = 200
		}
		assert.Equal(t, status, resp.StatusCode)
		assert.Equal(t, tc.body, string(body))
	} else {
		assertFault(t, err, tc.want, url)
	}
	if tc.timeout == fastRead && tc.want != nil {
		// Loose, for loaded CI machines: the faults stall for 3 s or more.
		assert.Less(t, elapsed, 2500*time.Millisecond, "the read timeout took too long to fire")
	}
	// The fault happened on the first connection and nothing retried it.
	assert.Equal(t, 1, s.Accepts(), "accepted connections after the faulty request")
	return checkFaultNext(t, client, s, tc.next, tc.settle, last)
}

// assertFault checks that err is the kind want (most specifically), in the
// tree under ErrHTTP, a *RequestError with its request, naming the URL.
func assertFault(t *testing.T, err error, want error, url string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, want)
	assert.ErrorIs(t, err, httpx.ErrHTTP)
	var re *httpx.RequestError
	if assert.ErrorAs(t, err, &re) && assert.NotNil(t, re.Request, "RequestError.Request") {
		assert.Equal(t, want, re.Kind(), "most specific kind of %q", err)
		if url != "" {
			assert.Equal(t, url, re.Request.URL.String())
		}
		assert.Contains(t, err.Error(), re.Request.URL.String(), "the message names the URL")
	}
	if errors.Is(want, httpx.ErrTimeout) {
		var ne interface{ Timeout() bool }
		assert.True(t, errors.As(err, &ne) && ne.Timeout(), "a timeout is a net.Error timeout")
	}
}

// assertFaultNext sends another request on the same client and checks
// that it succeeds on the connection next asks for.
func assertFaultNext(t *testing.T, client *httpx.Client, s *faultserver.Server, next nextConn, settle time.Duration) {
	t.Helper()
	checkFaultNext(t, client, s, next, settle, true)
}

// checkFaultNext is assertFaultNext; unless strict, a fresh connection where
// next is nextReused is reported as false instead of failing (see
// faultReuseTries).
func checkFaultNext(t *testing.T, client *httpx.Client, s *faultserver.Server, next nextConn, settle time.Duration, strict bool) bool {
	t.Helper()
	if settle > 0 {
		time.Sleep(settle)
	}
	before := s.Accepts()
	resp, err := client.Get(ctx, s.URL("/next"))
	require.NoError(t, err, "the request after the fault")
	text := faultText(t, resp)
	switch next {
	case nextFresh:
		assert.Equal(t, "fresh", text, "the faulty connection went back to the pool")
		assert.Equal(t, before+1, s.Accepts())
	case nextReused:
		if text == "fresh" && !strict {
			return false
		}
		assert.Equal(t, "reused", text, "the healthy connection was not reused")
		assert.Equal(t, before, s.Accepts())
	case nextEither:
		assert.Contains(t, []string{"fresh", "reused"}, text)
	}
	return true
}

// TestFaultTrickle: a response that arrives slowly but never pauses for as
// long as the read timeout succeeds, however long it takes in all: the
// read timeout limits each read, not the exchange.
func TestFaultTrickle(t *testing.T) {
	ctx := within(t, 10*time.Second)
	const (
		readTimeout = 300 * time.Millisecond
		pause       = 30 * time.Millisecond
	)
	to := httpx.Timeout{Connect: 2 * time.Second, Read: readTimeout, Write: 2 * time.Second, Pool: 2 * time.Second}
	body := "0123456789abcdefghij" // 20 pieces: 600 ms in all
	cases := []struct {
		name    string
		head    string // written at once, before the trickle
		trickle string
	}{
		{name: "body", head: faultHead("Content-Length: 20"), trickle: body},
		{name: "chunked body", head: faultHead("Transfer-Encoding: chunked"), trickle: "14\r\n" + body + "\r\n0\r\n\r\n"},
		{name: "headers", trickle: faultHead("Content-Length: 20", "X-Pad: "+strings.Repeat("p", 40)) + body},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			faultNoLeaks(t)
			longest := make(chan time.Duration, 1)
			s := faultserver.New(t, func(c *faultserver.Conn) {
				c.ReadFullRequest()
				c.Write(tc.head)
				chunk := max(1, len(tc.trickle)/20)
				longest <- c.Trickle([]byte(tc.trickle), chunk, pause)
				c.Serve("reused")
			}, faultserver.Script(faultserver.Serve("fresh")))
			client := faultClient(t, to)
			start := time.Now()
			resp, err := client.Get(ctx, s.URL("/trickle"))
			if err != nil && errors.Is(err, httpx.ErrReadTimeout) {
				if gap := <-longest; gap > readTimeout*3/4 {
					t.Skipf("the server itself stalled %v between writes (a loaded machine); the timeout was right", gap)
				}
			}
			require.NoError(t, err)
			assert.Equal(t, body, faultText(t, resp), "accepts %d", s.Accepts())
			assert.Greater(t, time.Since(start), readTimeout, "the whole exchange outlasted the read timeout")
			assertFaultNext(t, client, s, nextReused, 0)
		})
	}
}

// TestFaultConnectionRefused: nothing listens on the port.
func TestFaultConnectionRefused(t *testing.T) {
	ctx := within(t, 10*time.Second)
	faultNoLeaks(t)
	client := faultClient(t, httpx.Timeout{})
	url := "http://" + faultserver.RefusedAddr(t) + "/refused"
	_, err := client.Get(ctx, url)
	assertFault(t, err, httpx.ErrConnect, url)
}

// TestFaultWriteTimeout: the server never reads the request body, so the
// upload blocks once the socket buffers are full.
func TestFaultWriteTimeout(t *testing.T) {
	ctx := within(t, 10*time.Second)
	faultNoLeaks(t)
	s := faultserver.New(t,
		faultserver.Script(faultserver.ReadRequest(), faultserver.Hold()),
		faultserver.Script(faultserver.Serve("fresh")),
	)
	client := faultClient(t, httpx.Timeout{Connect: 2 * time.Second, Read: 2 * time.Second, Write: 200 * time.Millisecond, Pool: 2 * time.Second})
	url := s.URL("/upload")
	start := time.Now()
	_, err := client.Post(ctx, url, httpx.WithBody(io.LimitReader(faultZeros{}, 64<<20)))
	assertFault(t, err, httpx.ErrWriteTimeout, url)
	assert.Less(t, time.Since(start), 5*time.Second, "loose, for loaded machines: without the timeout the upload hangs")
	assert.Equal(t, 1, s.Accepts())
	assertFaultNext(t, client, s, nextFresh, 0)
}

// faultZeros is an endless stream of zero bytes.
type faultZeros struct{}

func (faultZeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestFaultRedirects: redirect loops and redirects to schemes no transport
// handles, through the network. The connection stays healthy and is reused.
func TestFaultRedirects(t *testing.T) {
	ctx := within(t, 10*time.Second)
	redirector := func(c *faultserver.Conn) {
		for r := c.ReadFullRequest(); r != nil; r = c.ReadFullRequest() {
			switch {
			case strings.HasPrefix(r.Target, "/next"):
				c.Respond(200, "reused")
			case strings.HasPrefix(r.Target, "/ftp"):
				c.Respond(302, "", "Location: ftp://127.0.0.1/file")
			default:
				c.Respond(302, "", "Location: /loop")
			}
		}
	}
	t.Run("loop", func(t *testing.T) {
		faultNoLeaks(t)
		s := faultserver.New(t, redirector, faultserver.Script(faultserver.Serve("fresh")))
		client := faultClient(t, httpx.Timeout{}, httpx.WithFollowRedirects(true), httpx.WithMaxRedirects(3))
		_, err := client.Get(ctx, s.URL("/start"))
		assertFault(t, err, httpx.ErrTooManyRedirects, s.URL("/loop"))
		assert.Equal(t, 1, s.Accepts())
		assertFaultNext(t, client, s, nextReused, 0)
	})
	t.Run("unsupported scheme", func(t *testing.T) {
		faultNoLeaks(t)
		s := faultserver.New(t, redirector, faultserver.Script(faultserver.Serve("fresh")))
		client := faultClient(t, httpx.Timeout{}, httpx.WithFollowRedirects(true))
		_, err := client.Get(ctx, s.URL("/ftp"))
		assertFault(t, err, httpx.ErrUnsupportedProtocol, "ftp://127.0.0.1/file")
		assert.Equal(t, 1, s.Accepts())
		assertFaultNext(t, client, s, nextReused, 0)
	})
}

// TestFaultKeepAliveRace: the server closes a kept-alive connection just as
// the client reuses it. net/http resends the request on a new connection
// when that is safe: GET, HEAD (and the other idempotent methods net/http
// knows: OPTIONS, TRACE) and any request with an Idempotency-Key header, all
// with a body it can rewind (GetBody). Other requests fail, as in HTTPX.
func TestFaultKeepAliveRace(t *testing.T) {
	ctx := within(t, 30*time.Second)
	type raceCase struct {
		name   string
		method string
		opts   []httpx.RequestOption
		end    faultserver.Step // what the server does to the second request
		want   error            // nil: retried transparently
	}
	cases := []raceCase{
		{name: "GET closed", method: "GET", end: faultserver.Close()},
		{name: "GET reset", method: "GET", end: faultserver.Reset()},
		{name: "GET half-closed", method: "GET", end: faultserver.CloseWrite()},
		{name: "HEAD closed", method: "HEAD", end: faultserver.Close()},
		{name: "OPTIONS closed", method: "OPTIONS", end: faultserver.Close()},
		{name: "POST with Idempotency-Key", method: "POST", end: faultserver.Close(),
			opts: []httpx.RequestOption{httpx.WithContent([]byte("payload")), httpx.WithHeader("Idempotency-Key", "k1")}},
		{name: "PUT with Idempotency-Key reset", method: "PUT", end: faultserver.Reset(),
			opts: []httpx.RequestOption{httpx.WithContent([]byte("payload")), httpx.WithHeader("Idempotency-Key", "k2")}},
		{name: "POST not retried", method: "POST", end: faultserver.Close(),
			opts: []httpx.RequestOption{httpx.WithContent([]byte("payload"))}, want: httpx.ErrRemoteProtocol},
		{name: "POST reset not retried", method: "POST", end: faultserver.Reset(),
			opts: []httpx.RequestOption{httpx.WithContent([]byte("payload"))}, want: httpx.ErrRead},
		{name: "DELETE not retried", method: "DELETE", end: faultserver.Close(), want: httpx.ErrRemoteProtocol},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			faultNoLeaks(t)
			s := faultserver.New(t,
				faultserver.Script(faultserver.ReadFullRequest(), faultserver.Respond(200, "first"),
					faultserver.ReadRequest(), tc.end, faultserver.Drain()),
				faultserver.Script(faultserver.Serve("fresh")),
			)
			client := faultClient(t, httpx.Timeout{})
			r1, err := client.Get(ctx, s.URL("/1"))
			require.NoError(t, err)
			assert.Equal(t, "first", faultText(t, r1))

			url := s.URL("/2")
			r2, err := client.Request(ctx, tc.method, url, tc.opts...)
			if tc.want != nil {
				assertFault(t, err, tc.want, url)
				assert.Equal(t, 1, s.Accepts(), "the request must not be resent")
				assertFaultNext(t, client, s, nextFresh, 0)
				return
			}
			require.NoError(t, err, "a replayable request is resent on a new connection")
			assert.Equal(t, 200, r2.StatusCode)
			if tc.method != "HEAD" {
				assert.Equal(t, "fresh", faultText(t, r2))
			}
			assert.Equal(t, 2, s.Accepts())
		})
	}

	t.Run("stale idle connection", func(t *testing.T) {
		// The server closed the idle connection a while ago: even a POST
		// goes out on a new connection, since net/http noticed the EOF.
		faultNoLeaks(t)
		s := faultserver.New(t,
			faultserver.Script(faultserver.ReadFullRequest(), faultserver.Respond(200, "first"), faultserver.Close()),
			faultserver.Script(faultserver.Serve("second")),
		)
		client := faultClient(t, httpx.Timeout{})
		r1, err := client.Get(ctx, s.URL("/1"))
		require.NoError(t, err)
		assert.Equal(t, "first", faultText(t, r1))
		time.Sleep(50 * time.Millisecond)
		r2, err := client.Post(ctx, s.URL("/2"), httpx.WithContent([]byte("payload")))
		require.NoError(t, err)
		assert.Equal(t, "second", faultText(t, r2))
		assert.Equal(t, 2, s.Accepts())
	})
}

func faultText(t *testing.T, r *httpx.Response) string {
	t.Helper()
	s, err := r.Text()
	require.NoError(t, err)
	return s
}

// TestFaultExpectContinue: "Expect: 100-continue" lets a server refuse a
// request before its body is sent.
func TestFaultExpectContinue(t *testing.T) {
	ctx := within(t, 10*time.Second)
	payload := strings.Repeat("p", 64<<10)
	expect := httpx.WithHeader("Expect", "100-continue")

	t.Run("100 then 200", func(t *testing.T) {
		faultNoLeaks(t)
		got := make(chan string, 1)
		s := faultserver.New(t, func(c *faultserver.Conn) {
			r := c.ReadRequest()
			if r == nil {
				return
			}
			got <- r.Header.Get("Expect")
			c.Write("HTTP/1.1 100 Continue\r\n\r\n")
			body := c.ReadBody()
			c.Respond(200, fmt.Sprint(len(body)))
			c.Serve("reused")
		})
		client := faultClient(t, httpx.Timeout{})
		resp, err := client.Post(ctx, s.URL("/upload"), expect, httpx.WithContent([]byte(payload)))
		require.NoError(t, err)
		assert.Equal(t, "100-continue", <-got)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, fmt.Sprint(len(payload)), faultText(t, resp))
		assertFaultNext(t, client, s, nextReused, 0)
	})

	t.Run("100 then 200 with streamed body", func(t *testing.T) {
		faultNoLeaks(t)
		s := faultserver.New(t, func(c *faultserver.Conn) {
			if c.ReadRequest() == nil {
				return
			}
			c.Write("HTTP/1.1 100 Continue\r\n\r\n")
			c.Respond(200, fmt.Sprint(len(c.ReadBody())))
		})
		client := faultClient(t, httpx.Timeout{})
		resp, err := client.Post(ctx, s.URL("/upload"), expect, httpx.WithBody(strings.NewReader(payload)))
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint(len(payload)), faultText(t, resp))
	})

	for _, status := range []int{417, 401} {
		t.Run(fmt.Sprintf("%d without reading the body", status), func(t *testing.T) {
			faultNoLeaks(t)
			received := make(chan int64, 1)
			s := faultserver.New(t,
				func(c *faultserver.Conn) {
					if c.ReadRequest() == nil {
						received <- -1
						return
					}
					c.Respond(status, "refused", "Connection: close", `WWW-Authenticate: Basic realm="x"`)
					// A client that waited for 100 Continue sends nothing more.
					received <- c.Received(300 * time.Millisecond)
				},
				faultserver.Script(faultserver.Serve("fresh")),
			)
			client := faultClient(t, httpx.Timeout{})
			resp, err := client.Post(ctx, s.URL("/upload"), expect, httpx.WithContent([]byte(payload)))
			require.NoError(t, err)
			assert.Equal(t, status, resp.StatusCode)
			assert.Equal(t, "refused", faultText(t, resp))
			assert.Zero(t, <-received, "body bytes sent after a final response refused it")
			assertFaultNext(t, client, s, nextFresh, 0)
		})
	}

	t.Run("417 keep-alive, body sent to keep the framing", func(t *testing.T) {
		// Without "Connection: close" the client must either send the body
		// (net/http does) or close the connection; either way the next
		// request works.
		faultNoLeaks(t)
		s := faultserver.New(t,
			func(c *faultserver.Conn) {
				if c.ReadRequest() == nil {
					return
				}
				c.Respond(417, "refused")
				c.Serve("reused") // reads (skips) the body first
			},
			faultserver.Script(faultserver.Serve("fresh")),
		)
		client := faultClient(t, httpx.Timeout{})
		resp, err := client.Post(ctx, s.URL("/upload"), expect, httpx.WithContent([]byte(payload)))
		require.NoError(t, err)
		assert.Equal(t, 417, resp.StatusCode)
		assertFaultNext(t, client, s, nextEither, 0)
	})
}

// TestFaultDecompressionBomb: 1 GiB of faultZeros, gzipped to about 1 MiB, must
// stop at the client's size limit instead of filling memory.
func TestFaultDecompressionBomb(t *testing.T) {
	ctx := within(t, 10*time.Second)
	faultNoLeaks(t)
	const decoded = 1 << 30
	bomb := faultGzipBomb(t, decoded)
	// Every connection serves the bomb at /bomb*; anything else gets
	// "reused" on the first connection and "fresh" on later ones.
	serve := func(c *faultserver.Conn) {
		for r := c.ReadFullRequest(); r != nil; r = c.ReadFullRequest() {
			switch {
			case strings.HasPrefix(r.Target, "/bomb"):
				c.Write(faultHead("Content-Encoding: gzip", fmt.Sprintf("Content-Length: %d", len(bomb))))
				c.WriteBytes(bomb)
			case c.Index == 0:
				c.Respond(200, "reused")
			default:
				c.Respond(200, "fresh")
			}
		}
	}
	s := faultserver.New(t, serve)
	client := faultClient(t, httpx.Timeout{}, httpx.WithMaxResponseSize(10<<20))
	url := s.URL("/bomb")
	_, err := client.Get(ctx, url)
	assertFault(t, err, httpx.ErrResponseTooLarge, url)
	assert.ErrorIs(t, err, httpx.ErrDecoding)
	assertFaultNext(t, client, s, nextFresh, 0)

	// The request-level option overrides the client's.
	url = s.URL("/bomb-again")
	_, err = client.Get(ctx, url, httpx.WithMaxResponseSize(1<<20))
	assertFault(t, err, httpx.ErrResponseTooLarge, url)
}

// faultGzipBomb gzips n zero bytes quickly: one member of 1 MiB, repeated
// (a gzip stream may hold several members, which decoders concatenate).
func faultGzipBomb(t *testing.T, n int) []byte {
	const member = 1 << 20
	var one bytes.Buffer
	zw, err := gzip.NewWriterLevel(&one, gzip.BestCompression)
	require.NoError(t, err)
	_, err = io.Copy(zw, io.LimitReader(faultZeros{}, member))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return bytes.Repeat(one.Bytes(), n/member)
}

// TestFaultHealthyBaseline guards the table's helper: after a healthy
// exchange the next request reuses the connection.
func TestFaultHealthyBaseline(t *testing.T) {
	runFault(t, faultCase{name: "baseline", fault: faultScript(faultserver.Respond(http.StatusOK, "ok")), body: "ok", next: nextReused})
}

// spaceBeforeColon is the case of a field name followed by a space. RFC
// 9112 §5.1 makes only servers reject it; net/http's client accepts it, h11
// (under HTTPX) and our engine refuse it.
func spaceBeforeColon() faultCase {
	fault := faultScript(faultserver.Write("HTTP/1.1 200 OK\r\nX-Bad : v\r\nContent-Length: 2\r\n\r\nok"))
	return faultCase{name: "space before header colon", fault: fault, want: httpx.ErrRemoteProtocol}
}
