// Command bench runs every case of final/bench, prints a table of records
// per second, ratios against the peers and latencies, and writes the same
// results as JSON. From the repository root:
//
//	go run ./final/bench/cmd/bench -json bench.json
//
// Every case runs -rounds times for about -duration after its set-up, the
// cases of a row taking turns, and its median run counts; -short runs the
// smoke scale, a check that every case works rather than a measurement.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/proglog-workshop/proglog/final/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	duration := flag.Duration("duration", time.Second, "how long to measure each case, after its set-up")
	rounds := flag.Int("rounds", 3, "how many times to run each case, the cases of a row taking turns; the median counts")
	jsonFile := flag.String("json", "", "write the results as JSON to this file")
	rows := flag.String("rows", "", "run only the rows whose ID matches this regular expression")
	short := flag.Bool("short", false, "run tiny sizes: a smoke test, not a measurement")
	flag.Parse()
	match, err := regexp.Compile(*rows)
	if err != nil {
		return fmt.Errorf("-rows: %w", err)
	}
	scale := bench.FullScale
	if *short {
		scale = bench.ShortScale
	}
	dir, err := os.MkdirTemp("", "proglog-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) // best effort: it is a temporary directory
	results := bench.Results{
		Time: time.Now().UTC(), Machine: bench.ThisMachine(), Rounds: *rounds, Seconds: duration.Seconds(),
	}
	for _, row := range bench.Rows {
		if !match.MatchString(row.ID) {
			continue
		}
		cases, stats, err := bench.RunRow(row, dir, scale, *duration, *rounds, func(c bench.Case, s bench.Stats) {
			fmt.Fprintf(os.Stderr, "%-45s %12.0f records/s\n", c.Name(), s.RecordsPerSecond())
		})
		if err != nil {
			return err
		}
		results.Rows = append(results.Rows, bench.NewRowResult(row, cases, stats))
	}
	fmt.Println()
	if err := results.WriteTable(os.Stdout); err != nil {
		return err
	}
	if *jsonFile == "" {
		return nil
	}
	f, err := os.Create(*jsonFile)
	if err != nil {
		return err
	}
	if err := results.WriteJSON(f); err != nil {
		_ = f.Close() // the write error says what went wrong
		return err
	}
	return f.Close()
}
