package telemetry

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	dto "github.com/prometheus/client_model/go"
)

// serveMetrics serves p.Handler on a free port of 127.0.0.1 until the test
// ends and returns its base URL.
func serveMetrics(t testing.TB, p *Prometheus) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: p.Handler()}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-served, http.ErrServerClosed)
	})
	return "http://" + ln.Addr().String()
}

// scrape reads url as Prometheus does and parses the text format.
func scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }() // read-only; nothing to flush
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %s (a scrape fails when two exporters share a registry: give each Prometheus a registry of its own)\n%s", url, res.Status, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	require.NoError(t, err)
	return families
}

// newPrometheus returns a new Prometheus, shut down when the test ends.
func newPrometheus(t testing.TB) *Prometheus {
	t.Helper()
	p, err := NewPrometheus()
	require.NoError(t, err, "each Prometheus needs a registry of its own: a second one in the same process must work")
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p
}

func TestPrometheus(t *testing.T) {
	// Two in one process, as two servers in one test binary would have.
	first, second := newPrometheus(t), newPrometheus(t)
	for p, n := range map[*Prometheus]int64{first: 1, second: 2} {
		counter, err := p.MeterProvider.Meter("test").Int64Counter("test.calls")
		require.NoError(t, err)
		counter.Add(t.Context(), n)
	}

	for p, want := range map[*Prometheus]float64{first: 1, second: 2} {
		url := serveMetrics(t, p)
		families := scrape(t, url+MetricsPath)
		family, ok := families["test_calls_total"]
		require.True(t, ok, "the scrape must show the counter test.calls as test_calls_total: serve the provider's own registry; it has %d families", len(families))
		require.Len(t, family.GetMetric(), 1, "each Prometheus shows its own metrics only: give each a registry of its own")
		require.Equal(t, want, family.GetMetric()[0].GetCounter().GetValue(), "each Prometheus shows its own metrics only: give each a registry of its own")

		res, err := http.Get(url + "/other")
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		require.Equal(t, http.StatusNotFound, res.StatusCode, "only %s is served", MetricsPath)
	}
}
