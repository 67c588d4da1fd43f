package server

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// telemetryTimeout bounds the wait for a call's span and metrics: otelgrpc
// ends them just after the response has gone out, so a test that has the
// response may be a moment early.
const telemetryTimeout = 10 * time.Second

// The names otelgrpc gives what it records, after OpenTelemetry's semantic
// conventions for RPC.
const (
	rpcDurationName = "rpc.server.call.duration"
	rpcMethodKey    = attribute.Key("rpc.method")
	rpcStatusKey    = attribute.Key("rpc.response.status_code")
)

// requireStatsHandler fails the test when telemetryOptions adds nothing.
func requireStatsHandler(t *testing.T) {
	t.Helper()
	opts, err := telemetryOptions((&Config{}).withDefaults())
	require.NoError(t, err)
	if len(opts) == 0 {
		t.Fatal("telemetryOptions adds no interceptor")
	}
}

// waitForSpan returns the first span named name that o's tracer provider
// has ended, waiting for it.
func waitForSpan(t *testing.T, o *observed, name string) tracetest.SpanStub {
	t.Helper()
	var found tracetest.SpanStub
	require.Eventually(t, func() bool {
		for _, s := range o.spans.GetSpans() {
			if s.Name == name {
				found = s
				return true
			}
		}
		return false
	}, telemetryTimeout, time.Millisecond, "no span named %s: the stats handler must make its spans with Config.TracerProvider", name)
	return found
}

// attr returns the value of the attribute key of span, as a string.
func attr(span tracetest.SpanStub, key attribute.Key) string {
	for _, kv := range span.Attributes {
		if kv.Key == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

func TestTraces(t *testing.T) {
	requireStatsHandler(t)
	srv, obs := startObservedServer(t, newLog(t))

	// Without this span the others cannot come either: stop here.
	if !t.Run("a call makes a server span named after its method, with its status", func(t *testing.T) {
		obs.spans.Reset()
		produce(t, srv.client(t), "hello")
		span := waitForSpan(t, obs, "log.v1.Log/Produce")
		require.Equal(t, trace.SpanKindServer, span.SpanKind)
		require.Equal(t, "log.v1.Log/Produce", attr(span, rpcMethodKey))
		require.Equal(t, "OK", attr(span, rpcStatusKey))
		require.Equal(t, otelcodes.Unset, span.Status.Code, "a call that succeeded is not an error")
	}) {
		return
	}

	t.Run("a refused call's span carries the code the client got", func(t *testing.T) {
		obs.spans.Reset()
		nobody := api.NewLogClient(srv.dial(t, srv.tlsAs(t, srv.certs.NobodyClientCertFile, srv.certs.NobodyClientKeyFile)))
		_, err := nobody.Consume(t.Context(), &api.ConsumeRequest{Offset: 0})
		require.Equal(t, codes.PermissionDenied.String(), status.Code(err).String())
		span := waitForSpan(t, obs, "log.v1.Log/Consume")
		require.Equal(t, "PERMISSION_DENIED", attr(span, rpcStatusKey))
	})

	t.Run("a call from a traced client joins the client's trace", func(t *testing.T) {
		obs.spans.Reset()
		clientSpans := tracetest.NewInMemoryExporter()
		clientTracer := sdktrace.NewTracerProvider(sdktrace.WithSyncer(clientSpans))
		t.Cleanup(func() { require.NoError(t, clientTracer.Shutdown(context.Background())) })
		// The client sends its span's context in the W3C traceparent
		// header, as any OpenTelemetry client does.
		client := srv.client(t, grpc.WithStatsHandler(otelgrpc.NewClientHandler(
			otelgrpc.WithTracerProvider(clientTracer),
			otelgrpc.WithPropagators(propagation.TraceContext{}),
		)))
		produce(t, client, "traced")
		serverSpan := waitForSpan(t, obs, "log.v1.Log/Produce")
		require.Len(t, clientSpans.GetSpans(), 1, "the client's call makes one client span")
		clientSpan := clientSpans.GetSpans()[0]
		require.Equal(t, clientSpan.SpanContext.TraceID(), serverSpan.SpanContext.TraceID(), "the server's span must join the client's trace: read the traceparent header with a propagator")
		require.Equal(t, clientSpan.SpanContext.SpanID(), serverSpan.Parent.SpanID(), "the server's span is the child of the client's")
	})
}

// callCount returns how many calls of method ended with code according to
// the rpc.server.call.duration histogram in rm.
func callCount(t testing.TB, rm metricdata.ResourceMetrics, method, code string) uint64 {
	t.Helper()
	var n uint64
	for _, dp := range histogram(t, rm, rpcDurationName) {
		m, _ := dp.Attributes.Value(rpcMethodKey)
		c, _ := dp.Attributes.Value(rpcStatusKey)
		if m.Emit() == method && c.Emit() == code {
			n += dp.Count
		}
	}
	return n
}

func TestCallMetrics(t *testing.T) {
	requireStatsHandler(t)
	srv, obs := startObservedServer(t, newLog(t))
	root := srv.client(t)
	for _, v := range []string{"a", "b", "c"} {
		produce(t, root, v)
	}
	_, err := root.Consume(t.Context(), &api.ConsumeRequest{Offset: 99})
	require.Equal(t, codes.OutOfRange.String(), status.Code(err).String())

	var rm metricdata.ResourceMetrics
	require.Eventually(t, func() bool {
		rm = obs.collect(t)
		return callCount(t, rm, "log.v1.Log/Produce", "OK") == 3 &&
			callCount(t, rm, "log.v1.Log/Consume", "OUT_OF_RANGE") == 1
	}, telemetryTimeout, time.Millisecond, "%s must count 3 Produce calls with OK and 1 Consume with OUT_OF_RANGE: the stats handler records with Config.MeterProvider", rpcDurationName)
	m, _ := findMetric(rm, rpcDurationName)
	require.Equal(t, "s", m.Unit)
}
