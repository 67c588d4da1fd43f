package pki

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests. No ignores
// are needed: every test stops what it starts.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
