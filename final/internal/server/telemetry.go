package server

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/rpcconv"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// propagator reads the trace a client's call belongs to from the call's
// metadata (the W3C traceparent header, and baggage), so that the server's
// span joins the client's trace instead of starting one of its own.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// The server traces and measures every call with interceptors of its own,
// not with otelgrpc's stats handler, and records what that handler
// records, under OpenTelemetry's semantic conventions for RPC: a server
// span per call named after the method ("log.v1.Log/Produce") with the
// attributes rpc.method, rpc.system.name and rpc.response.status_code
// (and server.address and server.port on the spans that are sampled), an
// error status for the codes that are the server's fault, and the
// histogram rpc.server.call.duration, in seconds, by rpc.method,
// rpc.system.name, rpc.response.status_code and, for those codes,
// error.type. A stats handler costs every call some forty allocations:
// gRPC copies the call's metadata and reports each header and message to
// it, and otelgrpc copies the metadata again to read two headers from it
// and builds the call's attribute sets anew. Here each method's attributes
// and each (method, code) attribute set are made once, the headers are
// read in place, and a call costs the span and its context.

// callTelemetry traces and measures the calls of one server.
type callTelemetry struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram // rpc.server.call.duration
	// methods maps a full method name ("/log.v1.Log/Produce") to its
	// *methodTelemetry. Only the server's registered methods reach the
	// interceptors, so it stays small.
	methods sync.Map
}

// methodTelemetry is what the calls of one method share.
type methodTelemetry struct {
	name string // the span's name: the full method without its first "/"
	// start are the options every span of the method starts with: its
	// kind and its attributes.
	start []trace.SpanStartOption
	// recordWith holds, for each status code, the options that record a
	// duration with the attribute set of this method and that code: a
	// slice made once, since a slice made by the call to Record would be
	// one more allocation per call.
	recordWith [numCodes][]metric.RecordOption
}

// numCodes is how many status codes gRPC defines: OK (0) to
// Unauthenticated (16).
const numCodes = int(codes.Unauthenticated) + 1

// telemetryOptions returns the server options that trace and measure every
// call, with config.TracerProvider and config.MeterProvider, which must be
// set (see [Config.withDefaults]): interceptors that come first in their
// chains, so that a call the ACL refuses has its span and its duration
// too. Nothing global is used: not otel's providers, not its propagator.
func telemetryOptions(config *Config) ([]grpc.ServerOption, error) {
	t, err := newCallTelemetry(config)
	if err != nil {
		return nil, err
	}
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(t.unary),
		grpc.ChainStreamInterceptor(t.stream),
	}, nil
}

// newCallTelemetry returns the telemetry of config's providers, which must
// be set.
func newCallTelemetry(config *Config) (*callTelemetry, error) {
	duration, err := rpcconv.NewServerCallDuration(config.MeterProvider.Meter(meterName,
		metric.WithSchemaURL(semconv.SchemaURL)))
	if err != nil {
		return nil, fmt.Errorf("create instruments: %w", err)
	}
	return &callTelemetry{
		tracer:   config.TracerProvider.Tracer(meterName, trace.WithSchemaURL(semconv.SchemaURL)),
		duration: duration.Inst(),
	}, nil
}

// unary implements grpc.UnaryServerInterceptor: the rest of the chain runs
// inside the call's span.
func (t *callTelemetry) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, call := t.begin(ctx, info.FullMethod)
	res, err := handler(ctx, req)
	call.end(ctx, t, err)
	return res, err
}

// stream implements grpc.StreamServerInterceptor: the rest of the chain
// runs inside the call's span, which lasts as long as the stream.
func (t *callTelemetry) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, call := t.begin(ss.Context(), info.FullMethod)
	err := handler(srv, &tracedStream{ServerStream: ss, ctx: ctx})
	call.end(ctx, t, err)
	return err
}

// tracedStream is a stream whose context holds the call's span.
type tracedStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the stream's context with the call's span.
func (s *tracedStream) Context() context.Context { return s.ctx }

// tracedCall is one call in progress.
type tracedCall struct {
	method *methodTelemetry
	span   trace.Span
	start  time.Time
}

