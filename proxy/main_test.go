package proxy

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any leave a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
