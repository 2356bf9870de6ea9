package httpx

import (
	"bytes"
	"io"
	"iter"
	"math"
	"time"

	"github.com/gohttpx/httpx/internal/charset"
)

// ServerSentEvent is one event of a text/event-stream body (httpx-sse's
// ServerSentEvent), as the WHATWG HTML standard's event stream
// interpretation dispatches it.
type ServerSentEvent struct {
	// Event is the event type; "message" when the stream named none.
	Event string
	// Data is the event's data lines joined with "\n".
	Data string
	// ID is the last event ID in effect when the event was dispatched: the
	// event's own id field, or the latest one before it.
	ID string
	// Retry is this event's retry field (milliseconds on the wire); 0 when
	// the event had none.
	Retry time.Duration
}

// IterSSE iterates over the events of a text/event-stream body (httpx-sse's
// iter_sse), parsing it incrementally as it arrives, exactly as the WHATWG
// HTML standard says: UTF-8 with an optional leading BOM (invalid bytes
// become U+FFFD), CR, LF or CRLF line ends, ':' comments, data lines joined
// with "\n", an event with no data not dispatched, and a last event that is
// not ended by a blank line dropped. It does not check the Content-Type
// (Client.EventStream does). A read error is yielded once and ends the
// iteration. The response is closed when the iteration ends, early or not.
func (r *Response) IterSSE() iter.Seq2[ServerSentEvent, error] {
	return func(yield func(ServerSentEvent, error) bool) {
		defer r.release()
		var p sseParser
		p.readFrom(r, func(ev ServerSentEvent) bool { return yield(ev, nil) },
			func(err error) { yield(ServerSentEvent{}, err) })
	}
}

// sseParser is the event stream interpretation: bytes in, events out. The
// last event ID and the reconnection time outlive one stream, so that
// Client.EventStream can carry them across reconnections; startStream
// resets the rest.
type sseParser struct {
	line      []byte // the current line, not yet terminated
	cr        bool   // the last byte was a CR: an LF next is part of its line end
	started   bool   // the first line was seen (a BOM is only stripped from it)
	data      []byte // data buffer, each line followed by "\n"
	event     string // event type buffer
	retry     time.Duration
	hasRetry  bool   // retry holds this event's retry field
	idBuf     string // last event ID buffer
	lastID    string // last event ID string, set on each dispatch
	idSeen    bool   // an id field was read into idBuf
	idKnown   bool   // lastID was set by an id field of the stream
	reconnect time.Duration
	hasReconn bool // the stream set a reconnection time
}

// startStream forgets what a previous stream left unfinished.
func (p *sseParser) startStream() {
	p.line, p.cr, p.started = p.line[:0], false, false
	p.data, p.event, p.retry, p.hasRetry = p.data[:0], "", 0, false
	p.idBuf, p.idSeen = p.lastID, p.idKnown
}

// readFrom feeds r's decoded body to the parser, emitting each event, until
// the body ends (nil), emit returns false, or a read fails (failed is
// called). It reports the events emitted and whether the consumer stopped.
func (p *sseParser) readFrom(r *Response, emit func(ServerSentEvent) bool, failed func(error)) (events int, stopped bool) {
	p.startStream()
	buf := make([]byte, 4<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			var ok bool
			events, ok = p.feed(buf[:n], events, emit)
			if !ok {
				return events, true
			}
		}
		if err != nil {
			if err == io.EOF {
				return events, false
			}
			failed(err)
			return events, false
		}
	}
}

// feed splits chunk into lines (a CRLF may straddle two chunks) and
// processes each, counting dispatched events into events; it returns false
// when emit did.
func (p *sseParser) feed(chunk []byte, events int, emit func(ServerSentEvent) bool) (int, bool) {
	for len(chunk) > 0 {
		if p.cr {
			p.cr = false
			if chunk[0] == '\n' {
				chunk = chunk[1:]
				continue
			}
		}
		i := bytes.IndexAny(chunk, "\r\n")
		if i < 0 {
			p.line = append(p.line, chunk...)
			return events, true
		}
		p.line = append(p.line, chunk[:i]...)
		p.cr = chunk[i] == '\r'
		chunk = chunk[i+1:]
		ev, ok := p.processLine()
		p.line = p.line[:0]
		if ok {
			events++
			if !emit(ev) {
				return events, false
			}
		}
	}
	return events, true
}

// processLine interprets one complete line, returning an event when a
// blank line dispatches one.
func (p *sseParser) processLine() (ServerSentEvent, bool) {
	line := p.line
	if !p.started {
		p.started = true
		line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
	}
	if len(line) == 0 {
		return p.dispatch()
	}
	if line[0] == ':' {
		return ServerSentEvent{}, false
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		value = bytes.TrimPrefix(value, []byte(" "))
	}
	switch string(field) {
	case "event":
		p.event = utf8Text(value)
	case "data":
		p.data = append(p.data, utf8Text(value)...)
		p.data = append(p.data, '\n')
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.idBuf, p.idSeen = utf8Text(value), true
		}
	case "retry":
		if ms, ok := parseDigits(value); ok {
			p.retry, p.hasRetry = ms, true
			p.reconnect, p.hasReconn = ms, true
		}
	}
	return ServerSentEvent{}, false
}

// dispatch ends the current event: the last event ID is committed, and an
// event with data is returned; the buffers are reset either way.
func (p *sseParser) dispatch() (ServerSentEvent, bool) {
	p.lastID, p.idKnown = p.idBuf, p.idKnown || p.idSeen
	defer func() { p.data, p.event, p.retry, p.hasRetry = p.data[:0], "", 0, false }()
	if len(p.data) == 0 {
		return ServerSentEvent{}, false
	}
	ev := ServerSentEvent{Event: p.event, Data: string(p.data[:len(p.data)-1]), ID: p.lastID}
	if ev.Event == "" {
		ev.Event = "message"
	}
	if p.hasRetry {
		ev.Retry = p.retry
	}
	return ev, true
}

// utf8Text decodes b as UTF-8, each maximal ill-formed subsequence becoming
// one U+FFFD, as the standard's UTF-8 decode does. Line ends are ASCII, so
// decoding line by line equals decoding the stream.
func utf8Text(b []byte) string {
	return charset.UTF8.DecodeAll(b)
}

// parseDigits reads a retry value: ASCII digits only, milliseconds; a value
// too large for a Duration saturates.
func parseDigits(b []byte) (time.Duration, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var ms int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if ms <= (math.MaxInt64/int64(time.Millisecond)-9)/10 {
			ms = ms*10 + int64(c-'0')
		} else {
			ms = math.MaxInt64 / int64(time.Millisecond)
		}
	}
	return time.Duration(ms) * time.Millisecond, true
}
