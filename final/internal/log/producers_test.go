package log

import (
	"io"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// producerCommand returns the Raft command that appends value as the
// record with sequence of producer id.
func producerCommand(t testing.TB, id string, sequence uint64, value string) []byte {
	t.Helper()
	b, err := proto.Marshal(&api.ProduceRequest{Record: &api.Record{Value: []byte(value)}, ProducerId: id, Sequence: sequence})
	require.NoError(t, err)
	return append([]byte{byte(AppendRequestType)}, b...)
}

// applyFrom applies producer id's record with sequence to f and returns
// the offset Apply answers with, or its error.
func applyFrom(t testing.TB, f *fsm, index uint64, id string, sequence uint64, value string) (uint64, error) {
	t.Helper()
	res := f.Apply(&raft.Log{Index: index, Data: producerCommand(t, id, sequence, value)})
	if err, ok := res.(error); ok {
		return 0, err
	}
	return res.(*api.ProduceResponse).GetOffset(), nil
}

func TestProducersRemembersTheLatestSequences(t *testing.T) {
	table := newProducers(0)
	// Out of order, as concurrent produces of one client may arrive.
	table.record("p", 2, 10, 1)
	table.record("p", 1, 11, 2)
	off, found, err := table.lookup("p", 1, 3)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, uint64(11), off)
	_, found, err = table.lookup("p", 3, 4)
	require.NoError(t, err)
	require.False(t, found, "a sequence never appended is new")
	_, found, err = table.lookup("other", 1, 5)
	require.NoError(t, err)
	require.False(t, found, "producers do not share sequences")

	for s := uint64(3); s <= DedupWindow+1; s++ {
		table.record("p", s, 100+s, 5+s)
	}
	_, _, err = table.lookup("p", 1, 1000)
	require.ErrorIs(t, err, ErrSequenceTooOld, "sequence 1 left the window: the table cannot tell, and must not guess")
	off, found, err = table.lookup("p", 2, 1001)
	require.NoError(t, err)
	require.True(t, found, "the window keeps the latest %d sequences", DedupWindow)
	require.Equal(t, uint64(10), off)
}

func TestFSMApplyDeduplicatesProducerRetries(t *testing.T) {
	f := &fsm{log: newTestLog(t, Config{})}
	off, err := applyFrom(t, f, 1, "p", 1, "a")
	require.NoError(t, err)
	require.Equal(t, uint64(0), off)
	off, err = applyFrom(t, f, 2, "q", 1, "b")
	require.NoError(t, err)
	require.Equal(t, uint64(1), off)

	off, err = applyFrom(t, f, 3, "p", 1, "a")
	require.NoError(t, err)
	require.Equal(t, uint64(0), off, "a retry must be answered with the offset of the first append")
	require.Equal(t, []string{"0:a", "1:b"}, values(t, f.log), "a retry must append nothing")

	off, err = applyFrom(t, f, 4, "p", 2, "c")
	require.NoError(t, err)
	require.Equal(t, uint64(2), off, "the producer's next sequence is appended")

	_, err = applyFrom(t, f, 5, strings.Repeat("x", MaxProducerIDBytes+1), 1, "d")
	require.ErrorIs(t, err, ErrProducerIDTooLong)
	require.Equal(t, []string{"0:a", "1:b", "2:c"}, values(t, f.log))
}

func TestSnapshotKeepsProducers(t *testing.T) {
	source := &fsm{log: newTestLog(t, Config{})}
	for i, v := range []string{"a", "b"} {
		_, err := applyFrom(t, source, uint64(i+1), "p", uint64(i+1), v)
		require.NoError(t, err)
	}
	sink := persist(t, source)

	target := &fsm{log: newTestLog(t, Config{})}
	_, err := applyFrom(t, target, 1, "stale", 1, "gone after the restore")
	require.NoError(t, err)
	require.NoError(t, target.Restore(io.NopCloser(&sink.Buffer)))

	off, err := applyFrom(t, target, 3, "p", 2, "b")
	require.NoError(t, err)
	require.Equal(t, uint64(1), off, "a server restored from a snapshot must still recognise a retry of a record in it")
	off, err = applyFrom(t, target, 4, "stale", 1, "new")
	require.NoError(t, err)
	require.Equal(t, uint64(2), off, "Restore must replace the table of producers, not add to it")
	require.Equal(t, []string{"0:a", "1:b", "2:new"}, values(t, target.log))
}

