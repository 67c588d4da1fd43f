package bench

import "testing"

// Report adds the run's records per second, and its latencies when it has
// them, to b's output.
func Report(b *testing.B, s Stats) {
	b.ReportMetric(s.RecordsPerSecond(), "records/s")
	if s.P50 > 0 {
		b.ReportMetric(float64(s.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(s.P99.Microseconds())/1000, "p99-ms")
	}
}
