package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync/atomic"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	grpccreds "google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/server"
)

// StreamBatch is the max_batch the streamed consume cases ask for: the
// most a server sends in one message.
const StreamBatch = server.MaxStreamBatchRecords

// served is a gRPC server on 127.0.0.1 and a client connection to it over
// mutual TLS, as root.
type served struct {
	client api.LogClient
	close  func() error
}

// serve starts gsrv on a free port of 127.0.0.1 and dials it with tlsConfig.
// Closing the result stops the server and the connection, then calls
// cleanup.
func serve(gsrv *grpc.Server, tlsConfig grpcTLS, cleanup func() error) (*served, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	go func() { _ = gsrv.Serve(ln) }() // Serve returns when Stop closes ln
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(tlsConfig))
	if err != nil {
		gsrv.Stop()
		return nil, fmt.Errorf("dial: %w", err)
	}
	return &served{
		client: api.NewLogClient(conn),
		close: func() error {
			err := conn.Close()
			gsrv.Stop()
			return errors.Join(err, cleanup())
		},
	}, nil
}

// grpcTLS is gRPC's transport credentials.
type grpcTLS = grpccreds.TransportCredentials

// TraceRatio is the fraction of the calls whose spans the proglog server
// cases sample and export, as `proglog serve --trace --trace-ratio 0.01`
// does: a deployment chooses its own. Every call still gets its span
// started and ended by the server's interceptors; only the sampled ones are exported, and
// the export (encoding a span) costs more than serving the call.
const TraceRatio = 0.01

// serveProglog serves final/'s gRPC service on a log in dir, with what a
// deployment runs: mutual TLS, the ACL, a structured log line per call
// (JSON, written nowhere), a span per call, TraceRatio of them sampled and
// exported (to nowhere) in batches, and gRPC's and the service's metrics.
func serveProglog(dir string, s Scale, load int, v []byte) (*served, error) {
	creds, err := newCredentials(dir)
	if err != nil {
		return nil, err
	}
	authorizer, err := auth.New(creds.aclModel, creds.aclPolicy)
	if err != nil {
		return nil, fmt.Errorf("ACL: %w", err)
	}
	l, err := log.NewLog(filepath.Join(dir, "log"), proglogConfig())
	if err != nil {
		return nil, fmt.Errorf("open final/'s log: %w", err)
	}
	for range load {
		if _, err := l.Append(&api.Record{Value: v}); err != nil {
			return nil, fmt.Errorf("load final/'s log: %w", errors.Join(err, l.Close()))
		}
	}
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(io.Discard))
	if err != nil {
		return nil, fmt.Errorf("trace exporter: %w", errors.Join(err, l.Close()))
	}
	tracer := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(TraceRatio))),
	)
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	logger := zap.New(zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zap.InfoLevel,
	))
	gsrv, err := server.NewGRPCServer(&server.Config{
		CommitLog:      l,
		Authorizer:     authorizer,
		Logger:         logger,
		TracerProvider: tracer,
		MeterProvider:  meter,
	}, grpc.Creds(grpccreds.NewTLS(creds.server)))
	if err != nil {
		return nil, fmt.Errorf("new server: %w", errors.Join(err, l.Close()))
	}
	return serve(gsrv, grpccreds.NewTLS(creds.root), closeAll(
		l.Close,
		func() error { return tracer.Shutdown(context.Background()) },
		func() error { return meter.Shutdown(context.Background()) },
	))
}

// echoServer is the bare gRPC baseline: the log.v1.Log service with
// nothing behind it. Produce answers at once; ConsumeStream pushes the
// same payload for ever. No ACL, no logs, no traces, no metrics: what gRPC
// itself costs over the same mutual TLS.
type echoServer struct {
	api.UnimplementedLogServer
	next  atomic.Uint64
	value []byte
}

// Produce answers with the next offset.
func (e *echoServer) Produce(context.Context, *api.ProduceRequest) (*api.ProduceResponse, error) {
	return &api.ProduceResponse{Offset: e.next.Add(1) - 1}, nil
}

// ConsumeStream sends messages of max_batch records (one in record when
// max_batch is zero), all with the same value, until the client goes away.
func (e *echoServer) ConsumeStream(req *api.ConsumeRequest, stream grpc.ServerStreamingServer[api.ConsumeResponse]) error {
	off := req.GetOffset()
	n := min(max(int(req.GetMaxBatch()), 1), StreamBatch)
	records := make([]*api.Record, n)
	for {
		for i := range records {
			records[i] = &api.Record{Value: e.value, Offset: off}
			off++
		}
		res := &api.ConsumeResponse{Records: records}
		if req.GetMaxBatch() == 0 {
			res = &api.ConsumeResponse{Record: records[0]}
		}
		if err := stream.Send(res); err != nil {
			return err
		}
	}
}