func TestSnapshotRejectsDamagedProducers(t *testing.T) {
	source := &fsm{log: newTestLog(t, Config{})}
	_, err := applyFrom(t, source, 1, "p", 1, "a")
	require.NoError(t, err)
	whole := persist(t, source).Bytes()
	// The producers section starts after the header and the one record.
	recordEnd := snapshotHeaderWidth + lenWidth + int(proto.Size(&api.Record{Value: []byte("a")}))
	tests := []struct {
		name string
		data []byte
	}{
		{"cut inside the producers", whole[:len(whole)-3]},
		{"an id longer than allowed", withUint64(whole, recordEnd+8, MaxProducerIDBytes+1)},
		{"more sequences than the window", withUint64(whole, recordEnd+8+1+8+8, DedupWindow+1)},
		{"bytes after the producers", append(append([]byte{}, whole...), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fsm{log: newTestLog(t, Config{})}
			err := f.Restore(io.NopCloser(strings.NewReader(string(tt.data))))
			require.ErrorIs(t, err, ErrCorrupt)
		})
	}
}

// withUint64 returns a copy of b with the 8 bytes at pos set to v.
func withUint64(b []byte, pos int, v uint64) []byte {
	c := append([]byte{}, b...)
	for i := range 8 {
		c[pos+7-i] = byte(v >> (8 * i))
	}
	return c
}

// TestDistributedLogDeduplicatesAcrossLeaderChange appends a producer's
// record, stops the leader, and sends the same record again to the new
// leader, as a client does after a lost answer: it is stored once.
func TestDistributedLogDeduplicatesAcrossLeaderChange(t *testing.T) {
	c := startCluster(t, 3)
	leader := c.leader()
	off, err := leader.log.AppendFrom("p", 1, &api.Record{Value: []byte("once")})
	require.NoError(t, err)
	require.Equal(t, uint64(0), off)
	// Every server must hold the record, and so every configuration before
	// it, before the leader goes: a server left without the entry that
	// added another refuses that one's votes, and the two can elect nobody.
	for _, n := range c.nodes {
		requireValues(t, n, []string{"once"}, "every server must hold the record")
	}
	leader.close(t)

	require.Eventually(t, func() bool {
		off, err = c.leader().log.AppendFrom("p", 1, &api.Record{Value: []byte("once")})
		return err == nil
	}, converge, tick, "no new leader took the retry; last error: %v", err)
	require.Equal(t, uint64(0), off, "the new leader must answer the retry with the first append's offset")
	_, err = c.leader().log.AppendFrom("p", 2, &api.Record{Value: []byte("next")})
	require.NoError(t, err)
	for _, n := range c.nodes {
		if n.log != nil {
			requireValues(t, n, []string{"once", "next"}, "the retry must not be stored twice")
		}
	}
}

// TestDistributedLogDeduplicatesAfterRestart restarts a server of one,
// from a snapshot and from Raft's log after it: the table of producers is
// rebuilt, and a retry of a record from before the restart is recognised.
func TestDistributedLogDeduplicatesAfterRestart(t *testing.T) {
	c := startCluster(t, 1)
	n := c.nodes[0]
	_, err := n.log.AppendFrom("p", 1, &api.Record{Value: []byte("in the snapshot")})
	require.NoError(t, err)
	require.NoError(t, n.log.raft.Snapshot().Error())
	_, err = n.log.AppendFrom("p", 2, &api.Record{Value: []byte("in raft's log")})
	require.NoError(t, err)
	n.close(t)

	back := c.restart(n)
	require.NoError(t, back.log.WaitForLeader(converge))
	for seq, want := range map[uint64]uint64{1: 0, 2: 1} {
		var off uint64
		require.Eventually(t, func() bool {
			off, err = back.log.AppendFrom("p", seq, &api.Record{Value: []byte("retry")})
			return err == nil
		}, converge, tick, "the restarted server took no append; last error: %v", err)
		require.Equal(t, want, off, "a retry of sequence %d after a restart must get its first offset", seq)
	}
	requireValues(t, back, []string{"in the snapshot", "in raft's log"}, "retries after a restart must append nothing")
}
