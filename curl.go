package httpx

import (
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/gohttpx/httpx/internal/h1"
	"github.com/gohttpx/httpx/multipart"
	"golang.org/x/net/http/httpguts"
)

// curlInlineLimit is the largest body Curl writes into the command line;
// a larger one is read from stdin instead, keeping commands pasteable.
const curlInlineLimit = 64 << 10

// Curl returns a curl command line (for a POSIX shell) that sends this
// request as the client sent it: r.Request of a response reproduces the
// request after merging, auth and hooks, default headers included, with the
// connection flags of the transport that carried it (--http1.1, --http2,
// --http2-prior-knowledge, --insecure, --cacert, --cert, --unix-socket,
// --proxy). A request built by Client.BuildRequest describes what that
// client would send; one from NewRequest has no transport flags.
//
// Secrets are masked with Masked (DefaultRedactedHeaders, the client's
// WithRedactHeaders names, URL, proxy and key passwords) unless the client
// has WithShowSecrets(true); CurlWithSecrets shows them for one call. A
// masked command shows what was sent but does not authenticate.
//
// The body is written inline (--data-raw) when it is UTF-8 text without NUL
// of at most 64 KiB. A multipart body whose files are all regular *os.File
// values is rebuilt by curl with -F parts naming the files' paths (curl
// picks another boundary and reads each whole file). Any other body, and a
// stream, is "--data-binary @-": feed the body (Request.Content, or the
// stream's bytes) on curl's standard input. Curl's own Content-Length,
// Expect and default headers are suppressed or overridden so that the
// server sees the same request. The command is minimal: add -s, -o or -v
// as needed. A nil request gives "".
func (r *Request) Curl() string { return r.curl(false) }

// CurlWithSecrets is Curl with nothing masked, whatever the client's
// policy: the explicit per-call opt-in, for replaying a request against a
// server you control.
func (r *Request) CurlWithSecrets() string { return r.curl(true) }

// curlFlagger is implemented by transports that can say which curl flags
// reproduce how they connect to u.
type curlFlagger interface {
	curlFlags(u *URL, p redaction) []string
}

// curlBody is how a command carries the body.
type curlBody uint8

const (
	curlNoBody curlBody = iota
	curlInline          // --data-raw 'text'
	curlStdin           // --data-binary @-
	curlForm            // -F parts, curl encodes
)

func (r *Request) curl(show bool) string {
	if r == nil || r.URL == nil {
		return ""
	}
	var p redaction
	if r.client != nil {
		p = r.client.redaction
	}
	p.show = p.show || show

	mode, bodyArgs := r.curlBodyArgs()
	args := []string{"curl"}
	args = append(args, curlMethodArgs(r.Method, mode)...)
	if r.client != nil {
		if f, ok := r.client.transportFor(r.URL).(curlFlagger); ok {
			args = append(args, f.curlFlags(r.URL, p)...)
		}
	}
	if target, ok := r.Extensions["target"]; ok {
		switch v := target.(type) {
		case string:
			args = append(args, "--request-target", v)
		case []byte:
			args = append(args, "--request-target", string(v))
		}
	}
	args = append(args, r.curlHeaderArgs(mode, p)...)
	args = append(args, bodyArgs...)
	u, _, _ := strings.Cut(p.url(r.URL), "#") // curl sends no fragment either
	if strings.ContainsAny(u, "[]{}") {
		args = append(args, "--globoff") // brackets are curl's URL globbing
	}
	if strings.Contains(r.URL.RawPath(), "/.") {
		args = append(args, "--path-as-is") // curl would squash dot segments
	}
	args = append(args, u)

	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

// curlMethodArgs picks the shortest flags that make curl use method:
// curl's default is GET, or POST once there is a body.
func curlMethodArgs(method string, mode curlBody) []string {
	switch {
	case method == "GET" && mode == curlNoBody,
		method == "POST" && mode != curlNoBody:
		return nil
	case method == "HEAD" && mode == curlNoBody:
		return []string{"--head"} // -X HEAD would wait for a body
	}
	return []string{"-X", method}
}

// curlHeaderArgs lists the headers as sent, in order, and suppresses the
// ones curl would add on its own.
func (r *Request) curlHeaderArgs(mode curlBody, p redaction) []string {
	var args []string
	for name, value := range r.Headers.All() {
		switch {
		case h1.EqualFold(name, "Host") && value == r.URL.Netloc():
			continue // curl sends the same from the URL
		case h1.EqualFold(name, "Content-Length") && mode != curlNoBody:
			continue // curl counts the body itself
		case h1.EqualFold(name, "Content-Type") && mode == curlForm:
			continue // curl's boundary, not ours
		}
		value = p.value(name, value)
		if value == "" {
			args = append(args, "-H", name+";") // "Name:" would remove the header
		} else {
			args = append(args, "-H", name+": "+value)
		}
	}
	suppress := func(name string) {
		if !r.Headers.Has(name) {
			args = append(args, "-H", name+":")
		}
	}
	suppress("Accept")
	suppress("User-Agent")
	if mode == curlInline || mode == curlStdin {
		suppress("Content-Type") // else curl sends a form type
	}
	if mode == curlStdin || mode == curlForm {
		suppress("Expect") // curl asks for 100-continue on large or unknown sizes
	}
	return args
}

// curlBodyArgs decides how the command carries the body.
func (r *Request) curlBodyArgs() (curlBody, []string) {
	b := &r.body
	if b.parts != nil {
		if args, ok := curlFormArgs(b.parts); ok {
			return curlForm, args
		}
		return curlStdin, []string{"--data-binary", "@-"}
	}
	if !b.inMemory && b.stream != nil {
		return curlStdin, []string{"--data-binary", "@-"}
	}
	c := b.content
	switch {
	case len(c) == 0:
		return curlNoBody, nil
	case len(c) <= curlInlineLimit && utf8.Valid(c) && !strings.ContainsRune(string(c), 0):
		return curlInline, []string{"--data-raw", string(c)}
	}
	return curlStdin, []string{"--data-binary", "@-"}
}

// curlFormArgs rebuilds a multipart body as curl -F parts when every file
// is a regular file on disk and every name, filename and type can be said
// in curl's -F syntax without changing its meaning.
func curlFormArgs(fp *formParts) ([]string, bool) {
	var args []string
	for name, value := range fp.fields.All() {
		if !curlFormName(name) {
			return nil, false
		}
		args = append(args, "--form-string", name+"="+value)
	}
	for i := range fp.files {
		f := &fp.files[i]
		file, ok := f.Content.(*os.File)
		if !ok || f.Header.Len() > 0 || !curlFormName(f.Field) {
			return nil, false
		}
		if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
			return nil, false
		}
		path, err := filepath.Abs(file.Name())
		if err != nil {
			return nil, false
		}
		filename, err := f.filename()
		if err != nil || strings.ContainsFunc(filename, isControl) {
			return nil, false
		}
		ct := f.ContentType
		if ct == "" && filename != "" {
			ct = multipart.GuessContentType(filename)
		}
		var part strings.Builder
		part.WriteString(f.Field)
		if filename == "" {
			part.WriteString("=<") // the file's bytes as a plain field
			part.WriteString(curlFormQuote(path))
		} else {
			part.WriteString("=@")
			part.WriteString(curlFormQuote(path))
			part.WriteString(";filename=")
			part.WriteString(curlFormQuote(filename))
		}
		if ct != "" {
			if !curlMediaType(ct) {
				return nil, false
			}
			part.WriteString(";type=")
			part.WriteString(ct)
		}
		args = append(args, "-F", part.String())
	}
	return args, true
}

