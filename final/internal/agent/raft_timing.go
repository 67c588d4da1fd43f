package agent

import (
	"time"

	"github.com/hashicorp/raft"

	"github.com/proglog-workshop/proglog/final/internal/log"
)

// setRaftTiming sets c's Raft timeouts to hashicorp/raft's defaults times
// multiplier (Config.RaftMultiplier; zero means 1). The commit timeout,
// how long a leader waits to batch entries, is not a failure detector and
// stays as it is.
func setRaftTiming(c *log.Config, multiplier int) {
	if multiplier == 0 {
		multiplier = 1
	}
	m := time.Duration(multiplier)
	defaults := raft.DefaultConfig()
	c.Raft.HeartbeatTimeout = m * defaults.HeartbeatTimeout
	c.Raft.ElectionTimeout = m * defaults.ElectionTimeout
	c.Raft.LeaderLeaseTimeout = m * defaults.LeaderLeaseTimeout
}
