package testenv

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"
)

// SquidOptions configure Squid.
type SquidOptions struct {
	// User and Password, when User is set, make squid require basic proxy
	// authentication (a 407 without or with wrong credentials), checked by
	// squid's basic_ncsa_auth helper against an apr1 password file. Any
	// characters but ':' and newlines may be used; the URLs carry them
	// percent-encoded.
	User, Password string
	// TLS makes squid also listen with TLS (https_port; Debian's squid is
	// built with GnuTLS), with a certificate for 127.0.0.1 and localhost
	// issued by a fresh CA (CAFile, CertPool): an HTTPS proxy.
	TLS bool
	// OriginCAFile is a PEM file of the CAs squid trusts when it makes the
	// TLS connection itself, for https:// requests forwarded to it in
	// absolute form (HTTPX's FORWARD_ONLY mode); "" keeps the system roots.
	OriginCAFile string
}

// SquidServer is a running Debian squid: a forward proxy on 127.0.0.1
// that forwards absolute-form requests and tunnels CONNECT to any port, for
// clients on loopback only. Its access log has one line per transaction in
// a format of its own, read with AccessLog; a CONNECT is logged only when
// its tunnel closes, so close the client's connections before waiting for
// one. Squid adds "Via: 1.1 httpx-test-squid (squid/...)" to the requests
// it forwards.
type SquidServer struct {
	URL       string // http://user:password@127.0.0.1:Port (userinfo percent-encoded; none without a User)
	URLNoAuth string // http://127.0.0.1:Port
	// HTTPSURL and HTTPSURLNoAuth reach the TLS port (TLS only).
	HTTPSURL, HTTPSURLNoAuth string
	Addr                     string // 127.0.0.1:Port
	Port, TLSPort            int
	User, Password           string
	// CAFile and CertPool hold the CA of the TLS port's certificate (TLS only).
	CAFile   string
	CertPool *x509.CertPool
	Dir      string // configuration, password file and logs
	PID      int    // squid's PID, also its process group (see GroupAlive)
}

// SquidVia is the host name squid writes into the Via header.
const SquidVia = "httpx-test-squid"

// SquidTagHeader is a request header squid logs (SquidLogEntry.Tag), so
// that a test can see which headers reached the proxy (Proxy.Headers).
// (The log format in squidTemplate names it too.)
const SquidTagHeader = "X-Proxy-Tag"

// SquidLogEntry is one line of the access log.
type SquidLogEntry struct {
	ClientPort int    // the client's source port: one per connection to the proxy
	Method     string // GET, CONNECT, ...
	URL        string // absolute URL as received, or host:port for CONNECT
	Status     int    // status squid answered with (200 for an established tunnel, 407, 503 ...)
	User       string // the authenticated user, "" if none
	Tag        string // the SquidTagHeader request header, "" if absent
}

// RequestLine is what the client asked, e.g. "CONNECT 127.0.0.1:443" or
// "GET http://127.0.0.1:8080/path".
func (e SquidLogEntry) RequestLine() string { return e.Method + " " + e.URL }

