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
// MaxStreamBatchBytes, and the error that stopped it: the records it read
// come first, and the caller meets the error again at its next read, once
// it has sent them. It reads only what the next message will carry.
func (s *grpcServer) readFrom(off uint64, maxBatch uint32) ([]*api.Record, error) {
	limit := min(max(int(maxBatch), 1), MaxStreamBatchRecords)
	var records []*api.Record
	size := 0
	for len(records) < limit {
		record, err := s.log.Read(off + uint64(len(records)))
		if err != nil {
			return records, err
		}
		records = append(records, record)
		if size += len(record.GetValue()); size >= MaxStreamBatchBytes {
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
