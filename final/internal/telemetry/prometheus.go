package telemetry

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// MetricsPath is where [Prometheus.Handler] serves the metrics.
const MetricsPath = "/metrics"

// Prometheus is an OpenTelemetry meter provider whose metrics Prometheus
// scrapes over HTTP. Each Prometheus has a registry of its own, so that two
// of them in one process (two servers in one test, say) neither collide nor
// show each other's metrics. Its methods are safe for concurrent use.
type Prometheus struct {
	// MeterProvider records the metrics [Prometheus.Handler] serves: pass
	// it to server.Config.MeterProvider.
	MeterProvider *sdkmetric.MeterProvider
	// registry is the Prometheus registry of this provider's exporter, and
	// of nothing else.
	registry *prometheus.Registry
}

// NewPrometheus returns a meter provider whose reader is a Prometheus
// exporter, registered in a new registry of its own, and which
// [Prometheus.Handler] serves. opts are added to the provider's options,
// e.g. sdkmetric.WithResource to name the service. Call
// [Prometheus.Shutdown] when done with it.
func NewPrometheus(opts ...sdkmetric.Option) (*Prometheus, error) {
	// Not prometheus.DefaultRegisterer: a second exporter in the same
	// process would be registered beside the first, and a scrape of
	// either would mix both or fail.
	registry := prometheus.NewRegistry()
	reader, err := newExporter(registry)
	if err != nil {
		return nil, err
	}
	provider := sdkmetric.NewMeterProvider(append([]sdkmetric.Option{sdkmetric.WithReader(reader)}, opts...)...)
	return &Prometheus{MeterProvider: provider, registry: registry}, nil
}

// newExporter returns a reader for a meter provider that hands what the
// provider recorded to Prometheus, through a collector it registers with
// registerer. At each scrape the collector reads the provider and
// translates OpenTelemetry's names to Prometheus': dots become
// underscores, the unit is appended (proglog.produce.duration in "s"
// becomes proglog_produce_duration_seconds) and counters end in _total.
func newExporter(registerer prometheus.Registerer) (sdkmetric.Reader, error) {
	exporter, err := otelprom.New(otelprom.WithRegisterer(registerer))
	if err != nil {
		return nil, fmt.Errorf("new Prometheus exporter: %w", err)
	}
	return exporter, nil
}

// Handler returns a handler that serves the metrics, at [MetricsPath] only,
// in Prometheus' text format (or another format Prometheus asks for).
// Serve it on a listener of its own, apart from the gRPC port: metrics are
// for operators, and their listener needs neither the clients' TLS nor
// their ACL.
func (p *Prometheus) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+MetricsPath, promhttp.HandlerFor(p.registry, promhttp.HandlerOpts{}))
	return mux
}

// Shutdown flushes and stops the meter provider; the metrics it recorded
// are no longer served. It returns the provider's error, if any.
func (p *Prometheus) Shutdown(ctx context.Context) error {
	if err := p.MeterProvider.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down meter provider: %w", err)
	}
	return nil
}
