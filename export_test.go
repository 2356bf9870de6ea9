package httpx

import (
	"context"
	"time"
)

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

// ExceptionKinds lists the kinds ExceptionName names, with their names.
func ExceptionKinds() (kinds []error, names []string) {
	for _, k := range exceptionNames {
		kinds, names = append(kinds, k.kind), append(names, k.name)
	}
	return kinds, names
}

// SetEventStreamWaits replaces EventStream's default retry, its back-off
// cap and its sleep (which may record the waits and return at once), and
// returns a function restoring them.
func SetEventStreamWaits(retry, maxBackoff time.Duration, sleep func(ctx context.Context, d time.Duration) error) (restore func()) {
	pr, pm, ps := sseDefaultRetry, sseMaxBackoff, sseSleep
	sseDefaultRetry, sseMaxBackoff = retry, maxBackoff
	if sleep != nil {
		sseSleep = sleep
	}
	return func() { sseDefaultRetry, sseMaxBackoff, sseSleep = pr, pm, ps }
}
