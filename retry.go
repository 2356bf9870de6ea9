package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpx/httpx/transport"
)

// RetryPolicy makes a client (or one request) send a request again after a
// transient failure: an error of a connecting or pool kind, a server that
// went away before answering, or a status such as 503. It is opt-in (HTTPX
// retries only connection attempts, see HTTPTransport.Retries): give it
// with WithRetry at client or request level; the request's replaces the
// client's.
//
// Every attempt is a whole send: the request hooks, the auth flow, the
// transport, the response hooks and redirects run again, so each attempt
// counts as one request. Only idempotent methods are retried unless Methods
// says otherwise, and only when the body can be sent again exactly (bytes,
// forms, JSON, multipart of replayable parts, an io.Seeker); a one-shot
// stream is sent once. The waits follow exponential back-off with full
// jitter, or the server's Retry-After, never past the context's deadline:
// when the next wait would end after it, the last outcome is returned at
// once.
type RetryPolicy struct {
	// Attempts is the total number of attempts, the first included; 0
	// means 3.
	Attempts int
	// Backoff is the base delay; 0 means 500 ms. The wait before attempt
	// n+1 is a random time in [0, min(MaxBackoff, Backoff·2^(n-1))], or
	// the response's Retry-After when it has one.
	Backoff time.Duration
	// MaxBackoff caps every wait, Retry-After included; 0 means 30 s.
	MaxBackoff time.Duration
	// Statuses are the response statuses retried; nil means 429, 502, 503
	// and 504. A final retryable status is returned as the response.
	Statuses []int
	// Methods are the methods retried; nil means GET, HEAD, OPTIONS, PUT,
	// DELETE and TRACE.
	Methods []string
	// Retryable, when set, decides instead of Statuses and the error kinds
	// (Methods and the body still apply): resp is nil when err is not.
	Retryable func(resp *Response, err error) bool
}

// WithRetry sends requests again according to p (see RetryPolicy).
func WithRetry(p RetryPolicy) SharedOption {
	return sharedOption{
		client:  func(c *clientConfig) { c.retry = &p },
		request: func(c *requestConfig) { c.retry = &p },
	}
}

// RetryError is the error of a request sent under a RetryPolicy whose last
// attempt failed. It reads and matches (errors.Is, errors.As) as that
// attempt's error, and says how many attempts were made.
type RetryError struct {
	Attempts int
	Err      error
}

func (e *RetryError) Error() string {
	if e.Attempts == 1 {
		return e.Err.Error() + " (1 attempt)"
	}
	return fmt.Sprintf("%v (%d attempts)", e.Err, e.Attempts)
}

// Unwrap returns the last attempt's error.
func (e *RetryError) Unwrap() error { return e.Err }

var (
	defaultRetryStatuses = []int{429, 502, 503, 504}
	defaultRetryMethods  = []string{"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}
)

// retryJitter picks the jittered wait in [0, d]; tests replace it.
var retryJitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }

// retryDrain bounds what is read of a response that is retried, so that
// its connection can be kept; a longer body closes the connection instead.
const retryDrain = 64 << 10

// sendRetrying runs one whole send (attempt) under p until it succeeds,
// is not retryable, or the attempts or the time run out.
func (c *Client) sendRetrying(ctx context.Context, req *Request, p *RetryPolicy, attempt func() (*Response, error)) (*Response, error) {
	p = p.withDefaults()
	replayable := req.body.repeatable()
	allowed := slices.ContainsFunc(p.Methods, func(m string) bool { return strings.EqualFold(m, req.Method) })
	for n := 1; ; n++ {
		resp, err := attempt()
		if n >= p.Attempts || !allowed || !replayable || !p.retryable(resp, err) {
			return resp, retryErr(n, err)
		}
		wait := p.wait(n, resp)
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			// The next attempt could not finish in time: the last outcome
			// is the answer.
			return resp, retryErr(n, err)
		}
		c.logRetry(ctx, req, n, p.Attempts, wait, resp, err)
		if resp != nil {
			_, _ = io.CopyN(io.Discard, resp, retryDrain)
			resp.Close()
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, retryErr(n, classifyError(err, req))
		}
	}
}

func retryErr(attempts int, err error) error {
	if err == nil {
		return nil
	}
	return &RetryError{Attempts: attempts, Err: err}
}

func (p *RetryPolicy) withDefaults() *RetryPolicy {
	q := *p
	if q.Attempts <= 0 {
		q.Attempts = 3
	}
	if q.Backoff <= 0 {
		q.Backoff = 500 * time.Millisecond
	}
	if q.MaxBackoff <= 0 {
		q.MaxBackoff = 30 * time.Second
	}
	if q.Statuses == nil {
		q.Statuses = defaultRetryStatuses
	}
	if q.Methods == nil {
		q.Methods = defaultRetryMethods
	}
	return &q
}

// retryable reports an outcome worth another attempt: a status of
// Statuses, or an error of a kind that left the request unprocessed.
func (p *RetryPolicy) retryable(resp *Response, err error) bool {
	if p.Retryable != nil {
		var ok bool
		if gerr := guard("retry policy", func() error { ok = p.Retryable(resp, err); return nil }); gerr != nil {
			return false
		}
		return ok
	}
	if err != nil {
		return retryableError(err)
	}
	return slices.Contains(p.Statuses, resp.StatusCode)
}

// retryableError reports the errors after which the server cannot have
// acted on the request: no connection, no slot in the pool, or a server
// that closed the connection before sending a byte of a response. A
// cancelled or expired context is never retried.
func retryableError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch {
	case errors.Is(err, ErrConnect), errors.Is(err, ErrConnectTimeout), errors.Is(err, ErrPoolTimeout):
		return true
	case errors.Is(err, ErrRemoteProtocol):
		return errors.Is(err, transport.ErrNoResponse)
	}
	return false
}

// wait is the delay before attempt n+1: the response's Retry-After
// (seconds or an HTTP date) when it has one, else full-jitter back-off;
// either capped by MaxBackoff.
func (p *RetryPolicy) wait(n int, resp *Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Headers.Get("Retry-After"), time.Now()); ok {
			return min(d, p.MaxBackoff)
		}
	}
	d := p.MaxBackoff
	if n-1 < 62 && p.Backoff <= p.MaxBackoff>>(n-1) {
		d = p.Backoff << (n - 1)
	}
	return retryJitter(d)
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleepCtx waits d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
