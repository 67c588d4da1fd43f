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
func runVerify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	skip := fs.String("skip", "", "comma-separated proofs not to run: "+strings.Join(verify.ProofNames(), ", "))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop verify [-skip proofs] [chapter...]\n\nRuns every proof of workshop.md on the chapters (all when none are named).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	chs, err := loadChapters(root, fs.Args())
	if err != nil {
		return err
	}
	opts := verify.Options{Out: os.Stdout, Colour: colour(os.Stdout), Skip: map[string]bool{}}
	for _, s := range strings.Split(*skip, ",") {
		if s != "" {
			opts.Skip[s] = true
		}
	}
	var failed []string
	start := time.Now()
	for _, ch := range chs {
		fmt.Printf("%s\n", bold(opts.Colour, ch.Dir))
		if report := verify.Chapter(ctx, ch, opts); !report.OK() {
			failed = append(failed, ch.Dir)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	took := time.Since(start).Round(time.Second)
	if len(failed) > 0 {
		return fmt.Errorf("verify failed for %s (%s)", strings.Join(failed, ", "), took)
	}
	fmt.Printf("verify: %d chapters, every proof passed (%s)\n", len(chs), took)
	return nil
}
