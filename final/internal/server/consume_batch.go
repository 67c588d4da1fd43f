package server

import (
	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// The bounds of one ConsumeStream message of several records. A stream
// whose client does not read holds about three messages (see the
// Config's limits), so these bound what it holds: a message is at most
// MaxStreamBatchBytes plus one record of at most MaxMessageBytes.
const (
	// MaxStreamBatchRecords is the most records one message carries,
	// whatever the client's max_batch.
	MaxStreamBatchRecords = 256
	// MaxStreamBatchBytes bounds the values of the records of one message,
	// in bytes: once a message's records reach it, the message is sent
	// and the next record goes into the next one.
	MaxStreamBatchBytes = 256 << 10
)

// readFrom reads the records from offset off on that the log holds now, at
// most maxBatch (at least one, at most MaxStreamBatchRecords) and within
// MaxStreamBatchBytes: what the next message carries. It returns at least
// one record, or the error that stopped the first read.
func (s *grpcServer) readFrom(off uint64, maxBatch uint32) ([]*api.Record, error) {
	limit := min(max(int(maxBatch), 1), MaxStreamBatchRecords)
	return readBatch(s.log.CommitLog, off, limit, MaxStreamBatchBytes)
}

// readBatch reads as [BatchReader.ReadBatch] does: with l's ReadBatch if l
// is a BatchReader, one Read per record otherwise. A Read that fails after
// the first ends the batch; the next batch meets the error again.
func readBatch(l CommitLog, off uint64, maxRecords, maxValueBytes int) ([]*api.Record, error) {
	if b, ok := l.(BatchReader); ok {
		return b.ReadBatch(off, maxRecords, maxValueBytes)
	}
	var records []*api.Record
	size := 0
	for len(records) < max(maxRecords, 1) {
		record, err := l.Read(off + uint64(len(records)))
		if err != nil {
			if len(records) == 0 {
				return nil, err
			}
			break
		}
		records = append(records, record)
		if size += len(record.GetValue()); size >= maxValueBytes {
			break
		}
	}
	return records, nil
}

// consumeResponse returns the message that carries records: in record if
// the client asked for no batches (maxBatch zero), for clients that know
// only that field; in records otherwise.
func consumeResponse(records []*api.Record, maxBatch uint32) *api.ConsumeResponse {
	if maxBatch == 0 {
		return &api.ConsumeResponse{Record: records[0]}
	}
	return &api.ConsumeResponse{Records: records}
}
