package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCasesSmoke runs every case at ShortScale, as a normal test, so that
// the benchmarks cannot rot: each sets up its system, runs its operation
// past the end of what it loaded (so read cases wrap around and streams
// reopen) with every one of its callers, checks what it read, and closes.
func TestCasesSmoke(t *testing.T) {
	for _, c := range Cases() {
		t.Run(c.Name(), func(t *testing.T) {
			f, err := c.Setup(t.TempDir(), ShortScale)
			require.NoError(t, err)
			n := 2*ShortScale.Records + 3
			stats, err := Measure(f.Op, n, c.Callers, f.RecordsPerOp, c.Row.Latency)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			require.Equal(t, n*f.RecordsPerOp, stats.Records)
			require.Positive(t, stats.RecordsPerSecond())
			if c.Row.Latency {
				require.Positive(t, stats.P50)
				require.GreaterOrEqual(t, stats.P99, stats.P50)
			}
		})
	}
}

// TestMeasurePercentiles checks the nearest-rank percentiles and that
// Measure runs every operation exactly once across its callers.
func TestMeasurePercentiles(t *testing.T) {
	require.Equal(t, 49, percentileIndex(100, 50))
	require.Equal(t, 98, percentileIndex(100, 99))
	require.Equal(t, 0, percentileIndex(1, 99))
	seen := make([]int, 1000)
	stats, err := Measure(func(i int) error { seen[i]++; return nil }, len(seen), 8, 2, true)
	require.NoError(t, err)
	require.Equal(t, 2000, stats.Records)
	for i, n := range seen {
		require.Equal(t, 1, n, "operation %d", i)
	}
}
