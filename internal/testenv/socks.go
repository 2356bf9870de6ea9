package testenv

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"
)

// SocksServer is a running SOCKS5 proxy on 127.0.0.1: Debian's dante-server
// (no authentication) or microsocks (optionally user/password).
type SocksServer struct {
	URL            string // socks5://[user:password@]127.0.0.1:Port, userinfo percent-encoded
	Addr           string // 127.0.0.1:Port
	Port           int
	User, Password string // "" when the proxy takes no credentials
	Dir            string
	PID            int // the server's PID, also its process group (see GroupAlive)

	proc *process
	log  string // dante's log file; "" = the process output
}

// ProxyURL builds the proxy URL with another scheme ("socks5" or
// "socks5h") and other credentials (nil for none).
func (s *SocksServer) ProxyURL(scheme string, user *url.Userinfo) string {
	return (&url.URL{Scheme: scheme, User: user, Host: s.Addr}).String()
}

// Log returns what the server logged so far: dante logs every tunnel it
// opens ("... 127.0.0.1.PORT ..." with a dot before the port), microsocks
// prints "client[N] 127.0.0.1: connected to HOST:PORT".
func (s *SocksServer) Log() string {
	if s.log != "" {
		b, _ := os.ReadFile(s.log)
		return string(b)
	}
	return s.proc.output.String()
}

// WaitLog waits up to 5 s until the log contains substr, failing the test
// otherwise.
func (s *SocksServer) WaitLog(t testing.TB, substr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.Log(), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("testenv: %q not in the SOCKS server's log after 5s:\n%s", substr, s.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Microsocks starts microsocks, requiring user and password when user is
// not "", and stops it when the test ends (it starts in a few milliseconds
// and exits at once on SIGTERM). Without microsocks installed it skips the
// test (fails under HTTPX_INTEGRATION=1). Microsocks resolves host names
// itself (socks5h) and answers wrong credentials by closing the
// connection.
func Microsocks(t testing.TB, user, password string) *SocksServer {
	t.Helper()
	bin := requireProgram(t, "microsocks", "microsocks")
	dir := t.TempDir()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		args := []string{"-i", "127.0.0.1", "-p", fmt.Sprint(port)}
		if user != "" {
			args = append(args, "-u", user, "-P", password)
		}
		p, err := startProcess(t, dir, bin, args...)
		if err != nil {
			t.Fatalf("testenv: starting microsocks: %v", err)
		}
		p.grace = time.Second
		if err := p.waitListening(5*time.Second, hostPort(port)); err != nil {
			p.stop()
			lastErr = fmt.Errorf("%v\n%s", err, p.output.String())
			continue // most likely the port was taken meanwhile
		}
		return newSocks(p, port, user, password, dir, "")
	}
	t.Fatalf("testenv: microsocks did not start: %v", lastErr)
	return nil
}

// Dante starts dante-server's danted as a SOCKS5 proxy without
// authentication (dante checks user/password against system accounts only;
// use Microsocks for that), allowing CONNECT from 127.0.0.1 to 127.0.0.1
// only (other targets, 127.0.0.2 say, are refused by rule), and stops it
// when the test ends. Danted forks about 20 helper processes
// and its orderly shutdown takes a second or two; the cleanup gives it
// 100 ms after SIGTERM and then SIGKILLs the process group, waiting until
// every process is gone. Without danted installed it skips the test (fails
// under HTTPX_INTEGRATION=1).
func Dante(t testing.TB) *SocksServer {
	t.Helper()
	bin := requireProgram(t, "danted", "dante-server")
	dir := t.TempDir()
	logFile := filepath.Join(dir, "danted.log")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		var conf bytes.Buffer
		err := danteTemplate.Execute(&conf, map[string]any{"Log": logFile, "Port": port, "Root": os.Geteuid() == 0})
		if err != nil {
			t.Fatalf("testenv: dante config: %v", err)
		}
		WriteFile(t, dir, "danted.conf", conf.Bytes())
		p, err := startProcess(t, dir, bin, "-f", filepath.Join(dir, "danted.conf"), "-p", filepath.Join(dir, "danted.pid"))
		if err != nil {
			t.Fatalf("testenv: starting danted: %v", err)
		}
		p.grace = 100 * time.Millisecond
		if err := p.waitListening(5*time.Second, hostPort(port)); err != nil {
			p.stop()
			log, _ := os.ReadFile(logFile)
			lastErr = fmt.Errorf("%v\n%s%s", err, p.output.String(), log)
			if strings.Contains(lastErr.Error(), "in use") {
				continue
			}
			break
		}
		return newSocks(p, port, "", "", dir, logFile)
	}
	t.Fatalf("testenv: danted did not start: %v", lastErr)
	return nil
}

func newSocks(p *process, port int, user, password, dir, log string) *SocksServer {
	s := &SocksServer{Addr: hostPort(port), Port: port, User: user, Password: password, Dir: dir,
		PID: p.cmd.Process.Pid, proc: p, log: log}
	var ui *url.Userinfo
	if user != "" {
		ui = url.UserPassword(user, password)
	}
	s.URL = s.ProxyURL("socks5", ui)
	return s
}

var danteTemplate = template.Must(template.New("dante").Parse(`logoutput: {{.Log}}
internal: 127.0.0.1 port = {{.Port}}
external: 127.0.0.1
socksmethod: none
clientmethod: none
{{if .Root}}user.privileged: root
user.unprivileged: nobody
{{end}}client pass { from: 127.0.0.1/32 to: 0.0.0.0/0 }
socks pass {
  from: 127.0.0.1/32 to: 127.0.0.1/32
  command: connect
  log: connect error
}
socks block {
  from: 0.0.0.0/0 to: 0.0.0.0/0
  log: connect error
}
`))