// begin starts the span of a call to fullMethod, as the child of the
// client's span when the call's metadata names one, and returns the
// context that carries it.
func (t *callTelemetry) begin(ctx context.Context, fullMethod string) (context.Context, tracedCall) {
	call := tracedCall{method: t.method(fullMethod), start: time.Now()}
	ctx = propagator.Extract(ctx, incomingHeaders{ctx})
	ctx, call.span = t.tracer.Start(ctx, call.method.name, call.method.start...)
	if call.span.IsRecording() {
		// Worked out for the sampled spans only, as otelgrpc does.
		if p, ok := peer.FromContext(ctx); ok && p.LocalAddr != nil {
			call.span.SetAttributes(serverAddress(p.LocalAddr.String())...)
		}
	}
	return ctx, call
}

// end ends the call's span with the code the client gets for err, and
// records its duration.
func (c tracedCall) end(ctx context.Context, t *callTelemetry, err error) {
	st := statusOf(err)
	code := st.Code()
	if c.span.IsRecording() {
		c.span.SetAttributes(semconv.RPCResponseStatusCode(canonicalCode(code)))
		if serverFault(code) {
			c.span.SetStatus(otelcodes.Error, st.Message())
		}
	}
	c.span.End()
	seconds := time.Since(c.start).Seconds()
	if int(code) < numCodes {
		t.duration.Record(ctx, seconds, c.method.recordWith[code]...)
		return
	}
	// A code gRPC does not define: no prepared set.
	t.duration.Record(ctx, seconds, recordOption(c.method.name, code))
}

// method returns the telemetry of fullMethod, making it at its first call.
func (t *callTelemetry) method(fullMethod string) *methodTelemetry {
	if m, ok := t.methods.Load(fullMethod); ok {
		return m.(*methodTelemetry)
	}
	m, _ := t.methods.LoadOrStore(fullMethod, newMethodTelemetry(fullMethod))
	return m.(*methodTelemetry)
}

// newMethodTelemetry prepares the span options and attribute sets of the
// method fullMethod.
func newMethodTelemetry(fullMethod string) *methodTelemetry {
	name := fullMethod
	if len(name) > 0 && name[0] == '/' {
		name = name[1:]
	}
	m := &methodTelemetry{
		name: name,
		start: []trace.SpanStartOption{
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.RPCMethod(name), semconv.RPCSystemNameGRPC),
		},
	}
	for code := range numCodes {
		m.recordWith[code] = []metric.RecordOption{recordOption(name, codes.Code(code))}
	}
	return m
}

// recordOption returns the option that records a duration for a call of
// the method name that ended with code.
func recordOption(name string, code codes.Code) metric.RecordOption {
	attrs := []attribute.KeyValue{
		semconv.RPCMethod(name),
		semconv.RPCSystemNameGRPC,
		semconv.RPCResponseStatusCode(canonicalCode(code)),
	}
	if serverFault(code) {
		attrs = append(attrs, semconv.ErrorTypeKey.String(canonicalCode(code)))
	}
	return metric.WithAttributeSet(attribute.NewSet(attrs...))
}

// canonicalCode is code's name in gRPC's protocol ("OK", "NOT_FOUND"),
// which the semantic conventions ask for, rather than Go's ("NotFound").
func canonicalCode(code codes.Code) string {
	if int(code) < len(canonicalCodes) {
		return canonicalCodes[code]
	}
	return "CODE(" + strconv.FormatUint(uint64(code), 10) + ")"
}

// canonicalCodes are the names of gRPC's codes, by number.
var canonicalCodes = [numCodes]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
	"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}

// serverAddress returns the server.address and server.port attributes of
// the address hostport the call came to.
func serverAddress(hostport string) []attribute.KeyValue {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return []attribute.KeyValue{semconv.ServerAddress(hostport)}
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return []attribute.KeyValue{semconv.ServerAddress(host)}
	}
	return []attribute.KeyValue{semconv.ServerAddress(host), semconv.ServerPort(port)}
}

// incomingHeaders lets the propagator read the headers of the call in ctx
// where they are: metadata.FromIncomingContext would copy them all for the
// two or three the propagator looks for, which most calls do not have.
type incomingHeaders struct {
	ctx context.Context
}

var _ propagation.TextMapCarrier = incomingHeaders{}

// Get returns the first value of the header key, or "".
func (h incomingHeaders) Get(key string) string {
	if values := metadata.ValueFromIncomingContext(h.ctx, key); len(values) > 0 {
		return values[0]
	}
	return ""
}

// Set does nothing: a server reads its calls' headers, it does not write
// them.
func (incomingHeaders) Set(string, string) {}

// Keys returns the names of the call's headers.
func (h incomingHeaders) Keys() []string {
	md, _ := metadata.FromIncomingContext(h.ctx)
	keys := make([]string, 0, len(md))
	for key := range md {
		keys = append(keys, key)
	}
	return keys
}
