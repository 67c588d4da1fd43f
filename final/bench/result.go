package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// Results are the measurements of one run of the bench command: what the
// JSON file holds.
type Results struct {
	// Time is when the run started.
	Time time.Time `json:"time"`
	// Machine describes where it ran.
	Machine Machine `json:"machine"`
	// Rounds is how many times each case ran, and Seconds about how long
	// each run lasted; the median run of each case is reported.
	Rounds  int     `json:"rounds"`
	Seconds float64 `json:"seconds_per_run"`
	// Rows are the rows measured, in the order of the table.
	Rows []RowResult `json:"rows"`
}

// Machine describes where a run took place.
type Machine struct {
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
}

// ThisMachine describes the machine the process runs on.
func ThisMachine() Machine {
	return Machine{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
}

// RowResult is a row's cases measured, and the ratio of the subject to the
// peer.
type RowResult struct {
	ID     string       `json:"id"`
	Work   string       `json:"work"`
	Target float64      `json:"target"`
	Ratio  float64      `json:"ratio"`
	Met    bool         `json:"met"`
	Cases  []CaseResult `json:"cases"`
}

// CaseResult is one case measured.
type CaseResult struct {
	System           string  `json:"system"`
	Role             Role    `json:"role"`
	Callers          int     `json:"callers"`
	Records          int     `json:"records"`
	Seconds          float64 `json:"seconds"`
	RecordsPerSecond float64 `json:"records_per_second"`
	P50Millis        float64 `json:"p50_ms,omitempty"`
	P99Millis        float64 `json:"p99_ms,omitempty"`
}

// NewRowResult gathers the stats of row's cases (in the order of
// CasesOf(row)) and computes the ratio of the subject's records per second
// to the peer's.
func NewRowResult(row *Row, cases []Case, stats []Stats) RowResult {
	r := RowResult{ID: row.ID, Work: row.Work, Target: row.Target}
	var subject, peer float64
	for i, c := range cases {
		s := stats[i]
		r.Cases = append(r.Cases, CaseResult{
			System:           c.System,
			Role:             c.Role,
			Callers:          c.Callers,
			Records:          s.Records,
			Seconds:          s.Elapsed.Seconds(),
			RecordsPerSecond: s.RecordsPerSecond(),
			P50Millis:        millis(s.P50),
			P99Millis:        millis(s.P99),
		})
		switch c.Role {
		case Subject:
			subject = s.RecordsPerSecond()
		case Peer:
			peer = s.RecordsPerSecond()
		}
	}
	if peer > 0 {
		r.Ratio = subject / peer
	}
	r.Met = r.Ratio >= r.Target
	return r
}

// millis converts d to milliseconds, to the microsecond.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// WriteJSON writes r as indented JSON.
func (r Results) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write results as JSON: %w", err)
	}
	return nil
}

// WriteTable writes r as a table a person reads: per row, its work, the
// ratio against the target, and each case's records per second and
// latencies.
func (r Results) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "work\tsystem\trole\tcallers\trecords/s\tp50 ms\tp99 ms\tratio\ttarget\t\n")
	for _, row := range r.Rows {
		for i, c := range row.Cases {
			work, ratio, target := "", "", ""
			if i == 0 {
				work = row.Work
				ratio = fmt.Sprintf("%.2f×", row.Ratio)
				target = fmt.Sprintf("≥ %.1f× %s", row.Target, metMark(row.Met))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n",
				work, c.System, c.Role, c.Callers, thousands(c.RecordsPerSecond),
				latency(c.P50Millis), latency(c.P99Millis), ratio, target)
		}
	}
	return tw.Flush()
}

// metMark says whether a target was met.
func metMark(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

// latency formats a latency in milliseconds, or nothing when there is none.
func latency(ms float64) string {
	if ms == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", ms)
}

// thousands formats v rounded to a whole number, with commas between
// groups of three digits.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}
