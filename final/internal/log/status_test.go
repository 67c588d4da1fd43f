package log

import (
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// TestDistributedLogStatus checks what an operator's status page reads:
// every server agrees on the leader and, once the records are applied
// everywhere, on the indexes and offsets.
func TestDistributedLogStatus(t *testing.T) {
	c := startCluster(t, 3)
	for _, v := range []string{"first", "second", "third"} {
		c.produce(v)
	}
	leader := c.leader()
	want, err := leader.log.Status()
	require.NoError(t, err)
	require.Equal(t, "Leader", want.State)
	require.Equal(t, leader.id, want.LeaderID)
	require.Equal(t, uint64(0), want.LowestOffset)
	require.Equal(t, uint64(3), want.NextOffset, "three records were appended: the next one gets offset 3")
	require.Len(t, want.Servers, 3)
	for _, srv := range want.Servers {
		require.True(t, srv.Voter, "every server joined as a voter: %+v", srv)
	}
	require.GreaterOrEqual(t, want.LastLogIndex, want.CommitIndex)
	for _, n := range c.nodes {
		require.Eventually(t, func() bool {
			got, err := n.log.Status()
			require.NoError(t, err)
			return got.LeaderID == leader.id && got.LeaderAddr == leader.addr && got.Term == want.Term &&
				got.NextOffset == 3 && got.AppliedIndex >= want.CommitIndex && got.CommitIndex >= want.CommitIndex
		}, converge, tick, "server %s must come to the leader's view", n.id)
	}
}

func TestLogNextOffset(t *testing.T) {
	c := smallConfig(2)
	c.Segment.InitialOffset = 5
	l, err := NewLog(t.TempDir(), c)
	require.NoError(t, err)
	next, err := l.NextOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(5), next, "an empty log's next offset is its initial offset")
	for range 3 { // across a segment roll
		_, err = l.Append(&api.Record{Value: []byte("x")})
		require.NoError(t, err)
	}
	next, err = l.NextOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(8), next)
	require.NoError(t, l.Close())
	_, err = l.NextOffset()
	require.ErrorIs(t, err, ErrClosed)
}
