package log

import (
	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// AppendBatch replicates records as one Raft entry and returns their
// offsets, which are consecutive: one round of consensus for them all, and
// either every record is in the log or none is. With a producerID it is
// idempotent as [DistributedLog.AppendFrom] is, the whole batch taking
// the one sequence: a retry must carry the same records, and is answered
// with the offsets of the first append. It returns [ErrBatchEmpty], an
// error wrapping [ErrBatchTooLarge] past [MaxBatchRecords] or
// [MaxBatchBytes], and otherwise the errors of AppendFrom.
func (l *DistributedLog) AppendBatch(producerID string, sequence uint64, records []*api.Record) ([]uint64, error) {
	if err := checkBatch(records); err != nil {
		return nil, err
	}
	if len(producerID) > MaxProducerIDBytes {
		return nil, ErrProducerIDTooLong
	}
	// Only the values go into Raft's log: the FSM gives the offsets.
	values := make([]*api.Record, len(records))
	for i, record := range records {
		values[i] = &api.Record{Value: record.GetValue()}
	}
	req := &api.ProduceBatchRequest{Records: values, ProducerId: producerID, Sequence: sequence}
	res, err := l.apply(BatchAppendRequestType, req)
	if err != nil {
		return nil, err
	}
	return res.(*api.ProduceBatchResponse).GetOffsets(), nil
}
