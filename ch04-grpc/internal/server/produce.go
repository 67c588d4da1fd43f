package server

import (
	"context"

	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/ch04-grpc/api/v1"
	"github.com/proglog-workshop/proglog/ch04-grpc/internal/exercise"
)

// Produce implements api.LogServer: it appends the request's record to the
// log and answers with the offset the log gave it. The request is left as
// the client sent it. A request without a record is InvalidArgument; a
// failed append ends with the status of [grpcServer.appendError].
func (s *grpcServer) Produce(ctx context.Context, req *api.ProduceRequest) (*api.ProduceResponse, error) {
	//exercise:4.2 begin: see README.md#42-produce-and-consume
	return nil, exercise.NotDone("4.2")
	//exercise:4.2 end
}

// ProduceStream implements api.LogServer: for each request the client
// sends, it appends the record as Produce does and sends back the offset,
// in the order the requests came. When the client closes its side the
// stream ends with status OK; the first request Produce refuses ends it with
// Produce's error.
func (s *grpcServer) ProduceStream(stream grpc.BidiStreamingServer[api.ProduceRequest, api.ProduceResponse]) error {
	//exercise:4.4 begin: see README.md#44-producestream
	return exercise.NotDone("4.4")
	//exercise:4.4 end
}
