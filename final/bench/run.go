package bench

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"time"
)

// maxOps bounds the operations of one run: a log case appending 1 KiB
// records at a million a second writes a gigabyte in that many.
const maxOps = 1_000_000

// RunCase sets up c in a new directory under dir and measures it for about
// d (see measureFor). The directory is removed afterwards.
func RunCase(c Case, dir string, s Scale, d time.Duration) (Stats, error) {
	caseDir, err := os.MkdirTemp(dir, "case-")
	if err != nil {
		return Stats{}, fmt.Errorf("%s: %w", c.Name(), err)
	}
	defer os.RemoveAll(caseDir) // best effort: the caller's dir is temporary too
	f, err := c.Setup(caseDir, s)
	if err != nil {
		return Stats{}, fmt.Errorf("%s: set up: %w", c.Name(), err)
	}
	stats, err := measureFor(c, f, d)
	if closeErr := f.Close(); err == nil && closeErr != nil {
		err = fmt.Errorf("close: %w", closeErr)
	}
	if err != nil {
		return Stats{}, fmt.Errorf("%s: %w", c.Name(), err)
	}
	return stats, nil
}

// measureFor measures f's operation for about d (see RunCase): like go
// test -bench, it runs a few operations, then runs again with more, sized
// from the rate so far, until a run lasts d or reaches maxOps. Only the
// last run counts: the first operations of a case (a stream opening, a
// file being mapped) or a burst of records already received would
// otherwise count for too much.
func measureFor(c Case, f *Fixture, d time.Duration) (Stats, error) {
	n := 10 * c.Callers
	for {
		stats, err := Measure(f.Op, n, c.Callers, f.RecordsPerOp, c.Row.Latency)
		if err != nil || stats.Elapsed >= d || n >= maxOps {
			return stats, err
		}
		// Aim 20% past d, grow at least twofold and at most a hundredfold.
		predicted := float64(n) * 1.2 * float64(d) / float64(max(stats.Elapsed, time.Microsecond))
		n = int(min(max(predicted, 2*float64(n)), 100*float64(n), maxOps))
	}
}

// RunRow measures every case of row rounds times, the cases taking turns
// (subject, peer, limit, subject, peer, …), and keeps for each case the
// run with the median records per second. On a machine shared with other
// work, the load changes from one second to the next: taking turns spreads
// it over every case of the row, and the median drops the runs it hit
// hardest. progress, if not nil, is called after every run.
func RunRow(row *Row, dir string, s Scale, d time.Duration, rounds int, progress func(Case, Stats)) ([]Case, []Stats, error) {
	cases := CasesOf(row)
	runs := make([][]Stats, len(cases))
	for range max(rounds, 1) {
		for i, c := range cases {
			stats, err := RunCase(c, dir, s, d)
			if err != nil {
				return nil, nil, err
			}
			if progress != nil {
				progress(c, stats)
			}
			runs[i] = append(runs[i], stats)
		}
	}
	medians := make([]Stats, len(cases))
	for i, r := range runs {
		slices.SortFunc(r, func(a, b Stats) int {
			return cmp.Compare(a.RecordsPerSecond(), b.RecordsPerSecond())
		})
		medians[i] = r[len(r)/2]
	}
	return cases, medians, nil
}
