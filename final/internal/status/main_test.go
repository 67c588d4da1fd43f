package status

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: a member
// that does not answer must not leave a request behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
