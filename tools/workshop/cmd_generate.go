package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// runGenerate rewrites every generated file of the named chapters: learner
// stubs from .solution, the exercise table, protobuf code. It will not
// overwrite a learner file that holds someone's code in an exercise region
// unless told to with -force.
func runGenerate(ctx context.Context, _ ui, args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	force := fs.Bool("force", false, "overwrite exercise files even where they hold code other than the stub")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop generate [-force] [chapter...]\n\nRegenerates stubs, exercise tables and protobuf code from the references (for maintainers).")
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
	for _, ch := range chs {
		generated, err := chapter.Generated(ctx, ch)
		if err != nil {
			return fmt.Errorf("%s: %w", ch.Dir, err)
		}
		stale := chapter.Stale(ch, generated)
		if worked := withWork(ch, stale, generated); len(worked) > 0 && !*force {
			return fmt.Errorf("%s: %s hold code in exercise regions; regenerating would erase it.\nTo start an exercise over use `workshop reset`; to overwrite anyway, -force", ch.Dir, strings.Join(worked, ", "))
		}
		if err := chapter.Write(generated); err != nil {
			return err
		}
		for _, f := range stale {
			fmt.Printf("%s: wrote %s\n", ch.Dir, f)
		}
	}
	return nil
}

// withWork lists the stale learner files whose exercise regions differ from
// the regions about to be written: a learner's work, not an old stub.
func withWork(ch *manifest.Chapter, stale []string, generated map[string][]byte) []string {
	var worked []string
	for _, file := range stale {
		if !slices.Contains(ch.SolutionFiles(), file) {
			continue
		}
		current, err := os.ReadFile(ch.LearnerPath(file))
		if err != nil {
			continue
		}
		if !sameRegions(current, generated[ch.LearnerPath(file)]) {
			worked = append(worked, file)
		}
	}
	return worked
}

// sameRegions reports whether two learner files have the same code in
// their exercise regions (a file that does not parse counts as different).
func sameRegions(a, b []byte) bool {
	ra, errA := stub.Parse(a)
	rb, errB := stub.Parse(b)
	if errA != nil || errB != nil || len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if ra[i].ID != rb[i].ID || !slices.Equal(ra[i].Code, rb[i].Code) {
			return false
		}
	}
	return true
}
