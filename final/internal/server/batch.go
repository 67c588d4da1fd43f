package server

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// BatchLog is a CommitLog that appends several records at once, at
// consecutive offsets, all or none, idempotently when given a producer:
// internal/log's DistributedLog is one, making the batch one Raft entry.
// The server uses it for ProduceBatch; with a CommitLog that is not one,
// ProduceBatch ends with code Unimplemented.
type BatchLog interface {
	// AppendBatch appends records and returns their offsets. With a
	// producerID, a retry of the batch with the same sequence appends
	// nothing and returns the offsets of the first append.
	AppendBatch(producerID string, sequence uint64, records []*api.Record) ([]uint64, error)
}

// errNoBatches is what ProduceBatch ends with on a server whose log cannot
// append a batch whole ([BatchLog]): appending the records one by one
// would let other records in between, and the offsets would not be
// consecutive.
var errNoBatches = status.Error(codes.Unimplemented, "this server's log cannot append batches: use Produce or ProduceStream")

// appendBatch appends through l's AppendBatch, if l is a [BatchLog].
func appendBatch(l CommitLog, producerID string, sequence uint64, records []*api.Record) ([]uint64, error) {
	b, ok := l.(BatchLog)
	if !ok {
		return nil, errNoBatches
	}
	return b.AppendBatch(producerID, sequence, records)
}

// ProduceBatch implements api.LogServer: it appends the request's records
// as one batch (see [BatchLog]) and answers with their offsets. A batch
// without records, of more than log.MaxBatchRecords records or
// log.MaxBatchBytes bytes of values, or with a producer_id longer than
// log.MaxProducerIDBytes is InvalidArgument; a failed append ends with the
// status of [grpcServer.appendError]. The request is left as the client
// sent it: the log copies the values.
func (s *grpcServer) ProduceBatch(ctx context.Context, req *api.ProduceBatchRequest) (*api.ProduceBatchResponse, error) {
	if len(req.GetProducerId()) > log.MaxProducerIDBytes {
		return nil, status.Errorf(codes.InvalidArgument, "producer_id is %d bytes long, more than %d", len(req.GetProducerId()), log.MaxProducerIDBytes)
	}
	offsets, err := s.log.AppendBatch(req.GetProducerId(), req.GetSequence(), req.GetRecords())
	if err != nil {
		return nil, s.appendError(err)
	}
	return &api.ProduceBatchResponse{Offsets: offsets}, nil
}

// AppendBatch implements [BatchLog]: it appends through the wrapped log's
// AppendBatch, then wakes the waiters as Append does.
func (l *notifyingLog) AppendBatch(producerID string, sequence uint64, records []*api.Record) ([]uint64, error) {
	offsets, err := appendBatch(l.CommitLog, producerID, sequence, records)
	l.wake()
	return offsets, err
}

// AppendBatch implements [BatchLog]: it appends through the wrapped log's
// AppendBatch and, if that worked, counts every record of the batch and
// its bytes, and the batch's duration once: one append, however many
// records it carried.
func (l *meteredLog) AppendBatch(producerID string, sequence uint64, records []*api.Record) ([]uint64, error) {
	start := time.Now()
	offsets, err := appendBatch(l.CommitLog, producerID, sequence, records)
	if err != nil {
		return nil, err
	}
	ctx := context.Background() // see metered
	l.produceDuration.Record(ctx, time.Since(start).Seconds())
	l.producedRecords.Add(ctx, int64(len(records)))
	size := 0
	for _, record := range records {
		size += len(record.GetValue())
	}
	l.producedBytes.Add(ctx, int64(size))
	return offsets, nil
}
