package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// options holds the parsed command line, one field per HTTPX option.
type options struct {
	url             string
	method          string
	params          [][2]string
	content         *string
	data            [][2]string
	files           [][2]string
	json            json.RawMessage
	headers         [][2]string
	cookies         [][2]string
	auth            *[2]string
	proxy           string
	timeout         time.Duration
	followRedirects bool
	noVerify        bool
	http2           bool
	download        string
	verbose         bool
	help            bool
}

// usageError is a mistake on the command line; it exits with status 2, as
// click (which HTTPX's command is built on) does.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// optionSpec describes one option: its names and how many values follow it.
type optionSpec struct {
	long, short string
	nargs       int
	set         func(o *options, v []string) error
}

func pair(dst func(o *options) *[][2]string) func(*options, []string) error {
	return func(o *options, v []string) error {
		p := dst(o)
		*p = append(*p, [2]string{v[0], v[1]})
		return nil
	}
}

// specs lists HTTPX's options. Several take two values (-p NAME VALUE),
// which is why this is not the standard flag package: it has no such
// options, and -h is HTTPX's --headers, not help.
var specs = []optionSpec{
	{"--method", "-m", 1, func(o *options, v []string) error { o.method = strings.ToUpper(v[0]); return nil }},
	{"--params", "-p", 2, pair(func(o *options) *[][2]string { return &o.params })},
	{"--content", "-c", 1, func(o *options, v []string) error { o.content = &v[0]; return nil }},
	{"--data", "-d", 2, pair(func(o *options) *[][2]string { return &o.data })},
	{"--files", "-f", 2, pair(func(o *options) *[][2]string { return &o.files })},
	{"--json", "-j", 1, func(o *options, v []string) error {
		if !json.Valid([]byte(v[0])) {
			return &usageError{"Invalid value for '-j' / '--json': Not valid JSON"}
		}
		o.json = json.RawMessage(v[0])
		return nil
	}},
	{"--headers", "-h", 2, pair(func(o *options) *[][2]string { return &o.headers })},
	{"--cookies", "", 2, pair(func(o *options) *[][2]string { return &o.cookies })},
	{"--auth", "", 2, func(o *options, v []string) error { o.auth = &[2]string{v[0], v[1]}; return nil }},
	{"--proxy", "", 1, func(o *options, v []string) error { o.proxy = v[0]; return nil }},
	// --proxies is the name HTTPX's command had before 0.26.
	{"--proxies", "", 1, func(o *options, v []string) error { o.proxy = v[0]; return nil }},
	{"--timeout", "", 1, func(o *options, v []string) error {
		f, err := strconv.ParseFloat(v[0], 64)
		if err != nil || f < 0 {
			return &usageError{fmt.Sprintf("Invalid value for '--timeout': '%s' is not a valid float.", v[0])}
		}
		o.timeout = time.Duration(f * float64(time.Second))
		return nil
	}},
	{"--follow-redirects", "", 0, func(o *options, _ []string) error { o.followRedirects = true; return nil }},
	{"--no-verify", "", 0, func(o *options, _ []string) error { o.noVerify = true; return nil }},
	{"--http2", "", 0, func(o *options, _ []string) error { o.http2 = true; return nil }},
	{"--download", "", 1, func(o *options, v []string) error { o.download = v[0]; return nil }},
	{"--verbose", "-v", 0, func(o *options, _ []string) error { o.verbose = true; return nil }},
	{"--help", "", 0, func(o *options, _ []string) error { o.help = true; return nil }},
}

// parseArgs reads the command line as click reads HTTPX's: options may come
// before or after the URL, a long option may carry its single value as
// --name=value, and "--" ends the options.
func parseArgs(args []string) (*options, error) {
	o := &options{timeout: 5 * time.Second}
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		name, inline, hasInline := a, "", false
		if strings.HasPrefix(a, "--") {
			name, inline, hasInline = strings.Cut(a, "=")
		}
		spec := lookup(name)
		if spec == nil {
			return nil, &usageError{fmt.Sprintf("No such option: %s", name)}
		}
		var vals []string
		switch {
		case hasInline && spec.nargs == 1:
			vals = []string{inline}
		case hasInline:
			return nil, &usageError{fmt.Sprintf("Option '%s' does not take a value.", name)}
		default:
			if i+spec.nargs >= len(args) {
				if spec.nargs == 1 {
					return nil, &usageError{fmt.Sprintf("Option '%s' requires an argument.", name)}
				}
				return nil, &usageError{fmt.Sprintf("Option '%s' requires %d arguments.", name, spec.nargs)}
			}
			vals = args[i+1 : i+1+spec.nargs]
			i += spec.nargs
		}
		if err := spec.set(o, vals); err != nil {
			return nil, err
		}
	}
	if o.help {
		return o, nil
	}
	switch len(positional) {
	case 0:
		return nil, &usageError{"Missing argument 'URL'."}
	case 1:
		o.url = positional[0]
	default:
		return nil, &usageError{fmt.Sprintf("Got unexpected extra argument (%s)", positional[1])}
	}
	if o.method == "" {
		o.method = "GET"
		if o.content != nil || len(o.data) > 0 || len(o.files) > 0 || o.json != nil {
			o.method = "POST"
		}
	}
	return o, nil
}

func lookup(name string) *optionSpec {
	for i := range specs {
		if specs[i].long == name || (specs[i].short != "" && specs[i].short == name) {
			return &specs[i]
		}
	}
	return nil
}

const helpText = `gohttpx: a next generation HTTP client, HTTPX's command in Go.

Usage: gohttpx <URL> [OPTIONS]

  -m, --method METHOD            Request method, such as GET, POST, PUT, PATCH, DELETE,
                                 OPTIONS, HEAD. [Default: GET, or POST if a request
                                 body is included]
  -p, --params <NAME VALUE> ...  Query parameters to include in the request URL.
  -c, --content TEXT             Byte content to include in the request body.
  -d, --data <NAME VALUE> ...    Form data to include in the request body.
  -f, --files <NAME FILENAME> ...
                                 Form files to include in the request body.
  -j, --json TEXT                JSON data to include in the request body.
  -h, --headers <NAME VALUE> ... Include additional HTTP headers in the request.
  --cookies <NAME VALUE> ...     Cookies to include in the request.
  --auth <USER PASS>             Username and password to include in the request.
                                 Specify '-' for the password to use a password
                                 prompt. Note that using --verbose/-v will expose the
                                 Authorization header, including the password encoding
                                 in a trivially reversible format.
  --proxy URL                    Send the request via a proxy. Should be the URL giving
                                 the proxy address.
  --timeout FLOAT                Timeout value to use for network operations, such as
                                 establishing the connection, reading some data,
                                 etc... [Default: 5.0]
  --follow-redirects             Automatically follow redirects.
  --no-verify                    Disable SSL verification.
  --http2                        Send the request using HTTP/2, if the remote server
                                 supports it.
  --download FILE                Save the response content as a file, rather than
                                 displaying it.
  -v, --verbose                  Verbose output. Show request as well as response.
  --help                         Show this message and exit.
`
