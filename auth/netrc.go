package auth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// NetRC is a parsed .netrc file. It is immutable after LoadNetRC, so one
// value can be shared by every request of a client, which is how HTTPX
// caches it.
//
// The syntax follows Python's netrc module, which HTTPX relies on:
// whitespace-separated tokens, double-quoted tokens with backslash escapes,
// '#' comments at keyword positions, "machine NAME" and "default" entries
// holding login (or user), account and password, and "macdef NAME" blocks
// that run to the next empty line and are skipped.
type NetRC struct {
	path    string
	entries map[string]netrcEntry // lower-cased machine name, or "default"
}

type netrcEntry struct {
	login, account, password string
}

// NetRCError reports a syntax error in a .netrc file. It names the file and
// line because a silently ignored typo would send requests without the
// credentials the user meant to configure.
type NetRCError struct {
	// Path is the file that failed to parse.
	Path string
	// Line is the 1-based line where the problem was noticed.
	Line int
	// Msg describes the problem.
	Msg string
}

// Error formats the error as "netrc: PATH:LINE: MSG".
func (e *NetRCError) Error() string {
	return fmt.Sprintf("netrc: %s:%d: %s", e.Path, e.Line, e.Msg)
}

// LoadNetRC reads and parses the .netrc file at path. A missing or
// unreadable file yields the *fs.PathError from the operating system (so
// errors.Is(err, fs.ErrNotExist) works), and any syntax error yields a
// *NetRCError naming the file: unlike HTTPX 0.23.3's trust_env lookup, a
// broken file is never skipped silently.
//
// github.com/jdx/go-netrc is deliberately not used: v1.0.0 panics on a
// trailing "machine", splits quoted tokens, accepts arbitrary tokens and
// reads "machine" lines inside macdef bodies as entries.
func LoadNetRC(path string) (*NetRC, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseNetRC(path, string(data))
}

// Path returns the file the NetRC was loaded from, for error messages.
func (n *NetRC) Path() string { return n.path }

// Credentials returns the login and password for host, which should be the
// request URL's host without port. Machine names compare
// case-insensitively because host names do. When no machine matches, the
// "default" entry is used, as in Python's netrc. ok is false when nothing
// matches or the matching entry has no password; HTTPX then sends the
// request without authentication rather than with an empty password.
func (n *NetRC) Credentials(host string) (login, password string, ok bool) {
	if n == nil {
		return "", "", false
	}
	e, found := n.entries[strings.ToLower(host)]
	if !found {
		e, found = n.entries["default"]
	}
	if !found || e.password == "" {
		return "", "", false
	}
	return e.login, e.password, true
}

// FindNetRC returns the .netrc file HTTPX 0.23.3 would use: $NETRC if it
// names an existing file, else HOME/.netrc, else HOME/_netrc (the Windows
// spelling); "" if none exists. A leading "~/" in $NETRC is expanded, as
// Python's expanduser does. getenv and homeDir are parameters so that tests
// do not depend on the real environment; nil getenv means os.Getenv and an
// empty homeDir means os.UserHomeDir.
func FindNetRC(getenv func(string) string, homeDir string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if homeDir == "" {
		homeDir, _ = os.UserHomeDir()
	}
	var candidates []string
	if p := getenv("NETRC"); p != "" {
		if homeDir != "" && (p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator))) {
			p = filepath.Join(homeDir, p[1:])
		}
		candidates = append(candidates, p)
	}
	if homeDir != "" {
		candidates = append(candidates, filepath.Join(homeDir, ".netrc"), filepath.Join(homeDir, "_netrc"))
	}
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// parseNetRC parses .netrc text; path is used only in errors.
func parseNetRC(path, src string) (*NetRC, error) {
	l := &netrcLexer{src: src, line: 1}
	n := &NetRC{path: path, entries: make(map[string]netrcEntry)}
	fail := func(err error) error {
		line := l.line
		var se *syntaxError
		if errors.As(err, &se) {
			line = se.line
		}
		return &NetRCError{Path: path, Line: line, Msg: err.Error()}
	}
	for {
		tok, quoted, ok, err := l.next()
		if err != nil {
			return nil, fail(err)
		}
		if !ok {
			return n, nil
		}
		tokLine := l.line
		var name string
		switch {
		case !quoted && strings.HasPrefix(tok, "#"):
			l.skipLine()
			continue
		case tok == "machine":
			name, _, ok, err = l.next()
			if err != nil {
				return nil, fail(err)
			}
			if !ok || name == "" {
				return nil, fail(&syntaxError{tokLine, "missing machine name"})
			}
		case tok == "default":
			name = "default"
		case tok == "macdef":
			if err := l.skipMacro(tokLine); err != nil {
				return nil, fail(err)
			}
			continue
		default:
			return nil, fail(&syntaxError{tokLine, fmt.Sprintf("bad toplevel token %q", tok)})
		}
		e, err := l.entry()
		if err != nil {
			return nil, fail(err)
		}
		// Like Python's netrc, a repeated machine replaces the earlier one.
		n.entries[strings.ToLower(name)] = e
	}
}

