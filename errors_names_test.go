package httpx_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gohttpx/httpx"
)

func TestExceptionNameNamesEveryKindAsItself(t *testing.T) {
	kinds, names := httpx.ExceptionKinds()
	for i, kind := range kinds {
		t.Run(names[i], func(t *testing.T) {
			assert.Equal(t, names[i], httpx.ExceptionName(kind), "a kind is not shadowed by one listed before it")
			assert.Equal(t, names[i], httpx.ExceptionName(fmt.Errorf("wrapped: %w", kind)))
			assert.Equal(t, names[i], httpx.ExceptionName(&httpx.RetryError{Attempts: 2, Err: kind}))
		})
	}
}

func TestExceptionName(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("not httpx's"), ""},
		{httpx.ErrUsage, ""},
		{&httpx.HTTPStatusError{}, "HTTPStatusError"},
	} {
		assert.Equal(t, tt.want, httpx.ExceptionName(tt.err), "%v", tt.err)
	}
}
