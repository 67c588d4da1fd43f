package log

import (
	"fmt"

	"github.com/hashicorp/raft"
)

// IsLeader reports whether this server leads the cluster now. It may stop
// leading at any moment: a change it makes as leader can still fail with
// raft.ErrNotLeader.
func (l *DistributedLog) IsLeader() bool {
	return l.raft.State() == raft.Leader
}

// LeaderChanges returns a channel that receives a value soon after the
// cluster's leader changes, as this server sees it, this server becoming
// leader included, and the function that stops it. The channel holds one
// value: changes that come while it is full are merged into the one
// already there, so a reader should look at the current state (IsLeader)
// rather than count values. Call stop when done; the channel is not
// closed.
func (l *DistributedLog) LeaderChanges() (changes <-chan raft.Observation, stop func()) {
	ch := make(chan raft.Observation, 1)
	observer := raft.NewObserver(ch, false, func(o *raft.Observation) bool {
		_, ok := o.Data.(raft.LeaderObservation)
		return ok
	})
	l.raft.RegisterObserver(observer)
	return ch, func() { l.raft.DeregisterObserver(observer) }
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
