package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	dto "github.com/prometheus/client_model/go"

	"github.com/proglog-workshop/proglog/final/internal/telemetry"
)

// scrapeText returns what Prometheus reads at url, and its parse.
func scrapeText(t testing.TB, url string) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }() // read-only; nothing to flush
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "GET %s: %s", url, body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	require.NoError(t, err, "the endpoint must serve Prometheus' text format")
	return string(body), families
}

// sample returns the metric of family name whose labels include labels,
// from families; nil if there is none.
func sample(families map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	for _, m := range families[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range labels {
			match = match && have[k] == v
		}
		if match {
			return m
		}
	}
	return nil
}

// TestScrape runs a server whose metrics go to Prometheus, makes ten
// produces, and reads /metrics over HTTP as Prometheus would.
// go test -v -run TestScrape ./internal/server shows the scrape.
func TestScrape(t *testing.T) {
	prom, err := telemetry.NewPrometheus()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, prom.Shutdown(context.Background())) })
	srv := startServerWith(t, func(authorizer Authorizer) *Config {
		return &Config{CommitLog: newLog(t), Authorizer: authorizer, MeterProvider: prom.MeterProvider}
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	metrics := &http.Server{Handler: prom.Handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- metrics.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, metrics.Close())
		require.ErrorIs(t, <-served, http.ErrServerClosed)
	})
	url := "http://" + ln.Addr().String() + telemetry.MetricsPath

	client := srv.client(t)
	bytes := 0
	for i := range 10 {
		value := fmt.Sprintf("record %d", i)
		bytes += len(value)
		produce(t, client, value)
	}

	// The call metrics are recorded just after each response goes out:
	// scrape until the tenth is in.
	var text string
	var families map[string]*dto.MetricFamily
	produceCalls := map[string]string{"rpc_method": "log.v1.Log/Produce", "rpc_response_status_code": "OK"}
	require.Eventually(t, func() bool {
		text, families = scrapeText(t, url)
		m := sample(families, "rpc_server_call_duration_seconds", produceCalls)
		return m.GetHistogram().GetSampleCount() == 10
	}, telemetryTimeout, 10*time.Millisecond, "rpc_server_call_duration_seconds must count 10 produces with code OK: serve the provider's own registry")
	t.Logf("GET %s after 10 produces:\n%s", url, text)

	scope := map[string]string{"otel_scope_name": meterName}
	require.Equal(t, 10.0, sample(families, "proglog_produce_records_total", scope).GetCounter().GetValue())
	require.Equal(t, float64(bytes), sample(families, "proglog_produce_size_bytes_total", scope).GetCounter().GetValue())
	durations := sample(families, "proglog_produce_duration_seconds", scope).GetHistogram()
	require.EqualValues(t, 10, durations.GetSampleCount())
	require.Positive(t, durations.GetSampleSum())
}
