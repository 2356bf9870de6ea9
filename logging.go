package httpx

import (
	"context"
	"log/slog"
	"strconv"
	"time"
)

// WithLogger logs what the client does to l (HTTPX's logging.getLogger
// ("httpx") and ("httpcore")). At Info, one line per request sent, each
// redirect hop and each retry attempt included, exactly HTTPX's:
//
//	HTTP Request: GET https://example.com/ "HTTP/1.1 200 OK"
//
// and a line before each retry saying why and when. At Debug, the
// connection and protocol steps of HTTPTransport as httpcore logs them
// ("connect_tcp.started host='127.0.0.1' port=8080 ...", with a "logger"
// attribute of httpcore.connection, httpcore.http11 or httpcore.http2), and
// the redirects followed. URL passwords and the values of the redacted
// headers are masked (see WithRedactHeaders, WithShowSecrets). Without a
// logger nothing is logged and nothing is formatted; a nil l means none.
func WithLogger(l *slog.Logger) ClientOption {
	return clientOption(func(c *clientConfig) { c.logger = l })
}

// logEnabled reports whether the client logs at level.
func (c *Client) logEnabled(ctx context.Context, level slog.Level) bool {
	return c.logger != nil && c.logger.Enabled(ctx, level)
}

// logRequest logs HTTPX's Info line for a response received.
func (c *Client) logRequest(ctx context.Context, req *Request, resp *Response) {
	if !c.logEnabled(ctx, slog.LevelInfo) {
		return
	}
	msg := "HTTP Request: " + req.Method + " " + c.redaction.url(req.URL) + ` "` + resp.statusLine() + `"`
	c.logger.LogAttrs(ctx, slog.LevelInfo, msg)
}

// logRetry logs, at Info, an attempt that is retried: its outcome and the
// wait before the next one.
func (c *Client) logRetry(ctx context.Context, req *Request, n, attempts int, wait time.Duration, resp *Response, err error) {
	if !c.logEnabled(ctx, slog.LevelInfo) {
		return
	}
	why := ""
	if err != nil {
		why = err.Error()
	} else {
		why = `"` + resp.statusLine() + `"`
	}
	msg := "Retrying " + req.Method + " " + c.redaction.url(req.URL) + " in " + wait.String() +
		" (attempt " + strconv.Itoa(n+1) + " of " + strconv.Itoa(attempts) + ") after " + why
	c.logger.LogAttrs(ctx, slog.LevelInfo, msg)
}

// logRedirect logs, at Debug, a redirect about to be followed.
func (c *Client) logRedirect(ctx context.Context, resp *Response, next *Request) {
	if !c.logEnabled(ctx, slog.LevelDebug) {
		return
	}
	msg := "Redirect: " + strconv.Itoa(resp.StatusCode) + " " + resp.ReasonPhrase() + " -> " + next.Method + " " + c.redaction.url(next.URL)
	c.logger.LogAttrs(ctx, slog.LevelDebug, msg)
}
