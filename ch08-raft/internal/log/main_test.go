package log

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: the
// replicator's streams must end with Leave and Close, and every test's
// servers and connections with the test. No ignores are needed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
