package agent

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: Shutdown
// must stop Serf, Raft and its connections, the gRPC server and its
// connections. No ignores are needed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
