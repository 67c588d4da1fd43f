package log

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: the
// Raft clusters must be shut down by every test that starts one, and its
// connections with them. No ignores are needed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