// Squid starts squid as configured by o and stops it when the test ends.
// Start-up takes about 0.1 s. Without squid installed it skips the test
// (fails under HTTPX_INTEGRATION=1).
//
// Squid's orderly shutdown waits shutdown_lifetime (1 s here) and then
// some; since nothing needs flushing, the cleanup gives it 100 ms after
// SIGTERM and then SIGKILLs its process group (squid, its auth helper),
// waiting until every process of it is gone.
//
// Run as root, squid drops to the user "proxy" (cache_effective_user), so
// its directory is made outside t.TempDir (whose parent only root can
// enter) and owned by that user.
func Squid(t testing.TB, o SquidOptions) *SquidServer {
	t.Helper()
	bin := requireProgram(t, "squid", "squid")
	ncsa := ""
	if o.User != "" {
		ncsa = findHelper(t, "basic_ncsa_auth")
		if strings.ContainsAny(o.User, ":\n") || strings.Contains(o.Password, "\n") {
			t.Fatalf("testenv: squid: user %q or its password cannot go into a password file", o.User)
		}
	}
	dir := sharedDir(t, "squid")
	s := &SquidServer{User: o.User, Password: o.Password, Dir: dir}
	if o.User != "" {
		WriteFile(t, dir, "passwd", []byte(o.User+":"+apr1(o.Password, randomSalt(t))+"\n"))
	}
	if o.TLS {
		ca := NewCA(t)
		leaf := ca.Issue(t, CertOptions{})
		s.CAFile = WriteFile(t, dir, "ca.pem", ca.CertPEM)
		s.CertPool = ca.Pool
		WriteFile(t, dir, "proxy-cert.pem", append(append([]byte{}, leaf.CertPEM...), ca.CertPEM...))
		WriteFile(t, dir, "proxy-key.pem", leaf.KeyPEM)
	}
	originCA := ""
	if o.OriginCAFile != "" {
		// Copied, since squid may not be allowed to read the original.
		pem, err := os.ReadFile(o.OriginCAFile)
		if err != nil {
			t.Fatalf("testenv: squid: %v", err)
		}
		originCA = WriteFile(t, dir, "origin-ca.pem", pem)
	}
	runAs := ""
	if os.Geteuid() == 0 {
		runAs = unprivilegedUser("proxy", "nobody")
	}

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, tlsPort := FreePort(t), 0
		addrs := []string{hostPort(port)}
		if o.TLS {
			tlsPort = FreePort(t)
			addrs = append(addrs, hostPort(tlsPort))
		}
		var conf bytes.Buffer
		err := squidTemplate.Execute(&conf, map[string]any{
			"Dir": dir, "Port": port, "TLSPort": tlsPort, "User": runAs, "Auth": o.User != "",
			"NCSA": ncsa, "OriginCAFile": originCA, "Via": SquidVia,
		})
		if err != nil {
			t.Fatalf("testenv: squid config: %v", err)
		}
		WriteFile(t, dir, "squid.conf", conf.Bytes())
		_ = os.Remove(filepath.Join(dir, "access.log"))
		chownTree(t, dir, runAs)
		p, err := startProcess(t, dir, bin, "-N", "-f", filepath.Join(dir, "squid.conf"))
		if err != nil {
			t.Fatalf("testenv: starting squid: %v", err)
		}
		p.grace = 100 * time.Millisecond
		if err := p.waitListening(10*time.Second, addrs...); err != nil {
			p.stop()
			log, _ := os.ReadFile(filepath.Join(dir, "cache.log"))
			lastErr = fmt.Errorf("%v\n%s%s", err, p.output.String(), log)
			if strings.Contains(lastErr.Error(), "Address already in use") {
				continue
			}
			break
		}
		s.PID = p.cmd.Process.Pid
		s.Port, s.TLSPort, s.Addr = port, tlsPort, hostPort(port)
		var ui *url.Userinfo
		if o.User != "" {
			ui = url.UserPassword(o.User, o.Password)
		}
		s.URL = (&url.URL{Scheme: "http", User: ui, Host: s.Addr}).String()
		s.URLNoAuth = "http://" + s.Addr
		if o.TLS {
			s.HTTPSURL = (&url.URL{Scheme: "https", User: ui, Host: hostPort(tlsPort)}).String()
			s.HTTPSURLNoAuth = "https://" + hostPort(tlsPort)
		}
		return s
	}
	t.Fatalf("testenv: squid did not start: %v", lastErr)
	return nil
}

// AccessLog returns the access log's entries so far, skipping the
// readiness probes' empty transactions.
func (s *SquidServer) AccessLog() []SquidLogEntry {
	data, _ := os.ReadFile(filepath.Join(s.Dir, "access.log"))
	var entries []SquidLogEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 6)
		if len(f) < 6 || f[1] == "-" || f[1] == "NONE" {
			continue
		}
		e := SquidLogEntry{Method: f[1], URL: f[2], User: dash(f[4]), Tag: dash(strings.Trim(f[5], `"`))}
		e.ClientPort, _ = strconv.Atoi(f[0])
		e.Status, _ = strconv.Atoi(f[3])
		entries = append(entries, e)
	}
	return entries
}

// RequestLines returns the request line of every access log entry.
func (s *SquidServer) RequestLines() []string {
	var lines []string
	for _, e := range s.AccessLog() {
		lines = append(lines, e.RequestLine())
	}
	return lines
}

