package main

import (
	"errors"
	"strings"

	"github.com/gohttpx/httpx"
)

// errorKindName returns HTTPX's exception name for err, "UsageError" for a
// misuse the library reports (HTTPX would raise a Python TypeError), or
// "Error" for an error outside the tree (a file that cannot be opened, say).
func errorKindName(err error) string {
	if name := httpx.ExceptionName(err); name != "" {
		return name
	}
	if errors.Is(err, httpx.ErrUsage) {
		return "UsageError"
	}
	return "Error"
}

// errorMessage is err's text without the library's "httpx: " prefix, which
// the kind name in front of it makes redundant.
func errorMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "httpx: ")
}
