package log

import (
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
)

func TestWaitLinearizable(t *testing.T) {
	c := startCluster(t, 3)
	leader := c.leader()

	t.Run("the leader reads what it acknowledged", func(t *testing.T) {
		for i := range 20 {
			off := c.produce("acknowledged")
			require.NoError(t, leader.log.WaitLinearizable())
			_, err := leader.log.Read(off)
			require.NoError(t, err, "read %d: after WaitLinearizable the leader must hold every acknowledged record", i)
		}
	})
	t.Run("a follower refuses, naming the leader", func(t *testing.T) {
		for _, n := range c.nodes {
			if n == leader {
				continue
			}
			err := n.log.WaitLinearizable()
			var notLeader *NotLeaderError
			require.ErrorAs(t, err, &notLeader)
			require.ErrorIs(t, err, raft.ErrNotLeader)
			require.Equal(t, leader.id, notLeader.LeaderID)
		}
	})
	t.Run("a leader that lost its followers refuses rather than answer from its log", func(t *testing.T) {
		for _, n := range c.nodes {
			if n != leader {
				n.close(t)
			}
		}
		// Whether the barrier is under way when the leader steps down, or
		// comes after, the answer is the same: not the leader.
		err := leader.log.WaitLinearizable()
		var notLeader *NotLeaderError
		require.ErrorAs(t, err, &notLeader, "a deposed leader must refuse a linearizable read; got %v", err)
		require.ErrorIs(t, err, raft.ErrNotLeader)
	})
}
