package server

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// Produce implements api.LogServer: it appends the request's record to the
// log and answers with the offset the log gave it. The request is left as
// the client sent it. A request with a producer_id is idempotent (see
// [ProducerLog]): a retry is answered with the first append's offset. A
// request without a record, or with a producer_id longer than
// log.MaxProducerIDBytes, is InvalidArgument; a failed append ends with
// the status of [grpcServer.appendError].
func (s *grpcServer) Produce(ctx context.Context, req *api.ProduceRequest) (*api.ProduceResponse, error) {
	if req.GetRecord() == nil {
		return nil, status.Error(codes.InvalidArgument, "produce request has no record")
	}
	if len(req.GetProducerId()) > log.MaxProducerIDBytes {
		return nil, status.Errorf(codes.InvalidArgument, "producer_id is %d bytes long, more than %d", len(req.GetProducerId()), log.MaxProducerIDBytes)
	}
	// The log sets the offset of the record it appends: give it the
	// request's own record, and put the offset the client sent back after,
	// so that the request stays as the client sent it. A copy would cost
	// two allocations and a copy of the value on every call.
	record := req.GetRecord()
	sent := record.GetOffset()
	var off uint64
	var err error
	if req.GetProducerId() == "" {
		off, err = s.log.Append(record)
	} else {
		off, err = s.log.AppendFrom(req.GetProducerId(), req.GetSequence(), record)
	}
	record.Offset = sent
	if err != nil {
		return nil, s.appendError(err)
	}
	return &api.ProduceResponse{Offset: off}, nil
}

// ProduceStream implements api.LogServer: for each request the client
// sends, it appends the record as Produce does and sends back the offset,
// in the order the requests came. When the client closes its side the
// stream ends with status OK; the first request Produce refuses ends it with
// Produce's error.
func (s *grpcServer) ProduceStream(stream grpc.BidiStreamingServer[api.ProduceRequest, api.ProduceResponse]) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			// The client has sent its last request: a normal end.
			return nil
		}
		if err != nil {
			return err
		}
		res, err := s.Produce(stream.Context(), req)
		if err != nil {
			return err
		}
		if err := stream.Send(res); err != nil {
			return err
		}
	}
}
