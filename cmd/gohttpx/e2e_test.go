package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The end-to-end tests run the built binary, as a user would, against
// loopback servers.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gohttpx-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gohttpx")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// command prepares the binary with a clean environment: no proxy variables
// from the machine, a HOME without a .netrc, and extra as given.
func command(t *testing.T, ctx context.Context, extra []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, extra...)
	return cmd
}

type result struct {
	stdout, stderr string
	code           int
}

func runBinary(t *testing.T, extra []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := command(t, ctx, extra, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err)
	}
	require.NoError(t, ctx.Err(), "the command did not finish in time")
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// runPTY runs the binary on a pseudo-terminal (stdin, stdout and stderr
// alike) and returns what it wrote there. When password is set, it is typed
// once the terminal's echo is off, which is what a prompt without echo does.
func runPTY(t *testing.T, extra []string, password string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	require.NoError(t, pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 100}))
	cmd := command(t, ctx, append([]string{"TERM=xterm"}, extra...), args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	require.NoError(t, cmd.Start())

	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(&out, ptmx) // ends with EIO once the child and tty are closed
	}()
	if password != "" {
		for {
			tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
			require.NoError(t, err)
			if tio.Lflag&unix.ECHO == 0 {
				break
			}
			require.NoError(t, ctx.Err(), "the password prompt never turned echo off")
			time.Sleep(10 * time.Millisecond)
		}
		_, err := ptmx.Write([]byte(password + "\n"))
		require.NoError(t, err)
	}
	err = cmd.Wait()
	tty.Close()
	<-done
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err)
	}
	require.NoError(t, ctx.Err(), "the command did not finish in time")
	return out.String(), cmd.ProcessState.ExitCode()
}

// echoHandler answers with what it received, as JSON.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo", "yes")
	json.NewEncoder(w).Encode(map[string]any{
		"method":       r.Method,
		"query":        r.URL.RawQuery,
		"content_type": r.Header.Get("Content-Type"),
		"body":         string(body),
		"header":       r.Header.Get("X-Test"),
		"cookie":       r.Header.Get("Cookie"),
	})
}

func echoed(t *testing.T, stdout string) map[string]any {
	t.Helper()
	_, body, ok := strings.Cut(stdout, "\n\n")
	require.True(t, ok, "no blank line after the head in %q", stdout)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	return m
}

func TestPlainGETToPipe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Custom", "value")
		io.WriteString(w, "hello world\n")
	}))
	defer srv.Close()
	res := runBinary(t, nil, srv.URL+"/")
	require.Equal(t, 0, res.code, res.stderr)
	assert.True(t, strings.HasPrefix(res.stdout, "HTTP/1.1 200 OK\n"), res.stdout)
	assert.Contains(t, res.stdout, "\nX-Custom: value\n")
	assert.True(t, strings.HasSuffix(res.stdout, "\n\nhello world\n\n"), "%q", res.stdout)
	assert.NotContains(t, res.stdout, "\x1b[")
}

