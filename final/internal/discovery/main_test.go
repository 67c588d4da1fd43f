package discovery

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: Serf's and
// memberlist's goroutines must all end with Leave. No ignores are needed:
// after Shutdown, neither leaves anything running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
