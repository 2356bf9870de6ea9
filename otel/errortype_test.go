package otelhttpx

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gohttpx/httpx"
)

func TestErrorTypeNamesEveryKindAsItself(t *testing.T) {
	for _, k := range errorKinds {
		t.Run(k.name, func(t *testing.T) {
			assert.Equal(t, k.name, errorType(k.kind), "a kind is not shadowed by one listed before it")
			assert.Equal(t, k.name, errorType(fmt.Errorf("wrapped: %w", k.kind)))
			assert.Equal(t, k.name, errorType(&httpx.RetryError{Attempts: 2, Err: k.kind}))
		})
	}
}

func TestErrorTypeOther(t *testing.T) {
	assert.Equal(t, "_OTHER", errorType(errors.New("not httpx's")))
	assert.Equal(t, "_OTHER", errorType(httpx.ErrUsage))
}
