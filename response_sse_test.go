package httpx_test

import (
	"errors"
	"io"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohttpx/httpx"
)

// oneByteReader returns its content one byte per Read, so that every line
// end (a CRLF included) and every UTF-8 sequence is split across reads.
type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

// splitReader returns its content in the given pieces, one per Read.
type splitReader struct{ parts []string }

func (r *splitReader) Read(p []byte) (int, error) {
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	if r.parts[0] == "" {
		r.parts = r.parts[1:]
	}
	return n, nil
}

func collectSSE(t *testing.T, resp *httpx.Response) ([]httpx.ServerSentEvent, error) {
	t.Helper()
	var (
		evs     []httpx.ServerSentEvent
		lastErr error
	)
	for ev, err := range resp.IterSSE() {
		if err != nil {
			require.NoError(t, lastErr, "a second error after the first")
			lastErr = err
			continue
		}
		require.NoError(t, lastErr, "an event after an error")
		evs = append(evs, ev)
	}
	return evs, lastErr
}

func msg(data string) httpx.ServerSentEvent {
	return httpx.ServerSentEvent{Event: "message", Data: data}
}

func TestIterSSESpec(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []httpx.ServerSentEvent
	}{
		{"empty", "", nil},
		{"one event", "data: hello\n\n", []httpx.ServerSentEvent{msg("hello")}},
		{"LF", "data: a\n\ndata: b\n\n", []httpx.ServerSentEvent{msg("a"), msg("b")}},
		{"CR", "data: a\r\rdata: b\r\r", []httpx.ServerSentEvent{msg("a"), msg("b")}},
		{"CRLF", "data: a\r\n\r\ndata: b\r\n\r\n", []httpx.ServerSentEvent{msg("a"), msg("b")}},
		{"mixed line ends", "data: a\r\ndata: b\rdata: c\n\r\n", []httpx.ServerSentEvent{msg("a\nb\nc")}},
		{"CR then LF is one line end, LF then CR two", "data: a\n\rdata: b\r\n\n", []httpx.ServerSentEvent{msg("a"), msg("b")}},
		{"BOM", "\xEF\xBB\xBFdata: a\n\n", []httpx.ServerSentEvent{msg("a")}},
		{"BOM before a blank line", "\xEF\xBB\xBF\ndata: a\n\n", []httpx.ServerSentEvent{msg("a")}},
		{"only the first BOM is stripped", "\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n", nil},
		{"BOM later is data", "data: \xEF\xBB\xBFa\n\n", []httpx.ServerSentEvent{msg("\uFEFFa")}},
		{"comments", ": hello\ndata: a\n:\n: another\n\n", []httpx.ServerSentEvent{msg("a")}},
		{"comment only block", ": keep-alive\n\n", nil},
		{"multi-line data", "data: a\ndata: b\ndata: c\n\n", []httpx.ServerSentEvent{msg("a\nb\nc")}},
		{"data with no space", "data:a\n\n", []httpx.ServerSentEvent{msg("a")}},
		{"only one space stripped", "data:  a \n\n", []httpx.ServerSentEvent{msg(" a ")}},
		{"tab is not stripped", "data:\ta\n\n", []httpx.ServerSentEvent{msg("\ta")}},
		{"value split at the first colon", "data: a: b:c\n\n", []httpx.ServerSentEvent{msg("a: b:c")}},
		{"field without colon", "data\n\n", []httpx.ServerSentEvent{msg("")}},
		{"field without colon adds an empty line", "data\ndata\ndata: x\n\n", []httpx.ServerSentEvent{msg("\n\nx")}},
		{"empty data dispatches", "data:\n\n", []httpx.ServerSentEvent{msg("")}},
		{"trailing empty data line", "data: a\ndata:\n\n", []httpx.ServerSentEvent{msg("a\n")}},
		{"no data is not dispatched", "event: x\n\nid: 1\n\nretry: 5\n\n", nil},
		{"event type", "event: add\ndata: 1\n\n", []httpx.ServerSentEvent{{Event: "add", Data: "1"}}},
		{"event type resets", "event: add\ndata: 1\n\ndata: 2\n\n", []httpx.ServerSentEvent{{Event: "add", Data: "1"}, msg("2")}},
		{"empty event type", "event:\ndata: 1\n\n", []httpx.ServerSentEvent{msg("1")}},
		{"event type of an undispatched block is dropped", "event: x\n\ndata: 1\n\n", []httpx.ServerSentEvent{msg("1")}},
		{"id", "id: 1\ndata: a\n\n", []httpx.ServerSentEvent{{Event: "message", Data: "a", ID: "1"}}},
		{"id carries on", "id: 1\ndata: a\n\ndata: b\n\n", []httpx.ServerSentEvent{
			{Event: "message", Data: "a", ID: "1"}, {Event: "message", Data: "b", ID: "1"}}},
		{"id after data in the same block", "data: a\nid: 7\n\n", []httpx.ServerSentEvent{{Event: "message", Data: "a", ID: "7"}}},
		{"empty id resets", "id: 1\ndata: a\n\nid\ndata: b\n\n", []httpx.ServerSentEvent{
			{Event: "message", Data: "a", ID: "1"}, msg("b")}},
		{"id without data still updates", "id: 5\n\ndata: a\n\n", []httpx.ServerSentEvent{{Event: "message", Data: "a", ID: "5"}}},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []httpx.ServerSentEvent{
			{Event: "message", Data: "a", ID: "1"}, {Event: "message", Data: "b", ID: "1"}}},
		{"retry", "retry: 1500\ndata: a\n\n", []httpx.ServerSentEvent{{Event: "message", Data: "a", Retry: 1500 * time.Millisecond}}},
		{"retry is per event", "retry: 10\ndata: a\n\ndata: b\n\n", []httpx.ServerSentEvent{
			{Event: "message", Data: "a", Retry: 10 * time.Millisecond}, msg("b")}},
		{"retry with non-digits ignored", "retry: 1.5\ndata: a\n\nretry: 12a\ndata: b\n\nretry: -1\ndata: c\n\nretry:  5\ndata: d\n\n",
			[]httpx.ServerSentEvent{msg("a"), msg("b"), msg("c"), msg("d")}},
		{"empty retry ignored", "retry:\ndata: a\n\n", []httpx.ServerSentEvent{msg("a")}},
		{"unknown fields ignored", "foo: bar\nData: x\nEVENT: y\ndata: a\n\n", []httpx.ServerSentEvent{msg("a")}},
		{"field names are exact", "data : a\n\n", nil},
		{"final event without blank line dropped", "data: a\n\ndata: b\n", []httpx.ServerSentEvent{msg("a")}},
		{"final unterminated line dropped", "data: a\n\ndata: b", []httpx.ServerSentEvent{msg("a")}},
		{"final CR ends the line but not the event", "data: a\r", nil},
		{"invalid UTF-8 replaced", "data: a\xffb\xe2\x82c\n\n", []httpx.ServerSentEvent{msg("a\uFFFDb\uFFFDc")}},
		{"truncated sequence at line end replaced", "data: \xe2\x82\n\n", []httpx.ServerSentEvent{msg("\uFFFD")}},
		{"multi-byte text", "data: héllo, 世界 🎉\n\n", []httpx.ServerSentEvent{msg("héllo, 世界 🎉")}},
		{"several blank lines", "\n\n\ndata: a\n\n\n\n", []httpx.ServerSentEvent{msg("a")}},
	}
	readers := map[string]func(string) httpx.RequestOption{
		"whole":    func(s string) httpx.RequestOption { return httpx.WithContent([]byte(s)) },
		"one byte": func(s string) httpx.RequestOption { return httpx.WithBody(&oneByteReader{s}) },
	}
	for _, tt := range tests {
		for rname, body := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				resp := httpx.NewResponse(200, body(tt.stream))
				got, err := collectSSE(t, resp)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				assert.True(t, resp.IsClosed())
			})
		}
	}
}

