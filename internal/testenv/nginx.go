package testenv

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"
)

// NginxServer is a running Debian nginx with one server block on three
// loopback ports. Its locations:
//
//	/                 200 "ok\n"
//	/json             200 {"ok":true}
//	/bytes/N          N bytes (N in NginxByteSizes) of a repeating a..z pattern
//	/slow/N           the same bytes, sent at 8 KiB/s (limit_rate), for trickling bodies
//	/status/NNN       an empty response with that status (see NginxStatuses)
//	/echo-headers     the raw request headers, HTTP/1.1 only (needs the echo module; see HasEcho)
//	/echo-body        the request body (needs the echo module)
type NginxServer struct {
	HTTPSURL string // TLS with ALPN h2 and http/1.1, e.g. https://127.0.0.1:PORT
	HTTPURL  string // plain HTTP/1.1
	H2CURL   string // plain HTTP/2 with prior knowledge (h2c) only
	CAFile   string // PEM of the CA that issued the server certificate
	CertPool *x509.CertPool
	HasEcho  bool   // the echo module is loaded
	Dir      string // nginx's prefix: config, logs, files
}

// NginxByteSizes are the sizes served under /bytes/ and /slow/.
var NginxByteSizes = []int{1, 1024, 65536, 1 << 20}

// NginxStatuses are the codes served under /status/.
var NginxStatuses = []int{200, 201, 202, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405,
	409, 410, 418, 429, 500, 501, 502, 503, 504}

const echoModule = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

// Nginx starts nginx with a certificate for localhost, 127.0.0.1 and ::1
// issued by a fresh CA, and stops it when the test ends. Without nginx
// installed it skips the test (fails under HTTPX_INTEGRATION=1).
func Nginx(t testing.TB) *NginxServer {
	t.Helper()
	bin := requireProgram(t, "nginx", "nginx-light")
	dir := t.TempDir()
	for _, sub := range []string{"logs", "tmp", "www/bytes"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatalf("testenv: nginx: %v", err)
		}
	}
	ca := NewCA(t)
	leaf := ca.Issue(t, CertOptions{})
	s := &NginxServer{
		CAFile:   WriteFile(t, dir, "ca.pem", ca.CertPEM),
		CertPool: ca.Pool,
		Dir:      dir,
	}
	WriteFile(t, dir, "cert.pem", append(append([]byte{}, leaf.CertPEM...), ca.CertPEM...))
	WriteFile(t, dir, "key.pem", leaf.KeyPEM)
	for _, n := range NginxByteSizes {
		WriteFile(t, filepath.Join(dir, "www/bytes"), fmt.Sprint(n), Pattern(n))
	}
	if _, err := os.Stat(echoModule); err == nil {
		s.HasEcho = true
	}

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		https, plain, h2c := FreePort(t), FreePort(t), FreePort(t)
		conf := nginxConfig(t, dir, s.HasEcho, https, plain, h2c)
		WriteFile(t, dir, "nginx.conf", conf)
		p, err := startProcess(t, dir, bin, "-p", dir+"/", "-c", filepath.Join(dir, "nginx.conf"),
			"-e", filepath.Join(dir, "logs/error.log"))
		if err != nil {
			t.Fatalf("testenv: starting nginx: %v", err)
		}
		if err := p.waitListening(10*time.Second, hostPort(https), hostPort(plain), hostPort(h2c)); err != nil {
			p.stop()
			log, _ := os.ReadFile(filepath.Join(dir, "logs/error.log"))
			lastErr = fmt.Errorf("%v\n%s%s", err, p.output.String(), log)
			if bytes.Contains(log, []byte("Address already in use")) {
				continue
			}
			break
		}
		s.HTTPSURL = "https://" + hostPort(https)
		s.HTTPURL = "http://" + hostPort(plain)
		s.H2CURL = "http://" + hostPort(h2c)
		return s
	}
	t.Fatalf("testenv: nginx did not start: %v", lastErr)
	return nil
}

// Pattern returns n bytes of a repeating a..z pattern, the content of the
// /bytes/ files, so that tests can check what they read.
func Pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

var nginxTemplate = template.Must(template.New("nginx").Parse(`daemon off;
master_process on;
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/logs/error.log warn;
{{if .Root}}user root;
{{end}}{{if .Echo}}load_module {{.EchoModule}};
{{end}}
events { worker_connections 256; }

http {
  access_log off;
  client_body_temp_path {{.Dir}}/tmp/body;
  proxy_temp_path {{.Dir}}/tmp/proxy;
  fastcgi_temp_path {{.Dir}}/tmp/fcgi;
  uwsgi_temp_path {{.Dir}}/tmp/uwsgi;
  scgi_temp_path {{.Dir}}/tmp/scgi;
  types { }
  default_type application/octet-stream;

  server {
    listen 127.0.0.1:{{.HTTPS}} ssl http2;
    listen 127.0.0.1:{{.HTTP}};
    listen 127.0.0.1:{{.H2C}} http2;
    ssl_certificate {{.Dir}}/cert.pem;
    ssl_certificate_key {{.Dir}}/key.pem;
    root {{.Dir}}/www;

    location = / { default_type text/plain; return 200 'ok\n'; }
    location = /json { default_type application/json; return 200 '{"ok":true}\n'; }
    location /bytes/ { }
    location /slow/ { alias {{.Dir}}/www/bytes/; limit_rate 8k; }
{{range .Statuses}}    location = /status/{{.}} { return {{.}}; }
{{end}}{{if .Echo}}    location = /echo-headers { default_type text/plain; echo -n $echo_client_request_headers; }
    location = /echo-body { default_type application/octet-stream; echo_read_request_body; echo_request_body; }
{{end}}  }
}
`))

func nginxConfig(t testing.TB, dir string, echo bool, https, plain, h2c int) []byte {
	var buf bytes.Buffer
	err := nginxTemplate.Execute(&buf, map[string]any{
		"Dir": dir, "Root": os.Geteuid() == 0, "Echo": echo, "EchoModule": echoModule,
		"HTTPS": https, "HTTP": plain, "H2C": h2c, "Statuses": NginxStatuses,
	})
	if err != nil {
		t.Fatalf("testenv: nginx config: %v", err)
	}
	return []byte(strings.TrimLeft(buf.String(), "\n"))
}
