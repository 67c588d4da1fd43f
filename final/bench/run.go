package bench

import (
	"fmt"
	"os"
	"time"
)

// maxOps bounds the operations of one run: a log case appending 1 KiB
// records at a million a second writes a gigabyte in that many.
const maxOps = 1_000_000

// RunCase sets up c in a new directory under dir and measures it for about
// d: a probe of a few operations estimates the rate, then a run of as many
// operations as fit in d at that rate (between one per caller and maxOps)
// is the result. The directory is removed afterwards.
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

// measureFor measures f's operation for about d (see RunCase).
func measureFor(c Case, f *Fixture, d time.Duration) (Stats, error) {
	probe, err := Measure(f.Op, 10*c.Callers, c.Callers, f.RecordsPerOp, false)
	if err != nil {
		return Stats{}, fmt.Errorf("probe: %w", err)
	}
	perOp := probe.Elapsed / time.Duration(probe.Ops)
	n := maxOps
	if perOp > 0 {
		n = int(min(int64(d/perOp), maxOps))
	}
	return Measure(f.Op, max(n, c.Callers), c.Callers, f.RecordsPerOp, c.Row.Latency)
}
