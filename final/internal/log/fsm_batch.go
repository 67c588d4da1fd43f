package log

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// applyBatch carries out a batch command whose api.ProduceBatchRequest is
// data, from the Raft entry at index, and returns its *api.ProduceBatchResponse or an error. The whole
// batch is one entry of Raft's log, so every server appends all of its
// records or none, with no other record between them. For deduplication a
// batch is one record: its producer's sequence names the batch, and the
// table remembers the offset of its first record. A retry, which carries
// the same records, is answered with the offsets of the first append.
func (f *fsm) applyBatch(data []byte, index uint64) any {
	var req api.ProduceBatchRequest
	if err := proto.Unmarshal(data, &req); err != nil {
		return err
	}
	records := req.GetRecords()
	// The limits were checked before the batch went into Raft's log
	// (AppendBatch); checking them again here would make a committed
	// entry fail to apply on a server whose limits have since changed.
	if len(records) == 0 {
		return ErrBatchEmpty
	}
	id, sequence := req.GetProducerId(), req.GetSequence()
	if id != "" {
		if len(id) > MaxProducerIDBytes {
			return ErrProducerIDTooLong
		}
		first, found, err := f.producers.lookup(id, sequence, index)
		if err != nil {
			return err
		}
		if found {
			return batchResponse(first, len(records))
		}
	}
	first, err := f.appendAll(records)
	if err != nil {
		return err
	}
	f.remember(id, sequence, first, index)
	return batchResponse(first, len(records))
}

// appendAll appends the values of records to the log, which gives them
// consecutive offsets since Raft applies one command at a time, and
// returns the first offset. If an append fails, it removes those of the
// batch it made, so that a batch is never half in the log.
func (f *fsm) appendAll(records []*api.Record) (uint64, error) {
	var first uint64
	for i, record := range records {
		off, err := f.log.Append(&api.Record{Value: record.GetValue()})
		if err != nil {
			if i == 0 {
				return 0, err
			}
			return 0, errors.Join(err, f.log.truncateFrom(first))
		}
		if i == 0 {
			first = off
		}
	}
	return first, nil
}

// batchResponse returns the answer to a batch of n records from offset
// first on.
func batchResponse(first uint64, n int) *api.ProduceBatchResponse {
	offsets := make([]uint64, n)
	for i := range offsets {
		offsets[i] = first + uint64(i)
	}
	return &api.ProduceBatchResponse{Offsets: offsets}
}

// Limits of one batch ([DistributedLog.AppendBatch]).
const (
	// MaxBatchRecords is how many records one batch may carry. It bounds
	// the work of one Raft entry on every server, and the answer's size.
	MaxBatchRecords = 1024
	// MaxBatchBytes bounds the sum of the values of one batch's records,
	// so that one Raft entry, which every server holds in memory while it
	// replicates and applies it, stays small. It is the server's message
	// limit: a batch that fits in one request fits here.
	MaxBatchBytes = 1 << 20
)

// ErrBatchEmpty is returned by [DistributedLog.AppendBatch] for a batch
// without records.
var ErrBatchEmpty = errors.New("the batch has no records")

// ErrBatchTooLarge is wrapped by the errors [DistributedLog.AppendBatch]
// returns for a batch of more than [MaxBatchRecords] records or
// [MaxBatchBytes] bytes of values; the error says which.
var ErrBatchTooLarge = errors.New("the batch is too large")

// checkBatch returns an error for records that are not a batch within the
// limits.
func checkBatch(records []*api.Record) error {
	if len(records) == 0 {
		return ErrBatchEmpty
	}
	if len(records) > MaxBatchRecords {
		return fmt.Errorf("%w: %d records, more than %d: split it", ErrBatchTooLarge, len(records), MaxBatchRecords)
	}
	size := 0
	for _, record := range records {
		size += len(record.GetValue())
	}
	if size > MaxBatchBytes {
		return fmt.Errorf("%w: %d bytes of values, more than %d: split it", ErrBatchTooLarge, size, MaxBatchBytes)
	}
	return nil
}
