package main

import (
	"context"
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
	// failing holds, per unfinished exercise, the output of its first
	// failing test.
	failing map[string]string
	// broken is set when the chapter does not build: nothing can be judged.
	broken string
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
// given) in the learner's tree and reports which exercises pass.
func measure(ctx context.Context, ch *manifest.Chapter, only ...string) (*progress, error) {
	p := &progress{ch: ch, done: map[string]bool{}, failing: map[string]string{}}
	var names, pkgs []string
	for _, ex := range ch.Exercises {
		if len(only) > 0 && !slices.Contains(only, ex.ID) {
			continue
		}
		for _, t := range ex.Tests {
			id, err := manifest.ParseTestID(t)
			if err != nil {
				return nil, err
			}
			names = append(names, regexp.QuoteMeta(id.Name))
			if pkg := "./" + id.Pkg; !slices.Contains(pkgs, pkg) {
				pkgs = append(pkgs, pkg)
			}
		}
	}
	if len(names) == 0 {
		return p, nil
	}
	run, err := gotest.Exec(ctx, gotest.Options{
		Dir: ch.Root, Module: ch.ModulePath(), Packages: pkgs,
		Run: "^(" + strings.Join(names, "|") + ")$",
	})
	if err != nil {
		return nil, err
	}
	for pkg, out := range run.BuildErrors {
		p.broken += "package " + pkg + " does not build:\n" + out
	}
	for _, ex := range ch.Exercises {
		if len(only) > 0 && !slices.Contains(only, ex.ID) {
			continue
		}
		done := p.broken == ""
		for _, t := range ex.Tests {
			id, _ := manifest.ParseTestID(t)
			r := run.Tests[id]
			if r == nil || r.Action != "pass" {
				done = false
				if _, ok := p.failing[ex.ID]; !ok && r != nil {
					p.failing[ex.ID] = r.Output
				}
				if r == nil {
					if out := run.PackageOutput[id.Pkg]; out != "" {
						p.failing[ex.ID] = out
					}
				}
			}
		}
		p.done[ex.ID] = done
	}
	return p, nil
}