// WaitLog waits up to 5 s for an access log entry that match accepts and
// returns it, failing the test if none comes.
func (s *SquidServer) WaitLog(t testing.TB, match func(SquidLogEntry) bool) SquidLogEntry {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, e := range s.AccessLog() {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: squid: no matching access log entry after 5s; log:\n%s", strings.Join(s.RequestLines(), "\n"))
			return SquidLogEntry{}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitRequestLine waits up to 5 s for an entry whose request line is line
// (see SquidLogEntry.RequestLine) and returns it.
func (s *SquidServer) WaitRequestLine(t testing.TB, line string) SquidLogEntry {
	t.Helper()
	return s.WaitLog(t, func(e SquidLogEntry) bool { return e.RequestLine() == line })
}

var squidTemplate = template.Must(template.New("squid").Parse(`http_port 127.0.0.1:{{.Port}}
{{if .TLSPort}}https_port 127.0.0.1:{{.TLSPort}} tls-cert={{.Dir}}/proxy-cert.pem tls-key={{.Dir}}/proxy-key.pem
{{end}}pid_filename {{.Dir}}/squid.pid
{{if .User}}cache_effective_user {{.User}}
{{end}}visible_hostname {{.Via}}
cache deny all
cache_mem 8 MB
logformat httpx %>p %rm %ru %>Hs %un "%{X-Proxy-Tag}>h"
access_log stdio:{{.Dir}}/access.log logformat=httpx
cache_log {{.Dir}}/cache.log
cache_store_log none
coredump_dir {{.Dir}}
shutdown_lifetime 1 seconds
pinger_enable off
strip_query_terms off
{{if .OriginCAFile}}tls_outgoing_options cafile={{.OriginCAFile}}
{{end}}{{if .Auth}}auth_param basic program {{.NCSA}} {{.Dir}}/passwd
auth_param basic children 2 startup=1
auth_param basic realm httpx-test
acl authed proxy_auth REQUIRED
{{end}}acl src_lo src 127.0.0.1/32 ::1
http_access allow src_lo{{if .Auth}} authed{{end}}
http_access deny all
`))

// findHelper locates one of squid's helper programs.
func findHelper(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range []string{"/usr/lib/squid", "/usr/lib64/squid", "/usr/libexec/squid", "/usr/lib/squid3"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("testenv: squid helper %s not found (apt-get install -y squid)", name)
	if Integration() {
		t.Fatalf("%s, and HTTPX_INTEGRATION=1 requires it", msg)
	}
	t.Skipf("%s; set HTTPX_INTEGRATION=1 to make this a failure", msg)
	return ""
}

// sharedDir makes a directory other users can enter (a peer that drops
// privileges reads its files there), removed when the test ends.
func sharedDir(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "httpx-"+name+"-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	// Registered first, so it runs after the peer's own cleanup.
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir
}

// unprivilegedUser returns the first of names that exists.
func unprivilegedUser(names ...string) string {
	for _, n := range names {
		if _, err := user.Lookup(n); err == nil {
			return n
		}
	}
	return ""
}

// chownTree gives dir and everything in it to the user name ("" = leave).
func chownTree(t testing.TB, dir, name string) {
	t.Helper()
	if name == "" {
		return
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
	if err != nil {
		t.Fatalf("testenv: chown: %v", err)
	}
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomSalt(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	for i := range b {
		b[i] = itoa64[int(b[i])%len(itoa64)]
	}
	return string(b)
}

// apr1 is Apache's MD5-crypt ($apr1$), which htpasswd writes and squid's
// basic_ncsa_auth checks (the same as "openssl passwd -apr1").
func apr1(password, salt string) string {
	const magic = "$apr1$"
	pw, sl := []byte(password), []byte(salt)
	alt := md5.New()
	alt.Write(pw)
	alt.Write(sl)
	alt.Write(pw)
	sum := alt.Sum(nil)
	h := md5.New()
	h.Write(pw)
	h.Write([]byte(magic))
	h.Write(sl)
	for n := len(pw); n > 0; n -= 16 {
		h.Write(sum[:min(n, 16)])
	}
	for i := len(pw); i != 0; i >>= 1 {
		if i&1 != 0 {
			h.Write([]byte{0})
		} else {
			h.Write(pw[:1])
		}
	}
	sum = h.Sum(nil)
	for i := 0; i < 1000; i++ {
		r := md5.New()
		if i&1 != 0 {
			r.Write(pw)
		} else {
			r.Write(sum)
		}
		if i%3 != 0 {
			r.Write(sl)
		}
		if i%7 != 0 {
			r.Write(pw)
		}
		if i&1 != 0 {
			r.Write(sum)
		} else {
			r.Write(pw)
		}
		sum = r.Sum(nil)
	}
	out := []byte(magic + salt + "$")
	enc := func(a, b, c byte, n int) {
		v := uint(a)<<16 | uint(b)<<8 | uint(c)
		for ; n > 0; n-- {
			out = append(out, itoa64[v&0x3f])
			v >>= 6
		}
	}
	enc(sum[0], sum[6], sum[12], 4)
	enc(sum[1], sum[7], sum[13], 4)
	enc(sum[2], sum[8], sum[14], 4)
	enc(sum[3], sum[9], sum[15], 4)
	enc(sum[4], sum[10], sum[5], 4)
	enc(0, 0, sum[11], 2)
	return string(out)
}
