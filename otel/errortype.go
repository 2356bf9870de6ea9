package otelhttpx

import (
	"cmp"

	"github.com/gohttpx/httpx"
)

// errorType is error.type for err: HTTPX's name for its kind, or "_OTHER"
// (the conventions' fallback) for an error outside the tree, such as a
// usage error.
func errorType(err error) string {
	return cmp.Or(httpx.ExceptionName(err), "_OTHER")
}
