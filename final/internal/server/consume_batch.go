package server

import (
	"google.golang.org/protobuf/proto"

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

// readInto reads the records from offset off on that the log holds now, at
// most maxBatch (at least one, at most MaxStreamBatchRecords) and within
// MaxStreamBatchBytes, into res, which it empties first: what the next
// message carries. It returns how many records res carries, at least one,
// or the error that stopped the first read.
func (s *grpcServer) readInto(res *encodedResponse, off uint64, maxBatch uint32) (int, error) {
	res.reset()
	limit := min(max(int(maxBatch), 1), MaxStreamBatchRecords)
	return readBatchEncoded(s.log.CommitLog, off, limit, MaxStreamBatchBytes, res.add)
}

// readBatchEncoded reads as [EncodedBatchReader.ReadBatchEncoded] does:
// with l's ReadBatchEncoded if l is an EncodedBatchReader; otherwise with
// [readBatch], encoding each record it returns.
func readBatchEncoded(l CommitLog, off uint64, maxRecords, maxValueBytes int, each func(encoded []byte)) (int, error) {
	if e, ok := l.(EncodedBatchReader); ok {
		return e.ReadBatchEncoded(off, maxRecords, maxValueBytes, each)
	}
	records, err := readBatch(l, off, maxRecords, maxValueBytes)
	if err != nil {
		return 0, err
	}
	var encoded []byte
	for _, record := range records {
		encoded, err = proto.MarshalOptions{}.MarshalAppend(encoded[:0], record)
		if err != nil {
			return 0, err
		}
		each(encoded)
	}
	return len(records), nil
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
