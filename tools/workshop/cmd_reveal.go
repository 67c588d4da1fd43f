package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// runReveal prints the reference code of one exercise. It waits until the
// exercise's tests pass, so that the answer is a comparison, not a shortcut,
// unless the learner insists with -force.
func runReveal(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reveal", flag.ContinueOnError)
	force := fs.Bool("force", false, "show the reference even though the exercise's tests do not pass yet")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop reveal [-force] <exercise>\n\nPrints the reference solution of an exercise once its tests pass.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("which exercise?")
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, ex, err := findExercise(root, fs.Arg(0))
	if err != nil {
		return err
	}
	if !*force {
		p, err := measure(ctx, ch, ex.ID)
		if err != nil {
			return err
		}
		if !p.done[ex.ID] {
			return fmt.Errorf("exercise %s does not pass yet; try `go run ./tools/workshop hint %s` first, or add -force to see the answer anyway", ex.ID, ex.ID)
		}
	}
	c := colour(os.Stdout)
	for _, file := range ex.Files {
		src, err := os.ReadFile(ch.SolutionPath(file))
		if err != nil {
			return err
		}
		regions, err := stub.Parse(src)
		if err != nil {
			return err
		}
		for _, r := range regions {
			if r.ID != ex.ID {
				continue
			}
			fmt.Printf("%s\n%s\n\n", dim(c, fmt.Sprintf("── %s/%s, line %d ──", ch.Dir, file, r.Start)), strings.Join(r.Code, "\n"))
		}
	}
	return nil
}
