package server

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// debug prints, while the tests run, every log line, span and metric the
// observed servers below produce: go test -v ./internal/server -args -debug.
// PROGLOG_DEBUG=1 does the same and works with go test ./... too, whose
// other packages do not know the flag.
var debug = flag.Bool("debug", false, "print the observed servers' logs, spans and metrics to stderr")

// debugging reports whether -debug or PROGLOG_DEBUG asks for the output.
func debugging() bool {
	return *debug || os.Getenv("PROGLOG_DEBUG") != ""
}

// observed holds what an observed server wrote: its log lines, its spans
// and its metrics, kept in memory for the test to look at.
type observed struct {
	logs    *observer.ObservedLogs
	spans   *tracetest.InMemoryExporter
	metrics *sdkmetric.ManualReader

	logger         *zap.Logger
	tracerProvider *sdktrace.TracerProvider
	meterProvider  *sdkmetric.MeterProvider
}

// newObserved returns a logger and providers that keep everything in
// memory (and print it too when debugging), shut down when the test ends.
// A test that fails prints the log lines it saw.
func newObserved(t testing.TB) *observed {
	t.Helper()
	logCore, logs := observer.New(zapcore.DebugLevel)
	spans := tracetest.NewInMemoryExporter()
	metrics := sdkmetric.NewManualReader()
	traceOpts := []sdktrace.TracerProviderOption{sdktrace.WithSyncer(spans)}
	meterOpts := []sdkmetric.Option{sdkmetric.WithReader(metrics)}
	if debugging() {
		console := zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()), zapcore.Lock(os.Stderr), zapcore.DebugLevel)
		logCore = zapcore.NewTee(logCore, console)
		spanOut, err := stdouttrace.New(stdouttrace.WithWriter(os.Stderr), stdouttrace.WithPrettyPrint())
		require.NoError(t, err)
		traceOpts = append(traceOpts, sdktrace.WithSyncer(spanOut))
		// Exported once a minute, and when the provider shuts down at the
		// end of the test.
		metricOut, err := stdoutmetric.New(stdoutmetric.WithWriter(os.Stderr), stdoutmetric.WithPrettyPrint())
		require.NoError(t, err)
		meterOpts = append(meterOpts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricOut)))
	}
	o := &observed{
		logs:           logs,
		spans:          spans,
		metrics:        metrics,
		logger:         zap.New(logCore),
		tracerProvider: sdktrace.NewTracerProvider(traceOpts...),
		meterProvider:  sdkmetric.NewMeterProvider(meterOpts...),
	}
	t.Cleanup(func() {
		// Not t.Context(): it is cancelled before cleanups run.
		ctx := context.Background()
		require.NoError(t, o.tracerProvider.Shutdown(ctx))
		require.NoError(t, o.meterProvider.Shutdown(ctx))
		if t.Failed() {
			for _, e := range logs.All() {
				t.Logf("log: %s %s %v", e.Level, e.Message, e.ContextMap())
			}
		}
	})
	return o
}

// config returns a server Config that serves commitLog with authorizer and
// observes every call with o.
func (o *observed) config(commitLog CommitLog, authorizer Authorizer) *Config {
	return &Config{
		CommitLog:      commitLog,
		Authorizer:     authorizer,
		Logger:         o.logger,
		TracerProvider: o.tracerProvider,
		MeterProvider:  o.meterProvider,
	}
}

// startObservedServer is startServer with a server observed by the
// returned observed.
func startObservedServer(t testing.TB, commitLog CommitLog) (*testServer, *observed) {
	t.Helper()
	o := newObserved(t)
	return startServerWith(t, func(authorizer Authorizer) *Config { return o.config(commitLog, authorizer) }), o
}

// startServerWith serves, over mutual TLS with the example ACL, the Config
// that configure makes with that ACL, until the test ends.
func startServerWith(t testing.TB, configure func(Authorizer) *Config) *testServer {
	t.Helper()
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	authorizer, err := auth.New(aclModel, aclPolicy)
	require.NoError(t, err)
	serverTLS := config.TLSConfig{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true}
	return serveTLS(t, configure(authorizer), serverTLS, certs)
}

// collect returns what o's meter provider has recorded so far.
func (o *observed) collect(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, o.metrics.Collect(t.Context(), &rm))
	return rm
}

// findMetric returns the metric called name in rm, and whether there is
// one. An instrument nobody recorded with has no data and is not there.
func findMetric(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// counterValue returns the value of the Int64Counter called name in rm,
// summed over its attributes; 0 if nothing was recorded.
func counterValue(t testing.TB, rm metricdata.ResourceMetrics, name string) int64 {
	t.Helper()
	m, ok := findMetric(rm, name)
	if !ok {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T, want an Int64Counter", name, m.Data)
	var total int64
	for _, dp := range sum.DataPoints {
		total += dp.Value
	}
	return total
}

// histogram returns the data points of the Float64Histogram called name in
// rm; none if nothing was recorded.
func histogram(t testing.TB, rm metricdata.ResourceMetrics, name string) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	m, ok := findMetric(rm, name)
	if !ok {
		return nil
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a %T, want a Float64Histogram", name, m.Data)
	return h.DataPoints
}
