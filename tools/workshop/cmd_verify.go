package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/verify"
)

// runVerify runs every proof on the named chapters (all when none) and
// fails if any proof fails.
func runVerify(ctx context.Context, _ ui, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	skip := fs.String("skip", "", "comma-separated proofs not to run: "+strings.Join(verify.ProofNames(), ", "))
	detail := fs.Bool("v", false, "also print the failure line that caught each mutation scenario")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop verify [-skip proofs] [-v] [chapter...]\n\nRuns every proof of workshop.md on the chapters (all when none are named).")
		fs.PrintDefaults()
	}
	names, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	_, chs, err := rootChapters(names)
	if err != nil {
		return err
	}
	opts := verify.Options{Out: os.Stdout, Colour: colour(os.Stdout), Skip: map[string]bool{}, Detail: *detail}
	for _, s := range strings.Split(*skip, ",") {
		if s != "" {
			opts.Skip[s] = true
		}
	}
	var failed []string
	passed, problems := 0, 0
	start := time.Now()
	for _, ch := range chs {
		fmt.Printf("%s\n", bold(opts.Colour, ch.Dir))
		report := verify.Chapter(ctx, ch, opts)
		if !report.OK() {
			failed = append(failed, ch.Dir)
		}
		passed += report.Passed
		problems += len(report.Problems)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	fmt.Printf("%d chapters in %s\n", len(chs), time.Since(start).Round(time.Second))
	// The closing line counts proofs the way test runners count tests.
	fmt.Printf("verify: %d passed, %d failed\n", passed, problems)
	if len(failed) > 0 {
		return fmt.Errorf("verify failed for %s", strings.Join(failed, ", "))
	}
	return nil
}