func TestJSONPrettyPrinted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"b":[1,2],"a":{"c":"d"}}`)
	}))
	defer srv.Close()
	res := runBinary(t, nil, srv.URL)
	require.Equal(t, 0, res.code, res.stderr)
	assert.True(t, strings.HasSuffix(res.stdout, "\n\n{\n    \"b\": [\n        1,\n        2\n    ],\n    \"a\": {\n        \"c\": \"d\"\n    }\n}\n"), "%q", res.stdout)
}

func TestRequestBodiesAndParams(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer srv.Close()
	upload := filepath.Join(t.TempDir(), "upload.txt")
	require.NoError(t, os.WriteFile(upload, []byte("file content"), 0o600))

	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, m map[string]any)
	}{
		{"json", []string{"-j", `{"z": 1, "a": [true]}`}, func(t *testing.T, m map[string]any) {
			assert.Equal(t, "POST", m["method"])
			assert.Equal(t, "application/json", m["content_type"])
			assert.JSONEq(t, `{"z": 1, "a": [true]}`, m["body"].(string))
		}},
		{"data", []string{"-d", "a", "1", "-d", "b", "two words"}, func(t *testing.T, m map[string]any) {
			assert.Equal(t, "POST", m["method"])
			assert.Equal(t, "application/x-www-form-urlencoded", m["content_type"])
			assert.Equal(t, "a=1&b=two+words", m["body"])
		}},
		{"files", []string{"-f", "upload", upload}, func(t *testing.T, m map[string]any) {
			assert.Equal(t, "POST", m["method"])
			assert.True(t, strings.HasPrefix(m["content_type"].(string), "multipart/form-data; boundary="), m["content_type"])
			assert.Contains(t, m["body"], `Content-Disposition: form-data; name="upload"; filename="upload.txt"`)
			assert.Contains(t, m["body"], "file content")
		}},
		{"content with a method", []string{"-m", "PUT", "-c", "raw bytes"}, func(t *testing.T, m map[string]any) {
			assert.Equal(t, "PUT", m["method"])
			assert.Equal(t, "raw bytes", m["body"])
		}},
		{"params, headers and cookies", []string{"-p", "q", "1", "-p", "q", "2", "-h", "X-Test", "yes", "--cookies", "k", "v"}, func(t *testing.T, m map[string]any) {
			assert.Equal(t, "GET", m["method"])
			assert.Equal(t, "q=1&q=2", m["query"])
			assert.Equal(t, "yes", m["header"])
			assert.Equal(t, "k=v", m["cookie"])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, nil, append([]string{srv.URL}, tt.args...)...)
			require.Equal(t, 0, res.code, res.stderr)
			tt.check(t, echoed(t, res.stdout))
		})
	}
}

func basicAuthServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "user" || p != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "welcome")
	}))
}

func TestBasicAuth(t *testing.T) {
	srv := basicAuthServer()
	defer srv.Close()
	tests := []struct {
		pass     string
		wantCode int
		wantHead string
	}{
		{"s3cret", 0, "HTTP/1.1 200 OK\n"},
		{"wrong", 1, "HTTP/1.1 401 Unauthorized\n"},
	}
	for _, tt := range tests {
		t.Run(tt.pass, func(t *testing.T) {
			res := runBinary(t, nil, srv.URL, "--auth", "user", tt.pass)
			assert.Equal(t, tt.wantCode, res.code, res.stderr)
			assert.True(t, strings.HasPrefix(res.stdout, tt.wantHead), res.stdout)
		})
	}
}

func TestAuthPasswordPromptOnTerminal(t *testing.T) {
	srv := basicAuthServer()
	defer srv.Close()
	out, code := runPTY(t, nil, "s3cret", srv.URL, "--auth", "user", "-")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Password: ")
	assert.Contains(t, stripANSI(out), "200 OK")
	assert.NotContains(t, out, "s3cret", "the password was echoed")
}

func TestFollowRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/final", http.StatusFound) })
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "arrived") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"not followed", nil, 1, []string{"HTTP/1.1 302 Found\n", "Location: /final\n"}},
		{"followed", []string{"--follow-redirects"}, 0, []string{"HTTP/1.1 302 Found\n", "HTTP/1.1 200 OK\n", "arrived"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, nil, append([]string{srv.URL + "/start"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, res.code, res.stderr)
			for _, w := range tt.want {
				assert.Contains(t, res.stdout, w)
			}
		})
	}
}

// writeCA saves the test server's certificate as a PEM file for
// SSL_CERT_FILE.
func writeCA(t *testing.T, srv *httptest.Server) string {
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	require.NoError(t, os.WriteFile(path, pemBytes, 0o600))
	return path
}

func TestTLS(t *testing.T) {
	h1 := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secure") }))
	defer h1.Close()
	h2 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }))
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()

	tests := []struct {
		name     string
		srv      *httptest.Server
		withCA   bool
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"test CA through SSL_CERT_FILE", h1, true, nil, 0, "HTTP/1.1 200 OK\n", ""},
		{"unknown CA", h1, false, nil, 1, "", "ConnectError: "},
		{"--no-verify", h1, false, []string{"--no-verify"}, 0, "HTTP/1.1 200 OK\n", ""},
		{"--http2", h2, true, []string{"--http2"}, 0, "HTTP/2 200 OK\n", ""},
		{"HTTP/1.1 unless asked", h2, true, nil, 0, "HTTP/1.1 200 OK\n", ""},
		{"-v over HTTP/2", h2, true, []string{"--http2", "-v"}, 0, "GET / HTTP/2\nhost: 127.0.0.1:", ""},
		{"-v over HTTP/1.1", h2, true, []string{"-v"}, 0, "GET / HTTP/1.1\nHost: 127.0.0.1:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var env []string
			if tt.withCA {
				env = []string{"SSL_CERT_FILE=" + writeCA(t, tt.srv)}
			}
			res := runBinary(t, env, append([]string{tt.srv.URL}, tt.args...)...)
			assert.Equal(t, tt.wantCode, res.code, res.stderr)
			if tt.wantOut != "" {
				// The connection's events (-v) come first, then the exchange.
				out := res.stdout
				for strings.HasPrefix(out, "* ") {
					_, out, _ = strings.Cut(out, "\n")
				}
				assert.True(t, strings.HasPrefix(out, tt.wantOut), res.stdout)
			}
			if tt.wantErr != "" {
				assert.True(t, strings.HasPrefix(res.stderr, tt.wantErr), res.stderr)
			}
		})
	}
}

func TestDownloadWithProgressBar(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(len(payload)))
		for i := 0; i < len(payload); i += 64 << 10 {
			w.Write(payload[i : i+64<<10])
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "out.bin")
	out, code := runPTY(t, nil, "", srv.URL, "--download", file)
	require.Equal(t, 0, code, out)
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(payload, got), "the file differs from what was sent (%d bytes, want %d)", len(got), len(payload))
	plain := stripANSI(out)
	assert.Contains(t, plain, "200 OK")
	assert.Contains(t, plain, "Downloading "+file)
	assert.Contains(t, plain, "100%")
	assert.Regexp(t, `Downloading .* [0-9]+% .*kB/1.0 MB`, plain, "no progress shown before the end")
}

func TestColourOnTerminal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"a":1}`)
	}))
	defer srv.Close()
	tests := []struct {
		name       string
		env        []string
		wantColour bool
	}{
		{"terminal", nil, true},
		{"NO_COLOR", []string{"NO_COLOR=1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runPTY(t, tt.env, "", srv.URL)
			require.Equal(t, 0, code, out)
			assert.Equal(t, tt.wantColour, strings.Contains(out, "\x1b["), "%q", out)
			assert.Contains(t, stripANSI(out), `"a": 1`)
		})
	}
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// stripANSI removes terminal escapes, leaving the text a person reads.
func stripANSI(s string) string { return ansiEscape.ReplaceAllString(s, "") }

