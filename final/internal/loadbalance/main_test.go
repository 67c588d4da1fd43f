package loadbalance

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: a closed
// client connection must close its resolver, and the resolver its own
// connections to the servers. No ignores are needed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
