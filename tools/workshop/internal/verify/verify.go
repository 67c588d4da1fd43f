// Package verify runs the proofs that keep a chapter sound: generated files
// are fresh, both trees build and vet, the reference passes its tests (with
// -race), the learner's tree fails exactly its exercise tests with the
// expected message, each stub leaves earlier exercises alone, carried code
// has not drifted from the previous chapter, and every mutation scenario is
// caught by the tests.
//
// # Usage
//
//	report := verify.Chapter(ctx, ch, verify.Options{Out: os.Stdout})
//	if !report.OK() {
//		os.Exit(1)
//	}
package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// Options tunes a verification run.
type Options struct {
	// Out receives one line per proof as it finishes.
	Out io.Writer
	// Colour marks results in green and red for a terminal.
	Colour bool
	// Skip names proofs not to run (by Proof.Name), e.g. "mutations" while
	// iterating on a chapter.
	Skip map[string]bool
	// Detail, when set, also shows what proofs saw beyond pass or fail:
	// the failure line that caught each mutation scenario.
	Detail bool
}

// Report collects the problems of one chapter, proof by proof.
type Report struct {
	Chapter  string
	Problems []Problem
	// Passed counts the proofs that ran and found nothing wrong.
	Passed int
}

// Problem is one thing a proof found wrong.
type Problem struct {
	Proof  string
	Detail string
}

// OK reports whether every proof passed.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// proof is one check over a chapter; it returns the problems it found.
type proof struct {
	name string
	what string
	// run returns the problems found; it may write what it saw, beyond
	// pass or fail, to detail (shown with Options.Detail).
	run func(ctx context.Context, ch *manifest.Chapter, work string, detail io.Writer) ([]string, error)
}

// proofs run in this order; later ones assume the earlier ones passed, so a
// chapter that fails to build is not also reported for every test.
var proofs = []proof{
	{"manifest", "manifest, README anchors and chapter pages", checkDocs},
	{"glossary", "Korean pages use the glossary's terms", checkGlossary},
	{"generated", "generated files are fresh", checkGenerated},
	{"build", "both trees build and vet; go.mod tidy; gofmt'ed", checkBuild},
	{"reference", "reference tests pass with -race", checkReference},
	{"learner", "untouched tree fails exactly its exercise tests", checkLearner},
	{"order", "each stub leaves the earlier exercises passing", checkOrder},
	{"drift", "carried code equals the previous chapter's reference", checkDrift},
	{"mutations", "every mutation scenario is caught", checkMutations},
}

// ProofNames lists the proofs in the order they run, for --skip.
func ProofNames() []string {
	names := make([]string, len(proofs))
	for i, p := range proofs {
		names[i] = p.name
	}
	return names
}

// Chapter runs every proof on ch and reports what it found.
func Chapter(ctx context.Context, ch *manifest.Chapter, opts Options) *Report {
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	report := &Report{Chapter: ch.Dir}
	work, err := os.MkdirTemp("", "workshop-verify-")
	if err != nil {
		report.Problems = append(report.Problems, Problem{"setup", err.Error()})
		return report
	}
	defer os.RemoveAll(work)
	detail := io.Discard
	if opts.Detail {
		detail = out
	}
	broken := false
	for _, p := range proofs {
		if opts.Skip[p.name] {
			fmt.Fprintf(out, "  %s %-10s %s (skipped)\n", mark(opts.Colour, "skip"), p.name, p.what)
			continue
		}
		if broken {
			fmt.Fprintf(out, "  %s %-10s %s (not run: fix the above first)\n", mark(opts.Colour, "skip"), p.name, p.what)
			continue
		}
		start := time.Now()
		dir := filepath.Join(work, p.name)
		problems, err := func() ([]string, error) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			return p.run(ctx, ch, dir, detail)
		}()
		if err != nil {
			problems = append(problems, err.Error())
		}
		took := time.Since(start).Round(100 * time.Millisecond)
		if len(problems) == 0 {
			report.Passed++
			fmt.Fprintf(out, "  %s %-10s %s (%s)\n", mark(opts.Colour, "ok"), p.name, p.what, took)
			continue
		}
		fmt.Fprintf(out, "  %s %-10s %s (%s)\n", mark(opts.Colour, "fail"), p.name, p.what, took)
		for _, detail := range problems {
			fmt.Fprintf(out, "%s\n", indent(detail, "      "))
			report.Problems = append(report.Problems, Problem{p.name, detail})
		}
		if p.name == "build" || p.name == "generated" {
			broken = true
		}
		if ctx.Err() != nil {
			break
		}
	}
	return report
}

func mark(colour bool, kind string) string {
	text := map[string]string{"ok": "ok  ", "fail": "FAIL", "skip": "--  "}[kind]
	if !colour {
		return text
	}
	code := map[string]string{"ok": "32", "fail": "31", "skip": "33"}[kind]
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
