package log

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// batchCommand returns the Raft command that appends values as one batch
// of producer id's sequence.
func batchCommand(t testing.TB, id string, sequence uint64, values ...string) []byte {
	t.Helper()
	b, err := proto.Marshal(&api.ProduceBatchRequest{Records: records(values...), ProducerId: id, Sequence: sequence})
	require.NoError(t, err)
	return append([]byte{byte(BatchAppendRequestType)}, b...)
}

// records returns a record for each value.
func records(values ...string) []*api.Record {
	out := make([]*api.Record, len(values))
	for i, v := range values {
		out[i] = &api.Record{Value: []byte(v)}
	}
	return out
}

func TestFSMApplyBatch(t *testing.T) {
	f := &fsm{log: newTestLog(t, Config{})}
	apply := func(index uint64, data []byte) any {
		t.Helper()
		return f.Apply(&raft.Log{Index: index, Data: data})
	}
	require.Equal(t, uint64(0), apply(1, appendCommand(t, "single")).(*api.ProduceResponse).GetOffset())

	t.Run("a batch gets consecutive offsets after the last record", func(t *testing.T) {
		res := apply(2, batchCommand(t, "p", 1, "a", "b", "c"))
		require.IsType(t, &api.ProduceBatchResponse{}, res, "Apply answers a batch with a *api.ProduceBatchResponse; got %v", res)
		require.Equal(t, []uint64{1, 2, 3}, res.(*api.ProduceBatchResponse).GetOffsets())
		require.Equal(t, []string{"single", "a", "b", "c"}, logValues(f.log))
	})
	t.Run("a retried batch is answered with the first offsets and appends nothing", func(t *testing.T) {
		res := apply(3, batchCommand(t, "p", 1, "a", "b", "c"))
		require.Equal(t, []uint64{1, 2, 3}, res.(*api.ProduceBatchResponse).GetOffsets())
		require.Equal(t, []string{"single", "a", "b", "c"}, logValues(f.log))
	})
	t.Run("the batch's sequence is one of the producer's, shared with single produces", func(t *testing.T) {
		res := apply(4, batchCommand(t, "p", 2, "d"))
		require.Equal(t, []uint64{4}, res.(*api.ProduceBatchResponse).GetOffsets())
		single := apply(5, producerCommand(t, "p", 1, "not a retry of anything but the first batch"))
		require.Equal(t, uint64(1), single.(*api.ProduceResponse).GetOffset(), "sequence 1 is the first batch's: a single produce with it is a retry")
		require.Equal(t, []string{"single", "a", "b", "c", "d"}, logValues(f.log))
	})
	t.Run("an empty batch appends nothing", func(t *testing.T) {
		res := apply(6, batchCommand(t, "p", 3))
		err, ok := res.(error)
		require.True(t, ok, "Apply must refuse an empty batch; it returned %v", res)
		require.ErrorIs(t, err, ErrBatchEmpty)
		require.Equal(t, []string{"single", "a", "b", "c", "d"}, logValues(f.log))
	})
}

// logValues returns the values l holds from offset 0 on.
func logValues(l *Log) []string {
	var got []string
	for off := uint64(0); ; off++ {
		record, err := l.Read(off)
		if err != nil {
			return got
		}
		got = append(got, string(record.GetValue()))
	}
}

func TestAppendBatchLimits(t *testing.T) {
	c := startCluster(t, 1)
	l := c.nodes[0].log
	tests := []struct {
		name    string
		records []*api.Record
		want    error
	}{
		{"no records", nil, ErrBatchEmpty},
		{"one record more than MaxBatchRecords", make([]*api.Record, MaxBatchRecords+1), ErrBatchTooLarge},
		{"values of more than MaxBatchBytes", records(strings.Repeat("x", MaxBatchBytes/2), strings.Repeat("y", MaxBatchBytes/2+1)), ErrBatchTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.AppendBatch("", 0, tt.records)
			require.ErrorIs(t, err, tt.want)
		})
	}
	offsets, err := l.AppendBatch("", 0, make([]*api.Record, MaxBatchRecords))
	require.NoError(t, err, "a batch of exactly MaxBatchRecords records is allowed")
	require.Len(t, offsets, MaxBatchRecords)
	require.Equal(t, uint64(0), offsets[0], "the refused batches must have appended nothing")
}

// TestDistributedLogBatchIsOneRaftEntry appends a batch of 64 records and
// checks that it took one entry of Raft's log, and that every server holds
// its records at consecutive offsets.
func TestDistributedLogBatchIsOneRaftEntry(t *testing.T) {
	c := startCluster(t, 3)
	c.produce("before")
	leader := c.leader()
	values := make([]string, 64)
	for i := range values {
		values[i] = fmt.Sprintf("batched %d", i)
	}
	before := leader.log.raft.LastIndex()
	offsets, err := leader.log.AppendBatch("p", 1, records(values...))
	require.NoError(t, err)
	require.Equal(t, before+1, leader.log.raft.LastIndex(), "a batch must be one entry of Raft's log")
	for i, off := range offsets {
		require.Equal(t, uint64(1+i), off, "a batch's offsets must be consecutive, after the last record")
	}
	for _, n := range c.nodes {
		requireValues(t, n, append([]string{"before"}, values...), "every server must hold the batch at the same offsets")
	}
}

// TestDistributedLogDeduplicatesBatchAcrossLeaderChange appends a batch,
// stops the leader, and sends the same batch to the new leader, as a
// client does after a lost answer: it is stored once.
func TestDistributedLogDeduplicatesBatchAcrossLeaderChange(t *testing.T) {
	c := startCluster(t, 3)
	batch := records("x", "y", "z")
	offsets, err := c.leader().log.AppendBatch("p", 7, batch)
	require.NoError(t, err)
	require.Equal(t, []uint64{0, 1, 2}, offsets)
	// Every server must hold the batch, and so every configuration before
	// it, before the leader goes: a server left without the entry that
	// added another refuses that one's votes, and the two can elect nobody.
	for _, n := range c.nodes {
		requireValues(t, n, []string{"x", "y", "z"}, "every server must hold the batch")
	}
	c.leader().close(t)

	var retried []uint64
	require.Eventually(t, func() bool {
		retried, err = c.leader().log.AppendBatch("p", 7, batch)
		return err == nil
	}, converge, tick, "no new leader took the retry; last error: %v", err)
	require.Equal(t, offsets, retried, "the new leader must answer the retry with the first append's offsets")
	_, err = c.leader().log.AppendBatch("p", 8, records("next"))
	require.NoError(t, err)
	for _, n := range c.nodes {
		if n.log != nil {
			requireValues(t, n, []string{"x", "y", "z", "next"}, "the retried batch must not be stored twice")
		}
	}
}

// TestDistributedLogDeduplicatesBatchAfterRestart restarts a server of one
// from a snapshot holding a batch: a retry of the batch is recognised.
func TestDistributedLogDeduplicatesBatchAfterRestart(t *testing.T) {
	c := startCluster(t, 1)
	n := c.nodes[0]
	offsets, err := n.log.AppendBatch("p", 1, records("a", "b"))
	require.NoError(t, err)
	require.NoError(t, n.log.raft.Snapshot().Error())
	n.close(t)

	back := c.restart(n)
	require.NoError(t, back.log.WaitForLeader(converge))
	var retried []uint64
	require.Eventually(t, func() bool {
		retried, err = back.log.AppendBatch("p", 1, records("a", "b"))
		return err == nil
	}, converge, tick, "the restarted server took no append; last error: %v", err)
	require.Equal(t, offsets, retried)
	require.Equal(t, []string{"a", "b"}, nodeValues(back))
}
