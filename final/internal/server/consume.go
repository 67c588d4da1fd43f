package server

import (
	"context"
	"errors"

	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Consume implements api.LogServer: it answers with the record at the
// requested offset. For an offset the log does not hold, the log's
// api.ErrOffsetOutOfRange goes back to gRPC as it is, and reaches the
// client as code OutOfRange; other read errors become the statuses of
// [grpcServer.readError]. A linearizable request is answered only once
// [grpcServer.waitLinearizable] allows it, and ends with its error
// otherwise.
func (s *grpcServer) Consume(ctx context.Context, req *api.ConsumeRequest) (*api.ConsumeResponse, error) {
	if req.GetLinearizable() {
		if err := s.waitLinearizable(); err != nil {
			return nil, err
		}
	}
	record, err := s.log.Read(req.GetOffset())
	if err != nil {
		return nil, s.readError(req.GetOffset(), err)
	}
	return &api.ConsumeResponse{Record: record}, nil
}

// ConsumeStream implements api.LogServer: it sends the records from the
// requested offset on, in order: one per message in record, or, when the
// request sets max_batch, as many as are there already up to that many
// and [MaxStreamBatchRecords] and [MaxStreamBatchBytes] per message, in
// records. Once it has sent the last one it waits, using no CPU, until the
// next append through this server or until the client goes away; then it
// returns the context's error. While the client does not read, gRPC's flow
// control holds Send back, so a slow client slows this loop down rather
// than making the server buffer records for it: the handler reads no
// further than the message it is sending. A read error ends the stream
// with the status of [grpcServer.readError]. A linearizable request is
// checked once, before the first read, by [grpcServer.waitLinearizable].
// The request is left as the client sent it.
func (s *grpcServer) ConsumeStream(req *api.ConsumeRequest, stream grpc.ServerStreamingServer[api.ConsumeResponse]) error {
	if req.GetLinearizable() {
		if err := s.waitLinearizable(); err != nil {
			return err
		}
	}
	off := req.GetOffset() // the position is ours to move, not the client's
	// One message for the whole stream, which carries its records in
	// records, or, when the client asked for no batches (max_batch zero),
	// one in record, for clients that know only that field. The server's
	// codec has copied its bytes into a buffer for gRPC when SendMsg
	// returns (see codec), so the next read may overwrite them: once the
	// message has grown, the stream's reads and messages allocate nothing
	// but the few objects gRPC makes to send any message.
	res := newEncodedResponse(req.GetMaxBatch() > 0)
	for {
		// Before the read: an append that lands after it still closes
		// this channel, so the wait below cannot miss it.
		appended := s.log.nextAppend()
		n, err := s.readInto(res, off, req.GetMaxBatch())
		if n > 0 {
			if err := stream.SendMsg(res); err != nil {
				return err
			}
			off += uint64(n)
			continue
		}
		var outOfRange api.ErrOffsetOutOfRange
		if !errors.As(err, &outOfRange) {
			return s.readError(off, err)
		}
		if lowest, ok := s.lowestOffset(); ok && off < lowest {
			// Dropped by retention or a truncation: waiting would
			// never bring it back.
			return notRetainedStatus(off, lowest)
		}
		// Nothing at off yet: sleep until something is appended.
		select {
		case <-appended:
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	}
}

// lowestOffset returns the log's lowest offset, if the log can say:
// internal/log's Log and DistributedLog can.
func (s *grpcServer) lowestOffset() (uint64, bool) {
	l, ok := underlying(s.log.CommitLog).(interface{ LowestOffset() (uint64, error) })
	if !ok {
		return 0, false
	}
	lowest, err := l.LowestOffset()
	return lowest, err == nil
}
