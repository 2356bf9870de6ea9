package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/fatih/color"
	"github.com/gohttpx/httpx"
)

// printer writes everything the command shows on stdout. Its mutex keeps
// lines whole when trace events arrive from the transport's goroutines (an
// HTTP/2 connection reads on its own).
type printer struct {
	mu     sync.Mutex
	w      io.Writer
	colour bool
	// The colours of HTTPX's "ansi_dark" theme for an HTTP head: the
	// protocol, version and status in bright blue, the reason phrase and the
	// header names in bright cyan.
	blue, cyan *color.Color
}

func newPrinter(w io.Writer, colour bool) *printer {
	p := &printer{w: w, colour: colour, blue: color.New(color.FgHiBlue), cyan: color.New(color.FgHiCyan)}
	for _, c := range []*color.Color{p.blue, p.cyan} {
		if colour {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

func (p *printer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, args...)
}

// requestHead prints the request as HTTPX's -v does: the request line, the
// headers as sent, then a blank line.
func (p *printer) requestHead(req *httpx.Request, http2 bool) {
	version := "HTTP/1.1"
	if http2 {
		version = "HTTP/2"
	}
	target := req.URL.RawPath() // the request target, query included
	if t, ok := req.Extensions["target"].(string); ok {
		target = t
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", p.blue.Sprint(req.Method), p.cyan.Sprint(target), p.blueVersion(version))
	for name, value := range req.Headers.All() {
		if http2 {
			name = strings.ToLower(name)
		}
		fmt.Fprintf(&b, "%s: %s\n", p.cyan.Sprint(name), value)
	}
	b.WriteString("\n")
	p.printf("%s", b.String())
}

// responseHead prints the status line and the headers as received, then a
// blank line, which HTTPX prints for every response, redirects included.
func (p *printer) responseHead(r *httpx.Response) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", p.blueVersion(r.HTTPVersion()), p.blue.Sprint(r.StatusCode), p.cyan.Sprint(r.ReasonPhrase()))
	for name, value := range r.Headers.All() {
		fmt.Fprintf(&b, "%s: %s\n", p.cyan.Sprint(name), value)
	}
	b.WriteString("\n")
	p.printf("%s", b.String())
}

// blueVersion colours "HTTP/1.1" as pygments' HTTP lexer does: the two
// words in blue, the slash plain.
func (p *printer) blueVersion(v string) string {
	proto, num, ok := strings.Cut(v, "/")
	if !ok {
		return p.blue.Sprint(v)
	}
	return p.blue.Sprint(proto) + "/" + p.blue.Sprint(num)
}

// trace prints one trace-extension event of the connection: its name, then
// its details sorted by key, on a line starting with "* " as HTTPX marks
// connection events. The protocol's events are left out, as HTTPX's
// command leaves them: the request and response heads say it all.
func (p *printer) trace(event string, info map[string]any) {
	if !strings.HasPrefix(event, "connection.") {
		return
	}
	keys := make([]string, 0, len(info))
	for k := range info {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("* " + event)
	for _, k := range keys {
		v := info[k]
		if c, ok := v.(net.Conn); ok {
			v = c.RemoteAddr() // the connection made, not its internals
		}
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	b.WriteString("\n")
	p.printf("%s", b.String())
}

// body prints a response body as HTTPX does: JSON indented by four spaces,
// any text type as text, with a newline after it, and anything without a
// syntax (no Content-Type, images, archives) as a one-line summary. On a
// terminal the text is highlighted for its type.
func (p *printer) body(r *httpx.Response, content []byte) {
	lexer, isJSON := lexerFor(r.Headers.Get("Content-Type"))
	if lexer == nil {
		p.printf("<%d bytes of binary data>\n", len(content))
		return
	}
	var text string
	if isJSON {
		var b bytes.Buffer
		if json.Indent(&b, bytes.TrimSpace(content), "", "    ") == nil {
			text = b.String()
		}
	}
	if text == "" {
		var err error
		if text, err = r.Text(); err != nil {
			text = string(content)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.colour || highlight(p.w, lexer, text) != nil {
		io.WriteString(p.w, text)
	}
	io.WriteString(p.w, "\n")
}

// lexerFor finds the syntax for a Content-Type, as HTTPX asks pygments by
// MIME type; types with a +json or +xml suffix (RFC 6839) read as their
// base syntax, and any other text/* as plain text.
func lexerFor(contentType string) (lexer chroma.Lexer, isJSON bool) {
	if contentType == "" {
		return nil, false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(contentType), ";")
		mt = strings.TrimSpace(mt)
	}
	switch {
	case strings.HasSuffix(mt, "+json"):
		mt = "application/json"
	case strings.HasSuffix(mt, "+xml"):
		mt = "application/xml"
	}
	switch mt {
	case "application/octet-stream":
		// Chroma lists a lexer for it; pygments, and so HTTPX, none.
		return nil, false
	case "text/plain":
		// Chroma's own match for it is the Nu shell's syntax.
		lexer = lexers.Get("plaintext")
	default:
		lexer = lexers.MatchMimeType(mt)
	}
	if lexer == nil && strings.HasPrefix(mt, "text/") {
		lexer = lexers.Get("plaintext")
	}
	if lexer == nil {
		return nil, false
	}
	return lexer, strings.EqualFold(lexer.Config().Name, "JSON")
}

// highlight writes text coloured for lexer with the terminal's 16 colours,
// which is what HTTPX's "ansi_dark" theme uses, so the terminal's own
// palette decides the exact shades.
func highlight(w io.Writer, lexer chroma.Lexer, text string) error {
	it, err := chroma.Coalesce(lexer).Tokenise(nil, text)
	if err != nil {
		return err
	}
	return formatters.TTY16.Format(w, styles.Get("native"), it)
}
