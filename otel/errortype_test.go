package otelhttpx

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gohttpx/httpx"
)

func TestErrorTypeNamesTheKind(t *testing.T) {
	assert.Equal(t, "ConnectTimeout", errorType(fmt.Errorf("wrapped: %w", httpx.ErrConnectTimeout)))
	assert.Equal(t, "ReadTimeout", errorType(&httpx.RetryError{Attempts: 2, Err: httpx.ErrReadTimeout}))
}

func TestErrorTypeOther(t *testing.T) {
	assert.Equal(t, "_OTHER", errorType(errors.New("not httpx's")))
	assert.Equal(t, "_OTHER", errorType(httpx.ErrUsage))
}