// refusedURL is a loopback URL where nothing listens any more.
func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr + "/"
}

func TestFailures(t *testing.T) {
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	release := make(chan struct{})
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer stalled.Close()
	defer close(release)

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"404", []string{notFound.URL + "/missing"}, 1, "HTTP/1.1 404 Not Found\n", ""},
		{"connection refused", []string{refusedURL(t)}, 1, "", "ConnectError: "},
		{"stalled server", []string{stalled.URL, "--timeout", "0.3"}, 1, "", "ReadTimeout: "},
		{"unsupported scheme", []string{"ftp://127.0.0.1/"}, 1, "", "UnsupportedProtocol: "},
		{"usage", []string{"-p", "only-name"}, 2, "", "Usage: gohttpx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, nil, tt.args...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			assert.True(t, strings.HasPrefix(res.stdout, tt.stdout), res.stdout)
			assert.True(t, strings.HasPrefix(res.stderr, tt.stderr), res.stderr)
		})
	}
}

func TestHelp(t *testing.T) {
	res := runBinary(t, nil, "--help")
	require.Equal(t, 0, res.code)
	for _, opt := range []string{"-h, --headers", "--auth <USER PASS>", "--download FILE", "--http2"} {
		assert.Contains(t, res.stdout, opt)
	}
}
