package server

import (
	"fmt"
	"log/slog"

	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/ch04-grpc/api/v1"
)

// The server's limits. gRPC would take any number of streams per
// connection; they are set here, explicitly, so that a reader knows them
// and changing one is a decision. A caller's grpc.ServerOption for the same
// setting, passed to NewGRPCServer, wins.
const (
	// MaxMessageBytes is the size in bytes of the largest message the server
	// accepts. A bigger request (a ProduceRequest with a bigger record) is
	// refused with code ResourceExhausted before any handler sees it. It is
	// kept under the 4 MiB that gRPC clients accept by default, so a record
	// that could be produced can be consumed.
	MaxMessageBytes = 1 << 20
	// MaxConcurrentStreams is how many calls, unary or streaming, one client
	// connection may have open at once (HTTP/2's
	// SETTINGS_MAX_CONCURRENT_STREAMS). The client waits for a free one when
	// it wants more. ConsumeStreams, which can stay open for hours and hold
	// records for a client that does not read, have tighter limits of their
	// own: Config.MaxConsumeStreams and Config.MaxConsumeStreamsPerConn.
	MaxConcurrentStreams = 100
)

// NewGRPCServer returns a gRPC server with the log.v1.Log service registered
// on config.CommitLog, the limits above and those of config, and opts. It starts nothing: call
// Serve on the result. Stop it with Stop, or with GracefulStop bounded by a
// timeout: GracefulStop waits for every call to end, and a ConsumeStream
// ends only when its client goes away.
func NewGRPCServer(config *Config, opts ...grpc.ServerOption) (*grpc.Server, error) {
	if err := config.validate(); err != nil {
		return nil, fmt.Errorf("new gRPC server: %w", err)
	}
	srv := newgrpcServer(config)
	limits := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxConcurrentStreams(MaxConcurrentStreams),
		grpc.ChainStreamInterceptor(srv.limitStreams),
	}
	gsrv := grpc.NewServer(append(limits, opts...)...)
	api.RegisterLogServer(gsrv, srv)
	return gsrv, nil
}

var _ api.LogServer = (*grpcServer)(nil)

// grpcServer implements api.LogServer. Its handlers are in produce.go and
// consume.go.
type grpcServer struct {
	api.UnimplementedLogServer

	// log is config.CommitLog, wrapped so that ConsumeStream can wait for
	// the next append.
	log *notifyingLog
	// streams holds the slots of config.MaxConsumeStreams and
	// config.MaxConsumeStreamsPerConn.
	streams *streamLimiter
	// logger is config.Logger, or one that discards.
	logger *slog.Logger
}

// newgrpcServer returns the service of config, which must be valid: its
// zero fields take their defaults.
func newgrpcServer(config *Config) *grpcServer {
	c := config.withDefaults()
	return &grpcServer{
		log:     newNotifyingLog(c.CommitLog),
		streams: newStreamLimiter(c.MaxConsumeStreams, c.MaxConsumeStreamsPerConn),
		logger:  c.Logger,
	}
}
