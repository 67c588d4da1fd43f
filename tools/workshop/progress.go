package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/gotest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// progress is what a chapter's exercise tests say about the learner's work.
type progress struct {
	ch   *manifest.Chapter
	done map[string]bool
	// failures holds, per unfinished exercise, its tests that did not pass,
	// in the order the manifest lists them.
	failures map[string][]failure
	// broken is set when the chapter does not build: nothing can be judged.
	broken string
}

// failure is one exercise test that did not pass, with what it printed.
type failure struct {
	test   manifest.TestID
	output string
}

// next returns the first unfinished exercise, or nil when all are done.
func (p *progress) next() *manifest.Exercise {
	for i := range p.ch.Exercises {
		if !p.done[p.ch.Exercises[i].ID] {
			return &p.ch.Exercises[i]
		}
	}
	return nil
}

func (p *progress) count() int {
	n := 0
	for _, ex := range p.ch.Exercises {
		if p.done[ex.ID] {
			n++
		}
	}
	return n
}

// measure runs the exercise tests of ch (of only the listed exercises when
// given) in the learner's tree, with -race as the chapter pages do, and
// reports which exercises pass.
func measure(ctx context.Context, ch *manifest.Chapter, only ...string) (*progress, error) {
	p := &progress{ch: ch, done: map[string]bool{}, failures: map[string][]failure{}}
	var exs []manifest.Exercise
	for _, ex := range ch.Exercises {
		if len(only) == 0 || slices.Contains(only, ex.ID) {
			exs = append(exs, ex)
		}
	}
	names, pkgs, err := testSelection(exs)
	if err != nil || len(names) == 0 {
		return p, err
	}
	run, err := gotest.Exec(ctx, gotest.Options{
		Dir: ch.Root, Module: ch.ModulePath(), Packages: pkgs, Race: true,
		Run: "^(" + strings.Join(names, "|") + ")$",
	})
	if err != nil {
		if strings.Contains(err.Error(), "-race requires cgo") {
			return nil, fmt.Errorf("%w\nthe race detector needs cgo and a C compiler: `go run ./tools/workshop doctor` says what is missing", err)
		}
		return nil, err
	}
	for pkg, out := range run.BuildErrors {
		p.broken += "package " + pkg + " does not build:\n" + out
	}
	for _, ex := range exs {
		done := p.broken == ""
		for _, t := range ex.Tests {
			id, _ := manifest.ParseTestID(t)
			r := run.Tests[id]
			if r != nil && r.Action == "pass" {
				continue
			}
			done = false
			f := failure{test: id}
			switch {
			case r != nil:
				f.output = r.Output
			default:
				// A panic ends the test binary before the test reports.
				f.output = run.PackageOutput[id.Pkg]
			}
			p.failures[ex.ID] = append(p.failures[ex.ID], f)
		}
		p.done[ex.ID] = done
	}
	return p, nil
}

// testSelection returns the -run alternatives and the package patterns that
// select the tests of exs.
func testSelection(exs []manifest.Exercise) (names, pkgs []string, err error) {
	for _, ex := range exs {
		for _, t := range ex.Tests {
			id, err := manifest.ParseTestID(t)
			if err != nil {
				return nil, nil, err
			}
			if name := regexp.QuoteMeta(id.Name); !slices.Contains(names, name) {
				names = append(names, name)
			}
			if pkg := "./" + id.Pkg; !slices.Contains(pkgs, pkg) {
				pkgs = append(pkgs, pkg)
			}
		}
	}
	return names, pkgs, nil
}

// testCommand is the go test command, run from the chapter directory, that
// runs exactly the tests of ex.
func testCommand(ex manifest.Exercise) string {
	names, pkgs, _ := testSelection([]manifest.Exercise{ex})
	run := names[0]
	if len(names) > 1 {
		run = "^(" + strings.Join(names, "|") + ")$"
	} else {
		run = "^" + run + "$"
	}
	return fmt.Sprintf("go test -race -run '%s' %s", run, strings.Join(pkgs, " "))
}
