package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"iter"
	"os"
	"strings"
	"time"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/verify"
)

// runVerify runs every proof on the named chapters (all when none) and
// fails if any proof fails.
func runVerify(ctx context.Context, _ ui, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	skip := fs.String("skip", "", "comma-separated proofs not to run: "+strings.Join(verify.ProofNames(), ", "))
	detail := fs.Bool("v", false, "also print the failure line that caught each mutation scenario")
	atOnce := fs.Int("j", 2, "how many chapters to check at the same time")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop verify [-skip proofs] [-v] [-j n] [chapter...]\n\nRuns every proof of workshop.md on the chapters (all when none are named).")
		fs.PrintDefaults()
	}
	names, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *atOnce < 1 {
		return fmt.Errorf("-j %d: check at least one chapter at a time", *atOnce)
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
	for i, done := range verifyChapters(ctx, chs, opts, *atOnce) {
		fmt.Printf("%s\n", bold(opts.Colour, chs[i].Dir))
		os.Stdout.Write(done.output)
		if !done.report.OK() {
			failed = append(failed, chs[i].Dir)
		}
		passed += done.report.Passed
		problems += len(done.report.Problems)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fmt.Printf("%d chapters in %s\n", len(chs), time.Since(start).Round(time.Second))
	// The closing line counts proofs the way test runners count tests.
	fmt.Printf("verify: %d passed, %d failed\n", passed, problems)
	if len(failed) > 0 {
		return fmt.Errorf("verify failed for %s", strings.Join(failed, ", "))
	}
	return nil
}

// verifiedChapter is one chapter's report and the lines its proofs printed.
type verifiedChapter struct {
	report *verify.Report
	output []byte
}

// verifyChapters checks chs, atOnce at a time, and yields each chapter's
// result in the order of chs as soon as it and those before it are done.
// Chapters start in order too, so the first results come early. Two at
// once keep a 2-core machine busy: much of a proof is linking (one core)
// or tests waiting on timers and the network; the chapters' tests are
// written to hold their deadlines with another chapter running beside
// them.
func verifyChapters(ctx context.Context, chs []*manifest.Chapter, opts verify.Options, atOnce int) iter.Seq2[int, verifiedChapter] {
	results := make([]chan verifiedChapter, len(chs))
	for i := range results {
		results[i] = make(chan verifiedChapter, 1)
	}
	go func() {
		slots := make(chan struct{}, atOnce)
		for i, ch := range chs {
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				var out bytes.Buffer
				chOpts := opts
				chOpts.Out = &out
				report := verify.Chapter(ctx, ch, chOpts)
				results[i] <- verifiedChapter{report: report, output: out.Bytes()}
			}()
		}
	}()
	return func(yield func(int, verifiedChapter) bool) {
		for i := range chs {
			if !yield(i, <-results[i]) {
				return
			}
		}
	}
}
