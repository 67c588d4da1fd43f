package agent

import (
	"errors"

	"github.com/hashicorp/raft"

	"github.com/proglog-workshop/proglog/final/internal/discovery"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

var _ discovery.Handler = raftMembers{}

// raftMembers hands the cluster's membership changes to Raft. Every agent
// hears of every change, but only the leader can act on it: the others'
// raft.ErrNotLeader is expected, and dropped rather than logged as a
// failure.
type raftMembers struct {
	log *log.DistributedLog
}

// Join implements discovery.Handler: the member becomes a voter.
func (m raftMembers) Join(name, addr string) error {
	return ignoreNotLeader(m.log.Join(name, addr))
}

// Leave implements discovery.Handler: the member stops being a voter.
func (m raftMembers) Leave(name string) error {
	return ignoreNotLeader(m.log.Leave(name))
}

// ignoreNotLeader returns err, or nil when err is raft.ErrNotLeader.
func ignoreNotLeader(err error) error {
	if errors.Is(err, raft.ErrNotLeader) {
		return nil
	}
	return err
}
