package transport

import "time"

// SetBackoffHook lets tests see each connect retry's delay and replace it
// (see dialer.backoffHook). Call it before the first request.
func SetBackoffHook(e *Engine, f func(time.Duration) time.Duration) { e.backoffHook = f }
