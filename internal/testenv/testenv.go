// Package testenv starts real peers (Debian's nginx, squid, dante and
// microsocks) and makes test certificates, for tests across the module.
// Only _test.go files import it.
//
// A helper whose program is missing skips the test with a message saying
// what to install, unless HTTPX_INTEGRATION=1 (or true), which turns the skip into a
// failure so that CI cannot silently run without its peers. Everything a
// helper starts is stopped by t.Cleanup; no process survives the test.
package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Integration reports whether HTTPX_INTEGRATION (1 or true, in any case)
// asks for the real-peer suite to run, failing instead of skipping when a
// peer is missing. CI systems spell the flag both ways; a value read as off
// would silently skip the suite the flag exists to enforce.
func Integration() bool {
	v := os.Getenv("HTTPX_INTEGRATION")
	return v == "1" || strings.EqualFold(v, "true")
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. A
// peer started on it may still lose a race with another process; helpers
// retry their start for that reason.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// requireProgram finds a peer's program, also in the sbin directories a
// non-login PATH may lack, or skips (fails under HTTPX_INTEGRATION=1).
func requireProgram(t testing.TB, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	msg := fmt.Sprintf("testenv: %s not installed (apt-get install -y %s)", name, pkg)
	if Integration() {
		t.Fatalf("%s, and HTTPX_INTEGRATION=1 requires it", msg)
	}
	t.Skipf("%s; set HTTPX_INTEGRATION=1 to make this a failure", msg)
	return ""
}

// process is a peer started by a helper and stopped by t.Cleanup.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	output syncBuffer
	// grace is how long stop waits after SIGTERM before SIGKILL; zero
	// means 5 s. Peers with a slow orderly shutdown and nothing worth
	// flushing (squid's shutdown_lifetime, dante's children) set it short.
	grace time.Duration
}

// syncBuffer is the peer's stdout and stderr, safe to read while the peer
// writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startProcess runs name with args in dir, stopping it with SIGTERM (then
// SIGKILL after a grace period) when the test ends.
func startProcess(t testing.TB, dir, name string, args ...string) (*process, error) {
	t.Helper()
	becomeSubreaper()
	p := &process{exited: make(chan struct{})}
	p.cmd = exec.Command(name, args...)
	p.cmd.Dir = dir
	p.cmd.Stdout = &p.output
	p.cmd.Stderr = &p.output
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.stop)
	return p, nil
}

// stop ends the process group, the peer and any workers it forked, and
// also the peer's descendants in other groups (helpers that called
// setsid), then waits (up to 2 s) until none of them is left, reaping the
// orphans reparented to this process.
func (p *process) stop() {
	pgid := p.cmd.Process.Pid
	extra := descendants(pgid)
	grace := p.grace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
	// Workers of a master that died first may linger in the group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	killOrphans(pgid, extra)
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		if !reap(pgid, extra) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// groupAlive reports whether any process of the process group is left.
func groupAlive(pgid int) bool {
	return !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}

// GroupAlive reports whether a process of the group a helper started (its
// PID field) is still alive, so that tests can check that nothing
// survived the cleanup.
func GroupAlive(pid int) bool { return groupAlive(pid) }

// waitListening polls until every address accepts connections, the process
// exits, or the timeout passes.
func (p *process) waitListening(timeout time.Duration, addrs ...string) error {
	deadline := time.Now().Add(timeout)
	for _, addr := range addrs {
		for {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-p.exited:
				return errors.New("exited before listening on " + addr)
			default:
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not listening on %s after %v", addr, timeout)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// hostPort joins 127.0.0.1 and port.
func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
