package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gohttpx/httpx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o *options)
	}{
		{"GET by default", []string{"http://127.0.0.1/"}, func(t *testing.T, o *options) {
			assert.Equal(t, "GET", o.method)
			assert.Equal(t, 5*time.Second, o.timeout)
		}},
		{"POST when a body is given", []string{"http://127.0.0.1/", "-d", "a", "1"}, func(t *testing.T, o *options) {
			assert.Equal(t, "POST", o.method)
		}},
		{"an explicit method wins", []string{"-m", "put", "http://127.0.0.1/", "-c", "x"}, func(t *testing.T, o *options) {
			assert.Equal(t, "PUT", o.method)
			assert.Equal(t, "x", *o.content)
		}},
		{"two-value options repeat, -h is headers", []string{"http://127.0.0.1/", "-p", "a", "1", "--params", "a", "2", "-h", "X-A", "b", "--cookies", "c", "d"}, func(t *testing.T, o *options) {
			assert.Equal(t, [][2]string{{"a", "1"}, {"a", "2"}}, o.params)
			assert.Equal(t, [][2]string{{"X-A", "b"}}, o.headers)
			assert.Equal(t, [][2]string{{"c", "d"}}, o.cookies)
			assert.False(t, o.help)
		}},
		{"flags and --name=value", []string{"--timeout=0.5", "--follow-redirects", "--no-verify", "--http2", "-v", "http://127.0.0.1/", "--auth", "u", "p", "--proxy", "http://127.0.0.1:1"}, func(t *testing.T, o *options) {
			assert.Equal(t, 500*time.Millisecond, o.timeout)
			assert.True(t, o.followRedirects && o.noVerify && o.http2 && o.verbose)
			assert.Equal(t, &[2]string{"u", "p"}, o.auth)
			assert.Equal(t, "http://127.0.0.1:1", o.proxy)
		}},
		{"--help needs no URL", []string{"--help"}, func(t *testing.T, o *options) { assert.True(t, o.help) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseArgs(tt.args)
			require.NoError(t, err)
			tt.check(t, o)
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "Missing argument 'URL'."},
		{[]string{"http://127.0.0.1/", "-p", "a"}, "Option '-p' requires 2 arguments."},
		{[]string{"http://127.0.0.1/", "-m"}, "Option '-m' requires an argument."},
		{[]string{"http://127.0.0.1/", "--nope"}, "No such option: --nope"},
		{[]string{"http://127.0.0.1/", "-j", "{"}, "Not valid JSON"},
		{[]string{"http://127.0.0.1/", "--timeout", "soon"}, "is not a valid float"},
		{[]string{"http://127.0.0.1/", "http://127.0.0.1/x"}, "unexpected extra argument"},
		{[]string{"http://127.0.0.1/", "--http2=yes"}, "does not take a value"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			_, err := parseArgs(tt.args)
			var ue *usageError
			require.ErrorAs(t, err, &ue)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestErrorKindName(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{httpx.ErrConnect, "ConnectError"},
		{httpx.ErrReadTimeout, "ReadTimeout"},
		{httpx.ErrConnectTimeout, "ConnectTimeout"},
		{httpx.ErrRemoteProtocol, "RemoteProtocolError"},
		{httpx.ErrUnsupportedProtocol, "UnsupportedProtocol"},
		{httpx.ErrTooManyRedirects, "TooManyRedirects"},
		{fmt.Errorf("wrapped: %w", httpx.ErrProxy), "ProxyError"},
		{errors.New("open x: no such file"), "Error"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) { assert.Equal(t, tt.want, errorKindName(tt.err)) })
	}
}

// traceTransport answers in process after calling the request's trace
// extension the way a network transport does.
var traceTransport = httpx.TransportFunc(func(ctx context.Context, req *httpx.Request) (*httpx.Response, error) {
	trace, ok := req.Extensions["trace"].(func(string, map[string]any))
	if !ok {
		return nil, errors.New("no trace extension on the request")
	}
	trace("connection.connect_tcp.started", map[string]any{"host": "127.0.0.1", "port": 80})
	trace("connection.connect_tcp.complete", map[string]any{"return_value": "stream"})
	return httpx.NewResponse(200, httpx.WithJSON(map[string]int{"a": 1})), nil
})

func TestRunVerboseTrace(t *testing.T) {
	tests := []struct {
		name    string
		verbose bool
	}{{"verbose", true}, {"quiet", false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			args := []string{"http://127.0.0.1/path?q=1"}
			if tt.verbose {
				args = append(args, "-v")
			}
			var stdout, stderr bytes.Buffer
			code := run(ctx, args, nil, &stdout, &stderr, environment{transport: traceTransport})
			require.Equal(t, 0, code, stderr.String())
			out := stdout.String()
			lines := []string{
				"* connection.connect_tcp.started host=127.0.0.1 port=80\n",
				"* connection.connect_tcp.complete return_value=stream\n",
				"GET /path?q=1 HTTP/1.1\nHost: 127.0.0.1\n",
				"* Elapsed: ",
			}
			for _, l := range lines {
				if tt.verbose {
					assert.Contains(t, out, l)
				} else {
					assert.NotContains(t, out, l)
				}
			}
			if tt.verbose {
				// As HTTPX: the connection first, then what went over it.
				connected := strings.Index(out, "* connection.connect_tcp.complete")
				sent := strings.Index(out, "GET /path")
				assert.Less(t, connected, sent, out)
			}
			assert.Contains(t, out, "HTTP/1.1 200 OK\n")
			assert.Contains(t, out, "\n\n{\n    \"a\": 1\n}\n")
			assert.NotContains(t, out, "\x1b[", "no colour when stdout is not a terminal")
		})
	}
}
