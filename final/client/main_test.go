package client_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: a closed
// client, and a Follow loop that was left, must leave nothing running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