// curlFormName reports whether a field name survives curl's -F parsing,
// which ends the name at "=".
func curlFormName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "=\"\\") && !strings.ContainsFunc(name, isControl)
}

// curlFormQuote quotes a -F word so that ";", "," and quotes in it are
// literal.
func curlFormQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// curlMediaType reports whether ct is a bare type/subtype, the only form
// curl's "type=" takes without reinterpreting parameters.
func curlMediaType(ct string) bool {
	major, minor, ok := strings.Cut(ct, "/")
	return ok && httpguts.ValidHeaderFieldName(major) && httpguts.ValidHeaderFieldName(minor)
}

func isControl(c rune) bool { return c < ' ' || c == 0x7f }

// shellQuote quotes s for a POSIX shell: single quotes keep every byte
// literal, and a single quote itself is closed, escaped and reopened. Words
// of letters, digits and "-_./@" (flags, methods, paths) stay bare; URLs and
// headers are always quoted, which reads as people write curl commands.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./@", c))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// curlFlags describes how this transport connects to u, as curl flags.
func (t *HTTPTransport) curlFlags(u *URL, p redaction) []string {
	var f []string
	secure := u.Scheme() == "https" || u.Scheme() == "wss"
	switch {
	case !isTrue(t.HTTP1) && t.HTTP2:
		f = append(f, "--http2-prior-knowledge")
	case t.HTTP2 && secure:
		f = append(f, "--http2")
	case secure:
		f = append(f, "--http1.1") // curl would negotiate HTTP/2
	}
	if !isTrue(t.Verify) {
		f = append(f, "--insecure")
	}
	if t.CAFile != "" {
		f = append(f, "--cacert", t.CAFile)
	}
	if t.CertFile != "" {
		f = append(f, "--cert", t.CertFile)
	}
	if t.KeyFile != "" {
		f = append(f, "--key", t.KeyFile)
	}
	if t.KeyPassword != "" {
		f = append(f, "--pass", p.secret(t.KeyPassword))
	}
	if t.UDS != "" {
		f = append(f, "--unix-socket", t.UDS)
	}
	if t.LocalAddress != "" {
		f = append(f, "--interface", t.LocalAddress)
	}
	if t.Proxy != nil && t.Proxy.URL != "" {
		pu := t.Proxy.URL
		if !p.show {
			pu = redactRawURL(pu)
		}
		f = append(f, "--proxy", pu)
		if t.Proxy.Mode == ProxyTunnelOnly && !secure {
			f = append(f, "--proxytunnel") // curl tunnels only https by default
		}
		if !isTrue(t.Verify) && strings.HasPrefix(pu, "https:") {
			f = append(f, "--proxy-insecure")
		}
		for _, name := range sortedKeys(t.Proxy.Headers) {
			f = append(f, "--proxy-header", name+": "+p.value(name, t.Proxy.Headers[name]))
		}
	}
	return f
}