// Every split of a CRLF stream into two reads parses the same, the CR and
// the LF landing in different reads included.
func TestIterSSEEverySplit(t *testing.T) {
	stream := "\xEF\xBB\xBFid: 1\r\nevent: e\r\ndata: é\r\n\r\n: c\r\ndata: b\r\n\r\n"
	want := []httpx.ServerSentEvent{{Event: "e", Data: "é", ID: "1"}, {Event: "message", Data: "b", ID: "1"}}
	for i := 0; i <= len(stream); i++ {
		resp := httpx.NewResponse(200, httpx.WithBody(&splitReader{[]string{stream[:i], stream[i:]}}))
		got, err := collectSSE(t, resp)
		require.NoError(t, err)
		require.Equal(t, want, got, "split at %d", i)
	}
}

type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestIterSSEReadErrorYieldedOnce(t *testing.T) {
	boom := errors.New("boom")
	resp := httpx.NewResponse(200, httpx.WithBody(&failingReader{r: strings.NewReader("data: a\n\ndata: b\n"), err: boom}))
	got, err := collectSSE(t, resp)
	assert.Equal(t, []httpx.ServerSentEvent{msg("a")}, got)
	require.Error(t, err)
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, httpx.ErrRequest)
	assert.True(t, resp.IsClosed())
}

func TestIterSSEBreakClosesResponse(t *testing.T) {
	resp := httpx.NewResponse(200, httpx.WithBody(strings.NewReader("data: a\n\ndata: b\n\n")))
	for ev, err := range resp.IterSSE() {
		require.NoError(t, err)
		assert.Equal(t, "a", ev.Data)
		break
	}
	assert.True(t, resp.IsClosed())
}

func TestIterSSEStreamsIncrementally(t *testing.T) {
	pr, pw := io.Pipe()
	resp := httpx.NewResponse(200, httpx.WithBody(pr))
	go func() {
		_, _ = io.WriteString(pw, "data: first\n\n")
		// Nothing more until the consumer has seen the first event.
	}()
	next, stop := iterPull(resp)
	defer stop()
	ev, err, ok := next()
	require.True(t, ok)
	require.NoError(t, err)
	assert.Equal(t, "first", ev.Data)
	go func() {
		_, _ = io.WriteString(pw, "data: second\n\n")
		pw.Close()
	}()
	ev, err, ok = next()
	require.True(t, ok)
	require.NoError(t, err)
	assert.Equal(t, "second", ev.Data)
	_, _, ok = next()
	assert.False(t, ok)
}

func iterPull(resp *httpx.Response) (func() (httpx.ServerSentEvent, error, bool), func()) {
	return iter.Pull2(resp.IterSSE())
}
