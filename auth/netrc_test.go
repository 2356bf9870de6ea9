package auth

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestNetRCCredentials(t *testing.T) {
	const file = `# leading comment
machine netrcexample.org
login example-username
password example-password

machine Mixed.Example.COM login mixed password "pass word" # trailing comment
machine nopass.example login lonely
machine account.example login acct account acc-value password "q\"uote\\"
machine hash.example user u password #notacomment
# a comment between entries with keywords: machine evil login x password y
macdef init
machine macro.example login macro password macro

machine after.macro login after password after-pw
machine dup.example login first password one
machine dup.example login second password two
machine escaped.example login back\ slash password p
default login anonymous password guest@
`
	n, err := LoadNetRC(writeFile(t, t.TempDir(), ".netrc", file))
	require.NoError(t, err)

	tests := []struct {
		host, login, password string
		ok                    bool
	}{
		{"netrcexample.org", "example-username", "example-password", true},
		{"mixed.example.com", "mixed", "pass word", true},
		{"MIXED.example.com", "mixed", "pass word", true},
		{"nopass.example", "", "", false}, // entry without password: send unauthenticated
		{"account.example", "acct", `q"uote\`, true},
		{"hash.example", "u", "#notacomment", true},
		{"evil", "anonymous", "guest@", true},          // commented out, so default
		{"macro.example", "anonymous", "guest@", true}, // inside macdef, so default
		{"after.macro", "after", "after-pw", true},
		{"dup.example", "second", "two", true}, // like Python's netrc, the last one wins
		{"escaped.example", "back slash", "p", true},
		{"unknown.example", "anonymous", "guest@", true},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			login, password, ok := n.Credentials(tt.host)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.login, login)
			assert.Equal(t, tt.password, password)
		})
	}
}

func TestNetRCNoDefault(t *testing.T) {
	n, err := LoadNetRC(writeFile(t, t.TempDir(), "netrc", "machine a.example login u password p\n"))
	require.NoError(t, err)
	_, _, ok := n.Credentials("b.example")
	assert.False(t, ok)
	login, password, ok := n.Credentials("a.example")
	assert.True(t, ok)
	assert.Equal(t, "u", login)
	assert.Equal(t, "p", password)

	var nilNetRC *NetRC
	_, _, ok = nilNetRC.Credentials("a.example")
	assert.False(t, ok)
}

func TestNetRCEmptyAndCommentOnly(t *testing.T) {
	for _, content := range []string{"", "\n\n", "# only a comment", "#\n# x\n", "macdef m\ncmd\n\n"} {
		n, err := LoadNetRC(writeFile(t, t.TempDir(), "netrc", content))
		require.NoError(t, err, "%q", content)
		_, _, ok := n.Credentials("x")
		assert.False(t, ok)
	}
}

func TestNetRCMalformed(t *testing.T) {
	tests := []struct {
		name, content, msg string
		line               int
	}{
		{"unknown toplevel token", "hello world\n", `bad toplevel token "hello"`, 1},
		{"unknown follower token", "machine a\nlogin u\nport 21\n", `bad follower token "port"`, 3},
		{"machine without name", "machine", "missing machine name", 1},
		{"machine with empty name", `machine "" login u`, "missing machine name", 1},
		{"login without value", "machine a login", `missing value after "login"`, 1},
		{"password without value", "default\n  password\n", `missing value after "password"`, 2},
		{"unterminated quote", "machine a password \"abc\n", "unterminated quoted token", 1},
		{"macdef without name", "macdef", "missing macdef name", 1},
		{"macdef without terminator", "\nmacdef init\ncd /\n", `macro definition "init" missing null line terminator`, 2},
		{"stray value", "machine a login u password p extra\n", `bad follower token "extra"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), ".netrc", tt.content)
			n, err := LoadNetRC(path)
			assert.Nil(t, n)
			var ne *NetRCError
			require.True(t, errors.As(err, &ne), "want *NetRCError, got %T %v", err, err)
			assert.Equal(t, path, ne.Path)
			assert.Equal(t, tt.msg, ne.Msg)
			assert.Equal(t, tt.line, ne.Line)
			assert.Contains(t, err.Error(), path)
		})
	}
}

func TestNetRCMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent")
	n, err := LoadNetRC(path)
	assert.Nil(t, n)
	assert.True(t, errors.Is(err, fs.ErrNotExist))
	assert.Contains(t, err.Error(), path)
}

func TestNetRCPath(t *testing.T) {
	path := writeFile(t, t.TempDir(), ".netrc", "")
	n, err := LoadNetRC(path)
	require.NoError(t, err)
	assert.Equal(t, path, n.Path())
}

func TestFindNetRC(t *testing.T) {
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	t.Run("NETRC wins", func(t *testing.T) {
		home := t.TempDir()
		writeFile(t, home, ".netrc", "")
		custom := writeFile(t, t.TempDir(), "custom", "")
		assert.Equal(t, custom, FindNetRC(env(map[string]string{"NETRC": custom}), home))
	})
	t.Run("NETRC with tilde", func(t *testing.T) {
		home := t.TempDir()
		writeFile(t, home, "my_netrc", "")
		assert.Equal(t, filepath.Join(home, "my_netrc"), FindNetRC(env(map[string]string{"NETRC": "~/my_netrc"}), home))
	})
	t.Run("missing NETRC falls back to ~/.netrc", func(t *testing.T) {
		home := t.TempDir()
		dot := writeFile(t, home, ".netrc", "")
		writeFile(t, home, "_netrc", "")
		assert.Equal(t, dot, FindNetRC(env(map[string]string{"NETRC": filepath.Join(home, "nope")}), home))
	})
	t.Run("~/_netrc last", func(t *testing.T) {
		home := t.TempDir()
		under := writeFile(t, home, "_netrc", "")
		assert.Equal(t, under, FindNetRC(env(nil), home))
	})
	t.Run("directory is not a file", func(t *testing.T) {
		home := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(home, ".netrc"), 0o700))
		under := writeFile(t, home, "_netrc", "")
		assert.Equal(t, under, FindNetRC(env(nil), home))
	})
	t.Run("none", func(t *testing.T) {
		assert.Equal(t, "", FindNetRC(env(nil), t.TempDir()))
	})
	t.Run("defaults to the process environment", func(t *testing.T) {
		custom := writeFile(t, t.TempDir(), "custom", "")
		t.Setenv("NETRC", custom)
		assert.Equal(t, custom, FindNetRC(nil, ""))
	})
}
