package log

import (
	"bytes"
	"io"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// FuzzFSMApply applies two arbitrary commands, as two entries of Raft's
// log, to a new state machine. It must not panic, and each Apply must
// either refuse the command with an error, appending nothing, or answer
// with the offsets of the records it appended after the log's end, each
// holding the value the command carried, or with the offsets of an
// earlier append of the same producer's sequence, appending nothing.
func FuzzFSMApply(f *testing.F) {
	f.Add(appendCommand(f, "value"), appendCommand(f, "another"))
	f.Add(producerCommand(f, "p", 1, "once"), producerCommand(f, "p", 1, "once"))
	f.Add(batchCommand(f, "p", 7, "a", "b", "c"), batchCommand(f, "p", 7, "a", "b", "c"))
	f.Add(batchCommand(f, "", 0), producerCommand(f, "q", 0, ""))
	f.Add([]byte{}, []byte{byte(AppendRequestType)})
	f.Add([]byte{byte(AppendRequestType), 0xff, 0xff}, []byte{9, 1, 2})
	f.Fuzz(func(t *testing.T, first, second []byte) {
		fsm := &fsm{log: newTestLog(t, Config{}), maxProducers: 4}
		for i, data := range [][]byte{first, second} {
			_, before := fsm.log.bounds()
			res := fsm.Apply(&raft.Log{Index: uint64(i + 1), Data: data})
			_, after := fsm.log.bounds()
			var offsets []uint64
			switch res := res.(type) {
			case error:
				require.Equal(t, before, after, "a refused command must append nothing: %v", res)
				continue
			case *api.ProduceResponse:
				offsets = []uint64{res.GetOffset()}
			case *api.ProduceBatchResponse:
				offsets = res.GetOffsets()
			default:
				t.Fatalf("Apply answered %T %v", res, res)
			}
			if after == before {
				// The table of producers keeps the first offset of each
				// sequence, not how many records it appended: a "retry"
				// of a batch with more records than the first append (a
				// client reusing a sequence, which the protocol forbids)
				// is answered with offsets past them. Only the first is
				// the first append's (testdata/fuzz/FuzzFSMApply holds
				// the case the fuzzer found).
				require.Less(t, offsets[0], before, "a deduplicated command must answer with the offset of the first append")
				for j, off := range offsets {
					require.Equal(t, offsets[0]+uint64(j), off, "a batch's offsets are consecutive")
				}
				continue
			}
			require.Equal(t, int(after-before), len(offsets), "Apply must answer with one offset per record it appended")
			for j, off := range offsets {
				require.Equal(t, before+uint64(j), off, "appended records take the offsets after the log's end, in order")
				record, err := fsm.log.Read(off)
				require.NoError(t, err)
				require.Equal(t, commandValue(t, data, j), record.GetValue(), "record %d must hold the value the command carried", off)
			}
		}
	})
}

// commandValue returns the value of record i of the command data, which
// Apply accepted.
func commandValue(t *testing.T, data []byte, i int) []byte {
	t.Helper()
	if RequestType(data[0]) == AppendRequestType {
		var req api.ProduceRequest
		require.NoError(t, proto.Unmarshal(data[1:], &req))
		return req.GetRecord().GetValue()
	}
	var req api.ProduceBatchRequest
	require.NoError(t, proto.Unmarshal(data[1:], &req))
	return req.GetRecords()[i].GetValue()
}

// FuzzSnapshotRestore restores a state machine from an arbitrary snapshot.
// It must not panic nor allocate much more than the snapshot holds, and
// must either refuse it with an error wrapping [ErrCorrupt] or restore a log that a snapshot of its own restores again to
// the same records and producers.
func FuzzSnapshotRestore(f *testing.F) {
	source := &fsm{log: newTestLog(f, Config{}), maxProducers: 4}
	appendToLog(f, source.log, "a", "bb", "")
	source.Apply(&raft.Log{Index: 1, Data: producerCommand(f, "p", 3, "from p")})
	valid := persist(f, source).Bytes()
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(valid[:snapshotHeaderWidth])
	f.Add([]byte{})
	f.Add(make([]byte, snapshotHeaderWidth+lenWidth))
	f.Fuzz(func(t *testing.T, data []byte) {
		restored := &fsm{log: newTestLog(t, Config{}), maxProducers: 4}
		var err error
		alloc := allocated(func() { err = restored.Restore(io.NopCloser(bytes.NewReader(data))) })
		// Restoring appends what it reads: the log's buffers and the
		// records are the slack.
		require.LessOrEqual(t, alloc, 4*uint64(len(data))+4*allocSlack, "Restore must not allocate what lengths in the snapshot claim")
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt, "Restore must say that a snapshot it refuses is damaged")
			return
		}
		again := &fsm{log: newTestLog(t, Config{}), maxProducers: 4}
		require.NoError(t, again.Restore(io.NopCloser(bytes.NewReader(persist(t, restored).Bytes()))), "a snapshot of a restored state machine must restore")
		require.Equal(t, values(t, restored.log), values(t, again.log), "a snapshot must restore the records it holds")
		require.Equal(t, persist(t, restored).Bytes(), persist(t, again).Bytes(), "a snapshot must restore the producers it holds")
	})
}
