package server

import (
	"errors"

	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/ch09-balancing/api/v1"
	"github.com/proglog-workshop/proglog/ch09-balancing/internal/log"
)

// readError turns an error from CommitLog.Read of offset into the error
// the call ends with. A client learns what it can act on, and nothing of
// the server's disk: api.ErrOffsetOutOfRange goes as it is (code
// OutOfRange); a closed log (log.ErrClosed) becomes [errShuttingDown];
// damaged bytes (log.ErrCorrupt) become DataLoss naming the offset;
// anything else becomes Internal. The full error, with the file
// paths the log puts in it, goes to the server's logger only.
func (s *grpcServer) readError(offset uint64, err error) error {
	var outOfRange api.ErrOffsetOutOfRange
	if errors.As(err, &outOfRange) {
		return err
	}
	if errors.Is(err, log.ErrClosed) {
		return errShuttingDown
	}
	s.logger.Error("read failed", zap.Uint64("offset", offset), zap.Error(err))
	if errors.Is(err, log.ErrCorrupt) {
		return status.Errorf(codes.DataLoss, "the record at offset %d is damaged on the server", offset)
	}
	return status.Errorf(codes.Internal, "the server could not read offset %d", offset)
}

// appendError turns an error from CommitLog.Append into the error the call
// ends with: [errShuttingDown] for a closed log (log.ErrClosed), otherwise
// code Internal, without the log's words, which go to the server's logger.
func (s *grpcServer) appendError(err error) error {
	if errors.Is(err, log.ErrClosed) {
		return errShuttingDown
	}
	s.logger.Error("append failed", zap.Error(err))
	return status.Error(codes.Internal, "the server could not append the record")
}

// errShuttingDown is what a call that reaches a closed log ends with. A
// server closes its log when it shuts down, and a call can still arrive
// then: Unavailable tells the client that the call may work if it tries
// again, later or on another server. It is not logged as a failure: nothing
// went wrong.
var errShuttingDown = status.Error(codes.Unavailable, "the server is shutting down")
