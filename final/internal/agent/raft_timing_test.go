package agent

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/log"
)

func TestSetRaftTiming(t *testing.T) {
	for _, tt := range []struct {
		multiplier                 int
		heartbeat, election, lease time.Duration
	}{
		{0, time.Second, time.Second, 500 * time.Millisecond}, // hashicorp/raft's defaults
		{1, time.Second, time.Second, 500 * time.Millisecond},
		{3, 3 * time.Second, 3 * time.Second, 1500 * time.Millisecond},
	} {
		var c log.Config
		c.Raft.CommitTimeout = 5 * time.Millisecond
		setRaftTiming(&c, tt.multiplier)
		require.Equal(t, tt.heartbeat, c.Raft.HeartbeatTimeout, "multiplier %d: heartbeat timeout", tt.multiplier)
		require.Equal(t, tt.election, c.Raft.ElectionTimeout, "multiplier %d: election timeout", tt.multiplier)
		require.Equal(t, tt.lease, c.Raft.LeaderLeaseTimeout, "multiplier %d: leader lease timeout", tt.multiplier)
		require.Equal(t, 5*time.Millisecond, c.Raft.CommitTimeout, "the commit timeout is not scaled")
	}
}
