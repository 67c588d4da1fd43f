package server

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The keys of the fields in the line [grpcServer.logCall] writes. A log
// pipeline filters and groups by them, so they are part of the server's
// interface: change them only on purpose.
const (
	logMethod   = "method"   // the full method name, "/log.v1.Log/Produce"
	logCode     = "code"     // the gRPC status code the client got, "OK"
	logDuration = "duration" // from the call's start to its end
	logSubject  = "subject"  // the common name of the client's verified certificate
)

// logUnary implements grpc.UnaryServerInterceptor: it runs the rest of the
// chain (the ACL, then the handler) and then logs the call with
// [grpcServer.logCall].
func (s *grpcServer) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	res, err := handler(ctx, req)
	s.logCall(ctx, info.FullMethod, time.Since(start), err)
	return res, err
}

// logStream implements grpc.StreamServerInterceptor: it runs the rest of
// the chain and logs the call with [grpcServer.logCall] when the stream
// ends, however long it stayed open.
func (s *grpcServer) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	err := handler(srv, ss)
	s.logCall(ss.Context(), info.FullMethod, time.Since(start), err)
	return err
}

// logCall writes one line for a call that has ended: its method, the code
// the client gets, how long it took, the client's subject when the client
// has a verified certificate, and the error if there was one. The level
// says who should look: see [levelOf].
func (s *grpcServer) logCall(ctx context.Context, method string, took time.Duration, err error) {
	code := codeOf(err)
	fields := logFields.Get().(*[]zap.Field)
	defer putLogFields(fields)
	*fields = append((*fields)[:0],
		zap.String(logMethod, method),
		zap.String(logCode, code.String()),
		zap.Duration(logDuration, took),
	)
	// A client without a verified certificate has no subject; the line
	// is still worth writing, without one.
	if sub, subErr := subject(ctx); subErr == nil {
		*fields = append(*fields, zap.String(logSubject, sub))
	}
	if err != nil {
		*fields = append(*fields, zap.Error(err))
	}
	s.logger.Log(levelOf(code), "call", *fields...)
}

// logFields holds the field slices of the lines logCall writes: the
// encoder is done with a line's fields when Log returns, and a slice per
// call would be one more allocation for every call the server serves.
var logFields = sync.Pool{New: func() any {
	fields := make([]zap.Field, 0, maxLogFields)
	return &fields
}}

// maxLogFields is how many fields a line of logCall has at most.
const maxLogFields = 5

// putLogFields clears fields, so that the pool keeps no error or string
// alive, and gives it back to logFields.
func putLogFields(fields *[]zap.Field) {
	clear(*fields)
	*fields = (*fields)[:0]
	logFields.Put(fields)
}

// codeOf returns the status code a client gets when a handler returns err,
// as gRPC works it out: see [statusOf].
func codeOf(err error) codes.Code {
	return statusOf(err).Code()
}

// statusOf returns the status a client gets when a handler returns err,
// as gRPC works it out: err's own status, Canceled or DeadlineExceeded for
// a context's error (a stream whose client went away), Unknown for any
// other error, OK for nil.
func statusOf(err error) *status.Status {
	if st, ok := status.FromError(err); ok {
		return st
	}
	return status.FromContextError(err)
}

// levelOf is the level of the line for a call that ended with code: Info
// when it succeeded or the client was refused or went away (the client's
// business), Error when the server failed (an operator's business).
func levelOf(code codes.Code) zapcore.Level {
	if serverFault(code) {
		return zapcore.ErrorLevel
	}
	return zapcore.InfoLevel
}

// serverFault reports whether a call that ended with code failed through
// the server's fault rather than the client's: the codes that OpenTelemetry's
// conventions count as a server span's errors.
func serverFault(code codes.Code) bool {
	switch code {
	case codes.Unknown, codes.DeadlineExceeded, codes.Unimplemented, codes.Internal, codes.Unavailable, codes.DataLoss:
		return true
	default:
		return false
	}
}
