// Command gohttpx is HTTPX's `httpx` command in Go: it sends one request
// and shows the response, with the same options and the same output.
//
//	gohttpx https://www.example.org/
//	gohttpx https://httpbin.org/post -j '{"name": "value"}'
//	gohttpx https://example.org/file.zip --download file.zip
//	gohttpx https://example.org/ -v --http2
//
// Options taking two values (-p NAME VALUE) may be repeated; -h is
// --headers, as in HTTPX, and --help shows the help. The exit status is 0
// for a 2xx response and 1 for any other status or an error; 2 is a
// mistake on the command line.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fatih/color"
	"github.com/gohttpx/httpx"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, environment{
		getenv:    os.Getenv,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	})
	stop()
	os.Exit(code)
}

// environment is what run takes from the process around it, injectable so
// tests can run the command in process.
type environment struct {
	getenv               func(string) string
	stdoutTTY, stderrTTY bool
	// transport replaces the network when set, so a test can answer
	// requests and emit trace events in process.
	transport httpx.Transport
}

// run is the whole command: it parses args, sends the request, prints the
// response on stdout and errors on stderr, and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env environment) int {
	if env.getenv == nil {
		env.getenv = func(string) string { return "" }
	}
	noColor := env.getenv("NO_COLOR") != ""
	errName := color.New(color.FgRed)
	if env.stderrTTY && !noColor {
		errName.EnableColor()
	} else {
		errName.DisableColor()
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %s\n", errName.Sprint(errorKindName(err)), errorMessage(err))
		return 1
	}

	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "Usage: gohttpx [OPTIONS] URL\nTry 'gohttpx --help' for help.\n\nError: %s\n", err)
		return 2
	}
	if o.help {
		io.WriteString(stdout, helpText)
		return 0
	}
	if o.auth != nil && o.auth[1] == "-" {
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return fail(fmt.Errorf("reading the password: %w", err))
		}
		o.auth[1] = pw
	}

	out := newPrinter(stdout, env.stdoutTTY && !noColor)
	// The heads print from a response hook, which runs for every response,
	// redirect hops included, as HTTPX's trace callback does. The request
	// head waits for the response too: by then the connection's trace events
	// have printed, as in HTTPX, and the response says which protocol the
	// request went out in.
	hooks := httpx.EventHooks{
		Response: []func(*httpx.Response) error{func(r *httpx.Response) error {
			if o.verbose && r.Request != nil {
				out.requestHead(r.Request, r.HTTPVersion() == "HTTP/2")
			}
			out.responseHead(r)
			return nil
		}},
	}
	copts := []httpx.ClientOption{
		httpx.WithTimeout(httpx.Timeouts(o.timeout)),
		httpx.WithEventHooks(hooks),
	}
	if o.noVerify {
		copts = append(copts, httpx.WithVerify(false))
	}
	if o.http2 {
		copts = append(copts, httpx.WithHTTP2(true))
	}
	if o.proxy != "" {
		copts = append(copts, httpx.WithProxy(httpx.Proxy{URL: o.proxy}))
	}
	if env.transport != nil {
		copts = append(copts, httpx.WithTransport(env.transport))
	}
	client := httpx.NewClient(copts...)
	defer client.Close()

	ropts, closeFiles, err := requestOptions(o, out)
	defer closeFiles()
	if err != nil {
		return fail(err)
	}
	r, err := client.Stream(ctx, o.method, o.url, ropts...)
	if err != nil {
		return fail(err)
	}
	defer r.Close()

	if o.download != "" {
		if err := download(r, o.download, out, env.stdoutTTY); err != nil {
			return fail(err)
		}
	} else {
		content, err := r.Content()
		if err != nil {
			return fail(err)
		}
		if len(content) > 0 {
			out.body(r, content)
		}
	}
	if o.verbose {
		// Response.Timings will split this by phase once it exists.
		out.printf("* Elapsed: %s\n", r.Elapsed())
	}
	if !r.IsSuccess() {
		return 1
	}
	return 0
}

// requestOptions turns the parsed options into the request's options. The
// returned function closes the files opened for -f.
func requestOptions(o *options, out *printer) ([]httpx.RequestOption, func(), error) {
	var files []*os.File
	closeFiles := func() {
		for _, f := range files {
			f.Close()
		}
	}
	ropts := []httpx.RequestOption{
		httpx.WithFollowRedirects(o.followRedirects),
		httpx.WithExtensions(map[string]any{"trace": func(event string, info map[string]any) {
			if o.verbose {
				out.trace(event, info)
			}
		}}),
	}
	for _, p := range o.params {
		ropts = append(ropts, httpx.WithParam(p[0], p[1]))
	}
	for _, h := range o.headers {
		ropts = append(ropts, httpx.WithHeader(h[0], h[1]))
	}
	if len(o.cookies) > 0 {
		m := make(map[string]string, len(o.cookies))
		for _, c := range o.cookies {
			m[c[0]] = c[1]
		}
		ropts = append(ropts, httpx.WithCookies(m))
	}
	if o.auth != nil {
		ropts = append(ropts, httpx.WithAuth(httpx.BasicAuth(o.auth[0], o.auth[1])))
	}
	if o.content != nil {
		ropts = append(ropts, httpx.WithContent([]byte(*o.content)))
	}
	if o.json != nil {
		ropts = append(ropts, httpx.WithJSON(o.json))
	}
	if len(o.data) > 0 {
		var form httpx.QueryParams
		for _, d := range o.data {
			form.Add(d[0], d[1])
		}
		ropts = append(ropts, httpx.WithFormParams(form))
	}
	if len(o.files) > 0 {
		var fs []httpx.File
		for _, f := range o.files {
			fh, err := os.Open(f[1])
			if err != nil {
				return nil, closeFiles, err
			}
			files = append(files, fh)
			fs = append(fs, httpx.File{Field: f[0], Filename: filepath.Base(f[1]), Content: fh})
		}
		ropts = append(ropts, httpx.WithFiles(fs...))
	}
	return ropts, closeFiles, nil
}

// readPassword prompts on stderr, so stdout keeps only the response, and
// reads without echo when stdin is a terminal (HTTPX's --auth USER -).
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	io.WriteString(stderr, "Password: ")
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		pw, err := term.ReadPassword(int(f.Fd()))
		io.WriteString(stderr, "\n")
		return string(pw), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// download saves the body in path, with a progress bar on a terminal driven
// by the bytes received on the wire, which is what Content-Length counts
// even when the body arrives compressed.
func download(r *httpx.Response, path string, out *printer, tty bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	out.printf("\n")
	total := int64(-1)
	if n, err := strconv.ParseInt(r.Headers.Get("Content-Length"), 10, 64); err == nil {
		total = n
	}
	var bar *progressbar.ProgressBar
	if tty {
		out.mu.Lock()
		defer out.mu.Unlock()
		bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(out.w),
			progressbar.OptionSetDescription("Downloading "+path),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(out.w) }),
		)
	}
	for chunk, err := range r.IterBytes(0) {
		if err != nil {
			return err
		}
		if _, err := f.Write(chunk); err != nil {
			return err
		}
		if bar != nil {
			bar.Set64(r.NumBytesDownloaded())
		}
	}
	if bar != nil {
		bar.Finish()
	}
	return f.Close()
}
