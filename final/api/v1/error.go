package log_v1

import (
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
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
	st := status.New(codes.OutOfRange, e.Error())
	detail := &errdetails.LocalizedMessage{
		Locale:  "en-US",
		Message: fmt.Sprintf("There is no record at offset %d in this log.", e.Offset),
	}
	withDetail, err := st.WithDetails(detail)
	if err != nil {
		// WithDetails fails only if the detail cannot be marshalled, which
		// a LocalizedMessage always can: the status without it still says
		// everything the code needs.
		return st
	}
	return withDetail
}
