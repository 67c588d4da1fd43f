package log

import (
	"fmt"

	"github.com/hashicorp/raft"
)

// IsLeader reports whether this server leads the cluster now.
func (l *DistributedLog) IsLeader() bool {
	return l.raft.State() == raft.Leader
}

// LeadershipChanges returns a channel that receives true when this server
// becomes the leader and false when it stops leading. Raft keeps only the
// latest change for a reader that is slow: it suits one reader that acts
// on the current state, not one that counts changes. There is one such
// channel per DistributedLog: give it to one reader only.
func (l *DistributedLog) LeadershipChanges() <-chan bool {
	return l.raft.LeaderCh()
}

// TransferLeadership hands the leadership to the most up-to-date other
// voter and returns once this server has stepped down, so that the
// cluster has a leader again without waiting for an election timeout.
// Appends that come meanwhile are refused with a [*NotLeaderError]. It does
// nothing, and returns nil, when this server does not lead or leads alone.
func (l *DistributedLog) TransferLeadership() error {
	if !l.IsLeader() {
		return nil
	}
	future := l.raft.GetConfiguration()
	if err := future.Error(); err != nil {
		return fmt.Errorf("transfer leadership: %w", err)
	}
	if !hasOtherVoter(future.Configuration(), l.config.Raft.LocalID) {
		return nil
	}
	if err := l.raft.LeadershipTransfer().Error(); err != nil {
		return fmt.Errorf("transfer leadership: %w", err)
	}
	return nil
}

// hasOtherVoter reports whether configuration has a voter other than self.
func hasOtherVoter(configuration raft.Configuration, self raft.ServerID) bool {
	for _, srv := range configuration.Servers {
		if srv.Suffrage == raft.Voter && srv.ID != self {
			return true
		}
	}
	return false
}
