package proxy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// build makes a table from key/value pairs in order.
func build(t testing.TB, kv ...string) *Table[string] {
	t.Helper()
	var tb Table[string]
	for i := 0; i < len(kv); i += 2 {
		require.NoError(t, tb.Add(kv[i], kv[i+1]))
	}
	return &tb
}

func keys[T any](tb *Table[T]) []string {
	var out []string
	for p := range tb.All() {
		out = append(out, p.String())
	}
	return out
}

func TestTablePriority(t *testing.T) {
	// Added least specific first so that sorting has to move everything.
	tb := build(t,
		"", "empty",
		"all://", "all",
		"http://", "http",
		"https://", "https",
		"all://example.com", "example",
		"all://*example.com", "star-example",
		"http://example.com", "http-example",
		"all://*:1234", "port",
		"https://example.com:1234", "https-example-port",
	)
	assert.Equal(t, []string{
		"https://example.com:1234", // has a port, longest host
		"all://*:1234",             // has a port
		"all://*example.com",       // '*' makes the host longer
		"http://example.com",       // same host length, longer scheme
		"all://example.com",
		"https://",
		"http://",
		"", // ties with "all://" and was added first
		"all://",
	}, keys(tb))
	assert.Equal(t, 9, tb.Len())
}

func TestTableTiesKeepInsertionOrder(t *testing.T) {
	tb := build(t, "all://aaa.com", "a", "all://bbb.com", "b", "http://x:1", "p1", "http://y:2", "p2", "all://ccc.com", "c")
	assert.Equal(t, []string{"http://x:1", "http://y:2", "all://aaa.com", "all://bbb.com", "all://ccc.com"}, keys(tb))

	// Two patterns that both match: the first added wins, as in HTTPX where
	// environment entries precede user mounts.
	tb = build(t, "all://*.example.com", "first", "ALL://*.example.com/", "second", "all://10.0.100.10", "ip")
	v, ok := tb.Lookup("http", "www.a.example.com", 80)
	require.True(t, ok)
	assert.Equal(t, "first", v, "equal host length and scheme: insertion order decides")
	tb = build(t, "all://10.0.100.10", "ip", "all://10.0.0.0/16", "cidr")
	v, _ = tb.Lookup("http", "10.0.100.10", 80)
	assert.Equal(t, "ip", v, `"10.0.100.10" and "10.0.0.0/16" are both 11 characters long`)
}

func TestTableReplacesEqualKeys(t *testing.T) {
	tb := build(t, "all://", "env-all", "all://*example.com", "", "https://", "env-https")
	require.NoError(t, tb.Add("all://*example.com", "user"))
	require.NoError(t, tb.Add("all://", "user-all"))
	assert.Equal(t, []string{"all://*example.com", "https://", "all://"}, keys(tb))
	assert.Equal(t, 3, tb.Len())
	v, _ := tb.Lookup("http", "www.example.com", 80)
	assert.Equal(t, "user", v)
	v, _ = tb.Lookup("http", "other.org", 80)
	assert.Equal(t, "user-all", v)

	// Only identical key strings replace; equivalent spellings are separate
	// routes, and the earlier one wins lookups.
	require.NoError(t, tb.Add("ALL://", "upper"))
	assert.Equal(t, 4, tb.Len())
	v, _ = tb.Lookup("http", "other.org", 80)
	assert.Equal(t, "user-all", v)
}

func TestTableAddError(t *testing.T) {
	var tb Table[int]
	err := tb.Add("http", 1)
	var pe *PatternError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "http", pe.Key)
	assert.Equal(t, 0, tb.Len())
}

func TestTableEmpty(t *testing.T) {
	var tb Table[*int]
	v, ok := tb.Lookup("http", "example.com", 80)
	assert.False(t, ok)
	assert.Nil(t, v)
	assert.Empty(t, keys(&tb))
}

