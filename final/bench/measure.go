package bench

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Op performs operation number i of a run (0 ≤ i < n). Ops of one run are
// called from several goroutines at once when a case has several callers.
type Op func(i int) error

// Stats is what one run of an [Op] measured.
type Stats struct {
	// Ops is how many operations ran, and Records how many records they
	// handled (Ops times the records of one operation).
	Ops     int
	Records int
	// Elapsed is the wall-clock time of the whole run.
	Elapsed time.Duration
	// P50 and P99 are the median and 99th percentile of the time one
	// operation took; zero when latencies were not recorded.
	P50, P99 time.Duration
}

// RecordsPerSecond is the throughput of the run.
func (s Stats) RecordsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Records) / s.Elapsed.Seconds()
}

// Measure runs op n times from callers goroutines at once, each taking the
// next operation number until n are taken, and stops at the first error.
// recordsPerOp is how many records one operation handles. When latency is
// set it times every operation (n durations are kept, so n bounds the
// memory) and reports the percentiles.
func Measure(op Op, n, callers, recordsPerOp int, latency bool) (Stats, error) {
	if callers < 1 {
		return Stats{}, fmt.Errorf("measure: %d callers: at least one is needed", callers)
	}
	var durations []time.Duration
	if latency {
		durations = make([]time.Duration, n)
	}
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	start := time.Now()
	for range callers {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				var began time.Time
				if latency {
					began = time.Now()
				}
				if err := op(i); err != nil {
					errOnce.Do(func() { first = fmt.Errorf("operation %d: %w", i, err) })
					failed.Store(true)
					return
				}
				if latency {
					// Each i is taken by one goroutine: no two write the
					// same element.
					durations[i] = time.Since(began)
				}
			}
		})
	}
	wg.Wait()
	stats := Stats{Ops: n, Records: n * recordsPerOp, Elapsed: time.Since(start)}
	if first != nil {
		return stats, first
	}
	if latency && n > 0 {
		slices.Sort(durations)
		stats.P50 = durations[percentileIndex(n, 50)]
		stats.P99 = durations[percentileIndex(n, 99)]
	}
	return stats, nil
}

// percentileIndex returns the index of the p-th percentile among n sorted
// values (nearest rank).
func percentileIndex(n, p int) int {
	i := (n*p + 99) / 100 // ceil(n·p/100), the nearest rank
	return max(i-1, 0)
}
