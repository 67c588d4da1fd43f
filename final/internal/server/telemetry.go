package server

import (
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc"
)

// propagator reads the trace a client's call belongs to from the call's
// metadata (the W3C traceparent header, and baggage), so that the server's
// span joins the client's trace instead of starting one of its own.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// telemetryOptions returns the server options that trace and measure every
// call: an otelgrpc stats handler that makes a server span per call, named
// after the method ("log.v1.Log/Produce") and carrying the status code,
// with config.TracerProvider, and records gRPC's call metrics with
// config.MeterProvider. Both providers must be set (see
// [Config.withDefaults]). Nothing global is used: not otel's providers,
// not its propagator.
func telemetryOptions(config *Config) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.StatsHandler(otelgrpc.NewServerHandler(
			otelgrpc.WithTracerProvider(config.TracerProvider),
			otelgrpc.WithMeterProvider(config.MeterProvider),
			otelgrpc.WithPropagators(propagator),
		)),
	}
}
