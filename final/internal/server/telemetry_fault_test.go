package server

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestTelemetryOfAServerFault checks what the interceptors record for a
// call that fails through the server's fault, as otelgrpc's stats handler
// did: the span's status is Error with the status's message, its
// rpc.response.status_code is the code's protocol name, and the duration
// carries error.type; a client's fault (NotFound) is neither.
func TestTelemetryOfAServerFault(t *testing.T) {
	o := newObserved(t)
	calls, err := newCallTelemetry(o.config(newLog(t), nil).withDefaults())
	require.NoError(t, err)

	for _, c := range []struct {
		method string
		err    error
		fault  bool
	}{
		{"/log.v1.Log/Produce", status.Error(codes.Internal, "disk on fire"), true},
		{"/log.v1.Log/Consume", status.Error(codes.NotFound, "no such record"), false},
	} {
		_, err := calls.unary(t.Context(), nil, &grpc.UnaryServerInfo{FullMethod: c.method}, func(ctx context.Context, _ any) (any, error) {
			require.True(t, trace.SpanFromContext(ctx).SpanContext().IsValid(), "the handler must run inside the call's span")
			return nil, c.err
		})
		require.Equal(t, c.err, err, "the interceptor must return the handler's error as it is")

		span := waitForSpan(t, o, c.method[1:])
		code := canonicalCode(status.Code(c.err))
		require.Equal(t, code, attr(span, rpcStatusKey))
		dp := histogram(t, o.collect(t), rpcDurationName)
		var found bool
		for _, p := range dp {
			m, _ := p.Attributes.Value(rpcMethodKey)
			if m.Emit() != c.method[1:] {
				continue
			}
			found = true
			errType, hasErrType := p.Attributes.Value("error.type")
			require.Equal(t, c.fault, hasErrType, "error.type is for the server's faults only")
			if c.fault {
				require.Equal(t, code, errType.Emit())
			}
		}
		require.True(t, found, "no duration recorded for %s", c.method)
		if c.fault {
			require.Equal(t, otelcodes.Error, span.Status.Code)
			require.Equal(t, "disk on fire", span.Status.Description)
		} else {
			require.Equal(t, otelcodes.Unset, span.Status.Code)
		}
	}
	require.Equal(t, "CANCELLED", canonicalCode(codes.Canceled))
	require.Equal(t, "CODE(99)", canonicalCode(99))
}