// serveEcho serves the echo baseline over the same mutual TLS as
// serveProglog.
func serveEcho(dir string, v []byte) (*served, error) {
	creds, err := newCredentials(dir)
	if err != nil {
		return nil, err
	}
	gsrv := grpc.NewServer(grpc.Creds(grpccreds.NewTLS(creds.server)))
	api.RegisterLogServer(gsrv, &echoServer{value: v})
	return serve(gsrv, grpccreds.NewTLS(creds.root), func() error { return nil })
}

// produceCall produces one record of size bytes per operation through the
// served service, unary.
func produceCall(serveIt func(dir string, s Scale, v []byte) (*served, error), size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, s Scale) (*Fixture, error) {
		v := value(size)
		srv, err := serveIt(dir, s, v)
		if err != nil {
			return nil, err
		}
		op := func(int) error {
			_, err := srv.client.Produce(context.Background(), &api.ProduceRequest{Record: &api.Record{Value: v}})
			return err
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: srv.close}, nil
	}
}

// streamReader receives records one at a time from ConsumeStreams of
// StreamBatch records per message, reading offsets [0, records) over and
// over: at the end it closes the stream and opens another from 0 (a
// stream at the end of a log would wait for appends). One goroutine only.
type streamReader struct {
	client  api.LogClient
	records uint64
	want    []byte

	stream  grpc.ServerStreamingClient[api.ConsumeResponse]
	cancel  context.CancelFunc
	pending []*api.Record // received, not yet handed out
	next    uint64        // offset the next record must have
}

// read receives the next record and checks its offset and value.
func (r *streamReader) read() error {
	if r.stream == nil || r.next == r.records {
		if err := r.reopen(); err != nil {
			return err
		}
	}
	for len(r.pending) == 0 {
		res, err := r.stream.Recv()
		if err != nil {
			return fmt.Errorf("receive from offset %d: %w", r.next, err)
		}
		r.pending = res.GetRecords()
		if one := res.GetRecord(); one != nil {
			r.pending = []*api.Record{one}
		}
	}
	record := r.pending[0]
	r.pending = r.pending[1:]
	if record.GetOffset() != r.next {
		return fmt.Errorf("received offset %d, want %d", record.GetOffset(), r.next)
	}
	if err := checkValue(record.GetValue(), r.want, r.next); err != nil {
		return err
	}
	r.next++
	return nil
}

// reopen ends the current stream, if any, and opens one from offset 0.
func (r *streamReader) reopen() error {
	r.close()
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := r.client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0, MaxBatch: StreamBatch})
	if err != nil {
		cancel()
		return fmt.Errorf("open stream: %w", err)
	}
	r.stream, r.cancel, r.pending, r.next = stream, cancel, nil, 0
	return nil
}

// close ends the current stream.
func (r *streamReader) close() {
	if r.cancel != nil {
		r.cancel()
	}
	r.stream, r.cancel = nil, nil
}

// consumeStream receives one record per operation from a ConsumeStream of
// the served service, which holds s.Records records of size bytes.
func consumeStream(serveIt func(dir string, s Scale, v []byte) (*served, error), size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, s Scale) (*Fixture, error) {
		v := value(size)
		srv, err := serveIt(dir, s, v)
		if err != nil {
			return nil, err
		}
		r := &streamReader{client: srv.client, records: uint64(s.Records), want: v}
		op := func(int) error { return r.read() }
		return &Fixture{Op: op, RecordsPerOp: 1, Close: closeAll(func() error { r.close(); return nil }, srv.close)}, nil
	}
}

// produceServer and consumeServer adapt serveProglog to the two kinds of
// case: an empty log to produce to, a loaded one to consume from.
func produceServer(dir string, s Scale, v []byte) (*served, error) { return serveProglog(dir, s, 0, v) }
func consumeServer(dir string, s Scale, v []byte) (*served, error) {
	return serveProglog(dir, s, s.Records, v)
}

// echo adapts serveEcho to both kinds of case.
func echo(dir string, _ Scale, v []byte) (*served, error) { return serveEcho(dir, v) }
