package httpx

import "time"

// BasicAuthHeader exposes the header value for tests.
var BasicAuthHeader = basicAuthHeader

// SetRetryJitter replaces the retry jitter (the random pick in [0, d]) and
// returns a function restoring it.
func SetRetryJitter(f func(d time.Duration) time.Duration) (restore func()) {
	prev := retryJitter
	retryJitter = f
	return func() { retryJitter = prev }
}

// RetryAfter exposes the Retry-After parser.
var RetryAfter = retryAfter
