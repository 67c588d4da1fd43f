package verify

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/gotest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// notDone matches the one line a stub's error prints.
var notDone = regexp.MustCompile(`exercise ([0-9]+\.[0-9]+) \([^)]*\) is not done yet: see \S+README\.md#\S+`)

// checkReference runs the reference tree with -race, RaceCount times.
func checkReference(ctx context.Context, ch *manifest.Chapter, work string, _ io.Writer) ([]string, error) {
	overlay, err := chapter.WriteOverlay(ch, work, nil)
	if err != nil {
		return nil, err
	}
	run, err := gotest.Exec(ctx, gotest.Options{Dir: ch.Root, Module: ch.ModulePath(), Overlay: overlay, Race: true, Count: ch.RaceCount})
	if err != nil {
		return nil, err
	}
	problems := runProblems(run)
	for id, r := range run.Tests {
		if r.Action == "fail" {
			problems = append(problems, fmt.Sprintf("%s fails on the reference:\n%s", id, tail(r.Output, 30)))
		}
	}
	for _, ex := range ch.Exercises {
		for _, t := range ex.Tests {
			id, _ := manifest.ParseTestID(t)
			if _, ok := run.Tests[id]; !ok {
				problems = append(problems, fmt.Sprintf("exercise %s declares %s, which does not exist", ex.ID, id))
			}
		}
	}
	sort.Strings(problems)
	return problems, nil
}

// checkLearner runs the untouched learner tree: declared exercise tests
// must fail with the stub message of their exercise or an earlier one;
// every other test must pass.
func checkLearner(ctx context.Context, ch *manifest.Chapter, _ string, _ io.Writer) ([]string, error) {
	run, err := gotest.Exec(ctx, gotest.Options{Dir: ch.Root, Module: ch.ModulePath()})
	if err != nil {
		return nil, err
	}
	return expect(run, ch, func(ex manifest.Exercise) string { return "stubbed" }), nil
}

// checkOrder stands where a learner stands after each exercise: the
// exercises before it done (reference), it and the later ones stubbed. The
// earlier exercises' tests and the tests of no exercise must pass, and the
// exercise's own tests must fail with its own message.
//
// It runs only the packages that hold exercise tests. The others cannot
// tell a partly stubbed tree from a fully stubbed one that checkLearner
// already ran, and skipping them keeps a chapter's proofs within CI's time.
func checkOrder(ctx context.Context, ch *manifest.Chapter, work string, _ io.Writer) ([]string, error) {
	pkgs := exercisePackages(ch)
	found := make([][]string, len(ch.Exercises))
	errs := make([]error, len(ch.Exercises))
	inParallel(len(ch.Exercises), func(i int) {
		found[i], errs[i] = checkOrderAt(ctx, ch, i, pkgs, work)
	})
	var problems []string
	for i := range ch.Exercises {
		if errs[i] != nil {
			return problems, errs[i]
		}
		problems = append(problems, found[i]...)
	}
	return problems, nil
}

// checkOrderAt runs pkgs with the exercises before the i-th done and it
// and the later ones stubbed, and returns what is wrong there.
func checkOrderAt(ctx context.Context, ch *manifest.Chapter, i int, pkgs []string, work string) ([]string, error) {
	ex := ch.Exercises[i]
	overlay, err := partialOverlay(ch, ex, work)
	if err != nil {
		return nil, err
	}
	run, err := gotest.Exec(ctx, gotest.Options{Dir: ch.Root, Module: ch.ModulePath(), Overlay: overlay, Packages: pkgs})
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, p := range expect(run, ch, func(other manifest.Exercise) string {
		j := slices.IndexFunc(ch.Exercises, func(e manifest.Exercise) bool { return e.ID == other.ID })
		switch {
		case j < i:
			return "pass"
		case j == i:
			return "own"
		}
		return "any"
	}) {
		problems = append(problems, fmt.Sprintf("with exercises before %s done: %s", ex.ID, p))
	}
	return problems, nil
}

// exercisePackages lists the packages that hold a test of an exercise, as
// go test patterns, in the order the exercises name them.
func exercisePackages(ch *manifest.Chapter) []string {
	var pkgs []string
	for _, ex := range ch.Exercises {
		for _, t := range ex.Tests {
			id, err := manifest.ParseTestID(t)
			if err != nil {
				continue // checkDocs reports a malformed test ID
			}
			if pkg := "./" + id.Pkg; !slices.Contains(pkgs, pkg) {
				pkgs = append(pkgs, pkg)
			}
		}
	}
	return pkgs
}

// expect checks a run against what each exercise's tests should do:
// "stubbed" (fail with this or an earlier exercise's message), "own" (fail
// with this exercise's message), "pass", or "any". Tests of no exercise
// must pass.
func expect(run *gotest.Run, ch *manifest.Chapter, want func(manifest.Exercise) string) []string {
	problems := runProblems(run)
	owner := map[manifest.TestID]manifest.Exercise{}
	for _, ex := range ch.Exercises {
		for _, t := range ex.Tests {
			id, _ := manifest.ParseTestID(t)
			owner[id] = ex
		}
	}
	earlier := func(ex manifest.Exercise) []string {
		var ids []string
		for _, e := range ch.Exercises {
			ids = append(ids, e.ID)
			if e.ID == ex.ID {
				break
			}
		}
		return ids
	}
	for id, ex := range owner {
		r, ok := run.Tests[id]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s (exercise %s) did not run", id, ex.ID))
			continue
		}
		mode := want(ex)
		switch mode {
		case "pass":
			if r.Action != "pass" {
				problems = append(problems, fmt.Sprintf("%s (exercise %s) fails:\n%s", id, ex.ID, tail(r.Output, 20)))
			}
		case "own", "stubbed":
			allowed := []string{ex.ID}
			if mode == "stubbed" {
				allowed = earlier(ex)
			}
			if r.Action != "fail" {
				problems = append(problems, fmt.Sprintf("%s (exercise %s) passes on the stub: it does not test the exercise", id, ex.ID))
				continue
			}
			if m := notDone.FindStringSubmatch(r.Output); m == nil || !slices.Contains(allowed, m[1]) {
				problems = append(problems, fmt.Sprintf("%s (exercise %s) fails without saying \"exercise %s (…) is not done yet: see …\":\n%s", id, ex.ID, ex.ID, tail(r.Output, 20)))
			}
		}
	}
	for id, r := range run.Tests {
		if _, ok := owner[id]; !ok && r.Action == "fail" {
			problems = append(problems, fmt.Sprintf("%s belongs to no exercise and fails:\n%s", id, tail(r.Output, 20)))
		}
	}
	sort.Strings(problems)
	return problems
}

// runProblems reports packages that did not build or crashed outside tests.
func runProblems(run *gotest.Run) []string {
	var problems []string
	for pkg, out := range run.BuildErrors {
		problems = append(problems, fmt.Sprintf("package %s does not build:\n%s", pkg, tail(out, 20)))
	}
	for pkg, out := range run.PackageFailures {
		problems = append(problems, fmt.Sprintf("package %s fails outside any test:\n%s", pkg, tail(out, 20)))
	}
	return problems
}

// tail keeps the last n lines of out: where a test says why it failed.
func tail(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
