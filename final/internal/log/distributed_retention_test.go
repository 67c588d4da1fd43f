package log

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// retainedValues returns the lowest offset n holds and the values from
// there on.
func retainedValues(n *testNode) (uint64, []string) {
	lowest, err := n.log.LowestOffset()
	if err != nil {
		return 0, nil
	}
	var got []string
	for off := lowest; ; off++ {
		record, err := n.log.Read(off)
		if err != nil {
			return lowest, got
		}
		got = append(got, string(record.GetValue()))
	}
}

// requireRetained waits until n holds exactly the values of want from
// offset lowest on, and nothing below.
func requireRetained(t *testing.T, n *testNode, lowest uint64, want []string, msg string) {
	t.Helper()
	var gotLowest uint64
	var got []string
	if !waitFor(func() bool {
		gotLowest, got = retainedValues(n)
		return gotLowest == lowest && slices.Equal(got, want[lowest:])
	}) {
		require.Equal(t, lowest, gotLowest, "%s: %s's lowest offset", msg, n.id)
		require.Equal(t, want[lowest:], got, "%s: %s's records", msg, n.id)
	}
	if lowest > 0 {
		_, err := n.log.Read(lowest - 1)
		require.ErrorAs(t, err, &ErrOffsetOutOfRange{}, "%s: %s must not serve a record below its lowest offset", msg, n.id)
	}
}

// TestDistributedLogRetention runs a 3-server cluster whose servers keep
// two full segments of four records, checks that every server retains the
// same records, takes a snapshot, which must hold only those, and then has
// a new server join from that snapshot and an old one restart from its
// own: all must end with the same retained range.
func TestDistributedLogRetention(t *testing.T) {
	c := newCluster(t)
	c.base = smallConfig(4)
	full := func() uint64 {
		l := openLog(t, t.TempDir(), c.base)
		for range 4 {
			_, err := l.Append(&api.Record{Value: []byte("v00")})
			require.NoError(t, err)
		}
		return l.segments[0].store.size
	}()
	c.base.Retention.MaxBytes = 2*full + full/2 // two full segments, not three
	c.snapshotThreshold, c.trailingLogs = 8, 4
	for _, id := range []string{"a", "b", "c"} {
		n := c.start(id, t.TempDir(), "127.0.0.1:0")
		if id != "a" {
			c.join(n)
		}
	}

	var want []string
	for i := range 60 {
		want = append(want, fmt.Sprintf("v%02d", i))
		c.produce(want[i])
	}
	// Offsets 0-59 fill fifteen segments; the two last full ones stay.
	const lowest = 52
	for _, n := range c.nodes {
		requireRetained(t, n, lowest, want, "every server must apply retention to its log alike")
	}

	leader := c.leader()
	require.NoError(t, leader.log.raft.Snapshot().Error(), "the leader must take a snapshot")
	first, err := leader.log.raftLog.FirstIndex()
	require.NoError(t, err)
	require.Greater(t, first, uint64(lowest), "Raft must have compacted its log after the snapshot")
	snapshots, err := raft.NewFileSnapshotStore(filepath.Join(leader.dir, "raft"), retainSnapshots, io.Discard)
	require.NoError(t, err)
	metas, err := snapshots.List()
	require.NoError(t, err)
	require.NotEmpty(t, metas)
	require.Less(t, metas[0].Size, int64(3*full), "the snapshot must hold the eight records retained, not the sixty appended")

	newcomer := c.start("d", t.TempDir(), "127.0.0.1:0")
	c.join(newcomer)
	requireRetained(t, newcomer, lowest, want, "a new server must start from the leader's bounded snapshot")
	require.Eventually(t, func() bool { return newcomer.log.raft.Stats()["last_snapshot_index"] != "0" },
		converge, tick, "the new server must have installed a snapshot")

	for i := 60; i < 64; i++ {
		want = append(want, fmt.Sprintf("v%02d", i))
		c.produce(want[i])
	}
	// Offset 63 filled a segment: the roll dropped one more.
	for _, n := range c.nodes {
		requireRetained(t, n, lowest+4, want, "every server must go on retaining alike")
	}

	var follower *testNode
	for _, n := range c.nodes {
		if n != leader && n != newcomer {
			follower = n
			break
		}
	}
	// Raft refuses a snapshot until the server's state machine has been
	// given an entry after the latest configuration (the newcomer's join),
	// which the appends above are: try until it has.
	var snapErr error
	require.True(t, waitFor(func() bool {
		snapErr = follower.log.raft.Snapshot().Error()
		return snapErr == nil
	}), "the follower must take a snapshot: %v", snapErr)
	follower.close(t)
	back := c.restart(follower)
	requireRetained(t, back, lowest+4, want, "a server restarted from its bounded snapshot must keep the retained range")
}
