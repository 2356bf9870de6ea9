package transport

import "time"

// SetBackoffHook lets tests see each connect retry's delay and replace it
// (see Transport.backoffHook). Call it before the first request.
func SetBackoffHook(t *Transport, f func(time.Duration) time.Duration) { t.backoffHook = f }
