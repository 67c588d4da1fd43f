package server

import (
	"fmt"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	api "github.com/proglog-workshop/proglog/final/api/v1"
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
	// KeepaliveTime is how long a connection may stay silent before the
	// server pings the client, and KeepaliveTimeout how long it then waits
	// for the answer before it closes the connection. A client that
	// vanished without closing its connection (a crashed machine, a cut
	// cable) so frees its ConsumeStream slots within about a minute and a
	// half, rather than gRPC's default of two hours. They are the defaults
	// of Config.KeepaliveTime and Config.KeepaliveTimeout.
	KeepaliveTime    = time.Minute
	KeepaliveTimeout = 20 * time.Second
)

// streamWorkers is how many goroutines a server keeps to run calls on: as
// many as the calls a busy server has in flight (64 producers at once find
// workers for all their calls, most of them waiting for the log's lock).
// An idle worker costs its stack, a few KiB.
const streamWorkers = 64

// NewGRPCServer returns a gRPC server with the log.v1.Log service on
// config.CommitLog, every call to it checked against config.Authorizer by
// interceptors, the standard health and reflection services (which need no
// ACL entry), the limits above and those of config, and opts (a codec in
// opts is overridden: the server sends messages only its own codec knows).
// Every call is observed three ways: a line in config.Logger, a span from
// config.TracerProvider, and gRPC's metrics and the service's own in
// config.MeterProvider. Pass the server's TLS with opts, as
// grpc.Creds(credentials.NewTLS(tlsConfig)): the ACL's subject is the
// common name of the client's verified certificate, so a connection
// without mutual TLS can call nothing but the health service.
//
// It starts nothing: call Serve on the result. Stop it with Stop, or with
// GracefulStop bounded by a timeout: GracefulStop waits for every call to
// end, and a ConsumeStream ends only when its client goes away.
func NewGRPCServer(config *Config, opts ...grpc.ServerOption) (*grpc.Server, error) {
	if err := config.validate(); err != nil {
		return nil, fmt.Errorf("new gRPC server: %w", err)
	}
	config = config.withDefaults()
	metered, err := newMeteredLog(config.CommitLog, config.MeterProvider)
	if err != nil {
		return nil, fmt.Errorf("new gRPC server: %w", err)
	}
	observed := *config
	observed.CommitLog = metered
	srv := newgrpcServer(&observed)
	// Tracing and the call metrics come first: a call the ACL refuses has
	// its span, its duration and its line too.
	defaults, err := telemetryOptions(config)
	if err != nil {
		return nil, fmt.Errorf("new gRPC server: %w", err)
	}
	defaults = append(defaults,
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxConcurrentStreams(MaxConcurrentStreams),
		grpc.ConnectionTimeout(config.HandshakeTimeout),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: config.KeepaliveMinTime,
			// A client that follows the log has no call open between two
			// ConsumeStreams, and may keep its connection alive meanwhile.
			PermitWithoutStream: true,
		}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: config.KeepaliveTime, Timeout: config.KeepaliveTimeout}),
		// Calls run on goroutines that live on, whose stacks have grown to
		// what a call through the interceptors needs, rather than on a
		// new goroutine per call, whose small stack the runtime
		// copies as it grows: that copying was a quarter of a Produce's
		// instructions. A call that finds every worker busy still gets a
		// goroutine of its own.
		grpc.NumStreamWorkers(streamWorkers),
		// Logging comes before the ACL, so that its line has the code the
		// client gets, the ACL's refusals included.
		grpc.ChainUnaryInterceptor(srv.logUnary, srv.authorizeUnary),
		// Authorization before the stream limit: a client the ACL refuses
		// takes no stream slot.
		grpc.ChainStreamInterceptor(srv.logStream, srv.authorizeStream, srv.limitStreams),
	)
	// The codec goes after opts, where the last one given wins: gRPC's
	// protobuf codec, which also sends the ConsumeStream messages that the
	// server encodes from the log's bytes. A codec of the caller's would
	// not know those.
	opts = append(append(defaults, opts...), grpc.ForceServerCodecV2(newCodec()))
	gsrv := grpc.NewServer(opts...)
	api.RegisterLogServer(gsrv, srv)
	// A new health server reports the whole server ("") as SERVING.
	healthSrv := health.NewServer()
	healthSrv.SetServingStatus(api.Log_ServiceDesc.ServiceName, healthgrpc.HealthCheckResponse_SERVING)
	healthgrpc.RegisterHealthServer(gsrv, healthSrv)
	// Reflection lets grpcurl list and call the services without the
	// .proto files; see isReflection for why it needs no ACL entry.
	reflection.Register(gsrv)
	return gsrv, nil
}

var _ api.LogServer = (*grpcServer)(nil)

// grpcServer implements api.LogServer. Its handlers are in produce.go,
// batch.go, consume.go (with consume_batch.go and linearizable.go) and
// servers.go, its interceptors in authorize.go and logging.go.
type grpcServer struct {
	api.UnimplementedLogServer

	// log is config.CommitLog, wrapped so that ConsumeStream can wait for
	// the next append.
	log *notifyingLog
	// authorizer is config.Authorizer.
	authorizer Authorizer
	// servers is config.GetServerer; nil when the server has no cluster.
	servers GetServerer
	// streams holds the slots of config.MaxConsumeStreams and
	// config.MaxConsumeStreamsPerConn.
	streams *streamLimiter
	// logger is config.Logger, named "server".
	logger *zap.Logger
}

// newgrpcServer returns the service of config, which must be valid: its
// zero fields take their defaults.
func newgrpcServer(config *Config) *grpcServer {
	config = config.withDefaults()
	return &grpcServer{
		log:        newNotifyingLog(config.CommitLog),
		authorizer: config.Authorizer,
		streams:    newStreamLimiter(config.MaxConsumeStreams, config.MaxConsumeStreamsPerConn),
		logger:     config.Logger.Named("server"),
		servers:    config.GetServerer,
	}
}
