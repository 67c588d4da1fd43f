package log_v1

import (
	"fmt"

	"github.com/proglog-workshop/proglog/ch04-grpc/internal/exercise"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrOffsetOutOfRange is the error for an offset the log does not hold:
// internal/log's Log.Read returns it, and the server's Consume hands it to
// gRPC as it is. Offset is the offset that was asked for. Callers find it
// with errors.As; on the client side of a call it arrives as a status with
// code OutOfRange (see [ErrOffsetOutOfRange.GRPCStatus]).
type ErrOffsetOutOfRange struct {
	Offset uint64
}

// Error says which offset is out of range.
func (e ErrOffsetOutOfRange) Error() string {
	return fmt.Sprintf("offset out of range: %d", e.Offset)
}

// GRPCStatus is what gRPC sends when a handler returns e: code OutOfRange,
// the message of [ErrOffsetOutOfRange.Error], and a LocalizedMessage detail
// (locale en-US) that a client can show to a person. gRPC's status package
// finds this method with errors.As, so e may be wrapped with %w.
func (e ErrOffsetOutOfRange) GRPCStatus() *status.Status {
	//exercise:4.1 begin: see README.md#41-erroffsetoutofrangegrpcstatus
	return status.New(codes.Unknown, exercise.NotDone("4.1").Error())
	//exercise:4.1 end
}
