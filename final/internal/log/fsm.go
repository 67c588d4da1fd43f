package log

import (
	"fmt"

	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// RequestType is the first byte of every command in Raft's log: it says
// what the rest of the command is, so that commands other than appends can
// be added later without breaking the log's format.
type RequestType uint8

const (
	// AppendRequestType starts a command that appends a record: the rest of
	// the command is an api.ProduceRequest in protobuf.
	AppendRequestType RequestType = 0
	// BatchAppendRequestType starts a command that appends several records
	// at once: the rest of the command is an api.ProduceBatchRequest in
	// protobuf (see fsm_batch.go).
	BatchAppendRequestType RequestType = 1
)

var _ raft.FSM = (*fsm)(nil)

// fsm is the finite-state machine Raft replicates: a [Log] holding the
// records the clients produced, and the table of producers that makes
// produce idempotent. Raft calls Apply with each committed command, in log
// order, on every server, so every server's log and table end up the same.
// Raft never calls Apply, Snapshot and Restore at the same time.
type fsm struct {
	log       *Log
	producers *producers // nil until the first producer's append
	// maxProducers is the most producers the table remembers (see
	// newProducers): Config.MaxProducers.
	maxProducers int
	appended     notifier // woken after every Apply and Restore
}

// Apply implements raft.FSM: it carries out one committed command. For an
// append it returns the *api.ProduceResponse with the record's offset, for
// a batch (see fsm_batch.go) the *api.ProduceBatchResponse with the
// records' offsets, and an error for a command it cannot read or carry
// out. An append or batch from a producer whose sequence was appended
// already appends nothing and returns the offsets of that first append.
// It wakes the waiters of [DistributedLog.NextAppend] either way.
func (f *fsm) Apply(entry *raft.Log) any {
	defer f.appended.notify()
	if len(entry.Data) == 0 {
		return fmt.Errorf("raft entry %d: empty command", entry.Index)
	}
	var res any
	switch reqType := RequestType(entry.Data[0]); reqType {
	case AppendRequestType:
		res = f.applyAppend(entry.Data[1:], entry.Index)
	case BatchAppendRequestType:
		res = f.applyBatch(entry.Data[1:], entry.Index)
	default:
		return fmt.Errorf("raft entry %d: unknown request type %d", entry.Index, reqType)
	}
	if err, ok := res.(error); ok {
		return fmt.Errorf("raft entry %d: %w", entry.Index, err)
	}
	return res
}

// applyAppend carries out an append command whose api.ProduceRequest is
// data, from the Raft entry at index, and returns its
// *api.ProduceResponse or an error.
func (f *fsm) applyAppend(data []byte, index uint64) any {
	var req api.ProduceRequest
	if err := proto.Unmarshal(data, &req); err != nil {
		return err
	}
	id, sequence := req.GetProducerId(), req.GetSequence()
	if id != "" {
		if len(id) > MaxProducerIDBytes {
			return ErrProducerIDTooLong
		}
		off, found, err := f.producers.lookup(id, sequence, index)
		if err != nil {
			return err
		}
		if found {
			return &api.ProduceResponse{Offset: off}
		}
	}
	// The log sets the offset; nothing else of the client's record but its
	// value is kept.
	off, err := f.log.Append(&api.Record{Value: req.GetRecord().GetValue()})
	if err != nil {
		return err
	}
	f.remember(id, sequence, off, index)
	return &api.ProduceResponse{Offset: off}
}

// remember records in the table of producers that producer id's
// sequence was appended at offset by the Raft entry at index; an empty id
// is no producer.
func (f *fsm) remember(id string, sequence, offset, index uint64) {
	if id == "" {
		return
	}
	if f.producers == nil {
		f.producers = newProducers(f.maxProducers)
	}
	f.producers.record(id, sequence, offset, index)
}