func TestTableAllStopsEarly(t *testing.T) {
	tb := build(t, "http://", "a", "https://", "b", "all://", "c")
	n := 0
	for range tb.All() {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

// The routing examples from the HTTPX documentation ("Routing" in
// transports-newest.md and "HTTP Proxying" in advanced-v0.2x.md). "" stands
// for None: go direct / use the default transport.
func TestTableDocExamples(t *testing.T) {
	type want struct {
		url   req
		value string
		ok    bool
	}
	tests := []struct {
		name string
		kv   []string
		want []want
	}{
		{"wildcard", []string{"all://", "http://localhost:8030"}, []want{
			{req{"http", "example.com", 80}, "http://localhost:8030", true},
			{req{"https", "example.com", 443}, "http://localhost:8030", true},
			{req{"ws", "x", 80}, "http://localhost:8030", true},
		}},
		{"scheme", []string{"http://", "http://localhost:8030", "https://", "http://localhost:8031"}, []want{
			{req{"http", "example.com", 80}, "http://localhost:8030", true},
			{req{"https", "example.com", 443}, "http://localhost:8031", true},
			{req{"ws", "example.com", 80}, "", false},
		}},
		{"domain", []string{"all://example.com", "http://localhost:8030"}, []want{
			{req{"http", "example.com", 80}, "http://localhost:8030", true},
			{req{"https", "example.com", 443}, "http://localhost:8030", true},
			{req{"https", "www.example.com", 443}, "", false},
			{req{"https", "other.org", 443}, "", false},
		}},
		{"domain http only", []string{"http://example.com", "http://localhost:8030"}, []want{
			{req{"http", "example.com", 80}, "http://localhost:8030", true},
			{req{"https", "example.com", 443}, "", false},
		}},
		{"domain and subdomains", []string{"all://*example.com", "http://localhost:8030"}, []want{
			{req{"http", "example.com", 80}, "http://localhost:8030", true},
			{req{"https", "www.example.com", 443}, "http://localhost:8030", true},
			{req{"https", "wwwexample.com", 443}, "", false},
		}},
		{"strict subdomains", []string{"all://*.example.com", "http://localhost:8030"}, []want{
			{req{"http", "example.com", 80}, "", false},
			{req{"https", "www.example.com", 443}, "http://localhost:8030", true},
		}},
		{"port https", []string{"https://example.com:1234", "http://localhost:8030"}, []want{
			{req{"https", "example.com", 1234}, "http://localhost:8030", true},
			{req{"https", "example.com", 443}, "", false},
			{req{"http", "example.com", 1234}, "", false},
		}},
		{"port any", []string{"all://*:1234", "http://localhost:8030"}, []want{
			{req{"https", "example.com", 1234}, "http://localhost:8030", true},
			{req{"http", "other.org", 1234}, "http://localhost:8030", true},
			{req{"http", "other.org", 80}, "", false},
		}},
		{"no-proxy", []string{"all://", "http://localhost:8031", "all://example.com", ""}, []want{
			{req{"http", "example.com", 80}, "", true},
			{req{"https", "example.com", 443}, "", true},
			{req{"https", "www.example.com", 443}, "http://localhost:8031", true},
			{req{"http", "other.org", 80}, "http://localhost:8031", true},
		}},
		{"complex", []string{
			"all://", "http://localhost:8030",
			"https://domain.io", "",
			"all://*example.com", "http://localhost:8031",
			"http://internal.example.com:5550", "http://localhost:8032",
		}, []want{
			{req{"http", "other.org", 80}, "http://localhost:8030", true},
			{req{"https", "other.org", 443}, "http://localhost:8030", true},
			{req{"https", "domain.io", 443}, "", true},
			{req{"http", "domain.io", 80}, "http://localhost:8030", true},
			{req{"https", "www.domain.io", 443}, "http://localhost:8030", true},
			{req{"http", "example.com", 80}, "http://localhost:8031", true},
			{req{"https", "api.example.com", 443}, "http://localhost:8031", true},
			{req{"http", "internal.example.com", 80}, "http://localhost:8031", true},
			{req{"https", "internal.example.com", 5550}, "http://localhost:8031", true},
			{req{"http", "internal.example.com", 5550}, "http://localhost:8032", true},
			{req{"http", "internal.example.com", 0}, "http://localhost:8031", true},
		}},
		{"custom scheme mount", []string{"file://", "fs", "all://", "net"}, []want{
			{req{"file", "", 0}, "fs", true},
			{req{"http", "x", 80}, "net", true},
		}},
		{"disable HTTP/2 on one domain", []string{"all://", "h2", "all://*example.org", "h1"}, []want{
			{req{"https", "example.org", 443}, "h1", true},
			{req{"https", "cdn.example.org", 443}, "h1", true},
			{req{"https", "example.com", 443}, "h2", true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := build(t, tt.kv...)
			for _, w := range tt.want {
				v, ok := tb.Lookup(w.url.scheme, w.url.host, w.url.port)
				assert.Equal(t, w.ok, ok, "%+v", w.url)
				assert.Equal(t, w.value, v, "%+v", w.url)
			}
		})
	}
}

func TestTableIPRoutes(t *testing.T) {
	tb := build(t,
		"all://", "proxy",
		"all://10.0.0.0/8", "",
		"all://[::1]", "",
		"all://127.0.0.1:8080", "",
	)
	for _, tt := range []struct {
		r    req
		want string
	}{
		{req{"http", "10.2.3.4", 80}, ""},
		{req{"http", "[::1]", 80}, ""},
		{req{"http", "::1", 443}, ""},
		{req{"http", "127.0.0.1", 8080}, ""},
		{req{"http", "127.0.0.1", 80}, "proxy"},
		{req{"http", "10.example.com", 80}, "proxy"},
		{req{"http", "1password.com", 80}, "proxy"},
		{req{"http", "999.1.1.1", 80}, "proxy"},
	} {
		v, ok := tb.Lookup(tt.r.scheme, tt.r.host, tt.r.port)
		assert.True(t, ok)
		assert.Equal(t, tt.want, v, "%+v", tt.r)
	}
}

// benchTable has the shape of a typical client: environment proxies, a few
// NO_PROXY entries and user mounts.
func benchTable(tb testing.TB) *Table[string] {
	return build(tb,
		"http://", "http://proxy:3128",
		"https://", "http://proxy:3128",
		"all://", "socks5://proxy:1080",
		"all://localhost", "",
		"all://127.0.0.1", "",
		"all://10.0.0.0/8", "",
		"all://*.internal.example.com", "",
		"http://api.example.com:8080", "mock",
	)
}

func TestTableLookupDoesNotAllocate(t *testing.T) {
	tb := benchTable(t)
	for _, r := range []req{
		{"https", "www.example.org", 443},
		{"http", "10.1.2.3", 80},
		{"http", "fe80::1%eth0", 80},
		{"http", "1password.com", 80},
		{"http", "999.1.1.1", 80},
	} {
		allocs := testing.AllocsPerRun(100, func() { tb.Lookup(r.scheme, r.host, r.port) })
		assert.Zero(t, allocs, "%+v", r)
	}
}

func BenchmarkTableLookup(b *testing.B) {
	tb := benchTable(b)
	for _, bc := range []struct {
		name string
		r    req
	}{
		{"fallthrough", req{"https", "www.example.org", 443}}, // ends at "https://"
		{"cidr", req{"http", "10.1.2.3", 80}},
		{"ipv6", req{"http", "fe80::1", 80}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tb.Lookup(bc.r.scheme, bc.r.host, bc.r.port)
			}
		})
	}
}