// syntaxError is a parse error tied to the line of the offending keyword,
// which is more useful than the line where the lexer happened to stop.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

// netrcLexer splits .netrc text into tokens the way Python's _netrclex does,
// but reports an unterminated quote instead of ending the token at EOF.
type netrcLexer struct {
	src  string
	pos  int
	line int
}

func isNetrcSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// next returns the next token; ok is false at end of input. The whitespace
// that ends a token is left unread so that skipLine stays on the right line.
func (l *netrcLexer) next() (tok string, quoted, ok bool, err error) {
	for l.pos < len(l.src) && isNetrcSpace(l.src[l.pos]) {
		if l.src[l.pos] == '\n' {
			l.line++
		}
		l.pos++
	}
	if l.pos == len(l.src) {
		return "", false, false, nil
	}
	var b strings.Builder
	if l.src[l.pos] == '"' {
		start := l.line
		l.pos++
		for l.pos < len(l.src) {
			c := l.src[l.pos]
			l.pos++
			switch c {
			case '"':
				return b.String(), true, true, nil
			case '\\':
				if l.pos < len(l.src) {
					c = l.src[l.pos]
					l.pos++
				}
			}
			if c == '\n' {
				l.line++
			}
			b.WriteByte(c)
		}
		return "", false, false, &syntaxError{start, "unterminated quoted token"}
	}
	for l.pos < len(l.src) && !isNetrcSpace(l.src[l.pos]) {
		c := l.src[l.pos]
		l.pos++
		if c == '\\' && l.pos < len(l.src) {
			c = l.src[l.pos]
			l.pos++
			if c == '\n' {
				l.line++
			}
		}
		b.WriteByte(c)
	}
	return b.String(), false, true, nil
}

// skipLine discards the rest of the current line, including its newline.
func (l *netrcLexer) skipLine() {
	i := strings.IndexByte(l.src[l.pos:], '\n')
	if i < 0 {
		l.pos = len(l.src)
		return
	}
	l.pos += i + 1
	l.line++
}

// skipMacro consumes "NAME" and the macro body after "macdef": the rest of
// the line, then lines up to and including the first empty one. Like
// Python, a body that runs into end of file is an error.
func (l *netrcLexer) skipMacro(line int) error {
	name, _, ok, err := l.next()
	if err != nil {
		return err
	}
	if !ok || name == "" {
		return &syntaxError{line, "missing macdef name"}
	}
	l.skipLine()
	for l.pos < len(l.src) {
		i := strings.IndexByte(l.src[l.pos:], '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSuffix(l.src[l.pos:l.pos+i], "\r")
		l.pos += i + 1
		l.line++
		if line == "" {
			return nil
		}
	}
	l.pos = len(l.src)
	return &syntaxError{line, fmt.Sprintf("macro definition %q missing null line terminator", name)}
}

// entry reads the login/account/password pairs of one machine or default
// entry, stopping before the next top-level keyword.
func (l *netrcLexer) entry() (netrcEntry, error) {
	var e netrcEntry
	for {
		save, saveLine := l.pos, l.line
		tok, quoted, ok, err := l.next()
		if err != nil {
			return e, err
		}
		if !ok {
			return e, nil
		}
		tokLine := l.line
		var dst *string
		switch {
		case !quoted && strings.HasPrefix(tok, "#"):
			l.skipLine()
			continue
		case tok == "machine" || tok == "default" || tok == "macdef":
			l.pos, l.line = save, saveLine
			return e, nil
		case tok == "login" || tok == "user":
			dst = &e.login
		case tok == "account":
			dst = &e.account
		case tok == "password":
			dst = &e.password
		default:
			return e, &syntaxError{tokLine, fmt.Sprintf("bad follower token %q", tok)}
		}
		val, _, ok, err := l.next()
		if err != nil {
			return e, err
		}
		if !ok {
			return e, &syntaxError{tokLine, fmt.Sprintf("missing value after %q", tok)}
		}
		*dst = val
	}
}
