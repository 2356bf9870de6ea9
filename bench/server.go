package main

import (
	"bufio"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// smallBody is the body of every small GET, loopback or in memory.
const smallBody = "Hello, World!"

// pattern is what the download handler sends and the upload generator
// produces, 64 KiB at a time, so neither side allocates per chunk.
var pattern = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}()

// handler is the one server every client talks to. Bodies are sent as
// identity (no compression whatever Accept-Encoding says), with a
// Content-Length, and a Content-Type that no client decodes.
func handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /small", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.URL.RawQuery != "" { // ?h=N: N extra response header fields (the header sweep)
			n, _ := strconv.Atoi(r.URL.Query().Get("h"))
			for _, f := range benchHeaders(n) {
				h[f[0]] = []string{f[1]}
			}
		}
		h["Content-Type"] = []string{"text/plain; charset=utf-8"}
		h["Content-Length"] = []string{strconv.Itoa(len(smallBody))}
		io.WriteString(w, smallBody)
	})
	mux.HandleFunc("GET /download", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "bad n", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		for n > 0 {
			chunk := pattern[:min(n, int64(len(pattern)))]
			if _, err := w.Write(chunk); err != nil {
				return
			}
			n -= int64(len(chunk))
		}
	})
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		want, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		got, err := io.Copy(io.Discard, r.Body)
		if err != nil || got != want {
			http.Error(w, fmt.Sprintf("got %d bytes, want %d (%v)", got, want, err), http.StatusBadRequest)
			return
		}
		io.WriteString(w, "ok")
	})
	// The memory scenarios: /hold blocks until /release, /held says how
	// many requests are blocked, so that the client can measure with all
	// of them in flight.
	mux.HandleFunc("GET /hold", func(w http.ResponseWriter, r *http.Request) {
		holdMu.Lock()
		ch := holdCh
		holding++
		holdMu.Unlock()
		<-ch
		io.WriteString(w, smallBody)
	})
	mux.HandleFunc("GET /held", func(w http.ResponseWriter, r *http.Request) {
		holdMu.Lock()
		n := holding
		holdMu.Unlock()
		io.WriteString(w, strconv.Itoa(n))
	})
	mux.HandleFunc("GET /release", func(w http.ResponseWriter, r *http.Request) {
		holdMu.Lock()
		close(holdCh)
		holdCh, holding = make(chan struct{}), 0
		holdMu.Unlock()
		io.WriteString(w, "ok")
	})
	return mux
}

var (
	holdMu  sync.Mutex
	holdCh  = make(chan struct{})
	holding int
)

// benchHeaders are n header fields of the kind an API client or server
// adds (about 40 bytes each), the same on both sides of the header sweep.
func benchHeaders(n int) [][2]string {
	out := make([][2]string, n)
	for i := range out {
		out[i] = [2]string{fmt.Sprintf("X-Bench-Field-%02d", i), fmt.Sprintf("value-%02d-0123456789abcdef", i)}
	}
	return out
}

// servers are the loopback endpoints: plain HTTP/1.1 and TLS with HTTP/2 by
// ALPN, and the certificate that the TLS one presents.
type servers struct {
	h1, h2 string
	cert   *x509.Certificate
	stop   func()
}

// pool is a cert pool trusting the TLS server.
func (s *servers) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.cert)
	return p
}

// startServers runs both servers in this process.
func startServers() *servers {
	h1 := httptest.NewServer(handler())
	h2 := httptest.NewUnstartedServer(handler())
	h2.EnableHTTP2 = true
	h2.StartTLS()
	return &servers{h1: h1.URL, h2: h2.URL, cert: h2.Certificate(), stop: func() { h1.Close(); h2.Close() }}
}

// serve is the -serve mode: run the servers, print where they are on one
// line, and exit when stdin closes (that is, when the parent exits).
func serve() {
	s := startServers()
	fmt.Printf("READY %s %s %s\n", s.h1, s.h2, base64.StdEncoding.EncodeToString(s.cert.Raw))
	io.Copy(io.Discard, os.Stdin)
	s.stop()
}

// spawnServers starts this binary with -serve as a child process, so that
// the server's CPU time, allocations and garbage collections stay out of the
// measured process. The child gets the same GOMAXPROCS.
func spawnServers(procs int) (*servers, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-serve")
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 4 || f[0] != "READY" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server process: unexpected %q (%v)", line, err)
	}
	der, err := base64.StdEncoding.DecodeString(f[3])
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &servers{h1: f[1], h2: f[2], cert: cert, stop: func() { stdin.Close(); cmd.Wait() }}, nil
}
