package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// runCheck runs a chapter's exercise tests (or one exercise's) and says
// what to do next.
func runCheck(ctx context.Context, args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return errors.New("usage: workshop check <chapter> [exercise]")
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, err := resolveChapter(root, args[0])
	if err != nil {
		return err
	}
	var only []string
	if len(args) == 2 {
		if _, ok := ch.Exercise(args[1]); !ok {
			return fmt.Errorf("%s has no exercise %s", ch.Dir, args[1])
		}
		only = args[1:]
	}
	p, err := measure(ctx, ch, only...)
	if err != nil {
		return err
	}
	c := colour(os.Stdout)
	if p.broken != "" {
		fmt.Println(red(c, "The chapter does not build. Fix this first:"))
		fmt.Println(p.broken)
		for _, tip := range buildTips(p.broken) {
			fmt.Println(bold(c, "Tip: ") + tip)
		}
		return errors.New("does not build")
	}
	var first string
	for _, ex := range ch.Exercises {
		if len(only) > 0 && ex.ID != only[0] {
			continue
		}
		if p.done[ex.ID] {
			fmt.Printf("  %s %s %s\n", green(c, "✓"), ex.ID, ex.Title)
			continue
		}
		fmt.Printf("  %s %s %s\n", red(c, "✗"), ex.ID, ex.Title)
		if first == "" {
			first = ex.ID
		}
	}
	if first == "" {
		if len(only) == 0 {
			fmt.Println(green(c, "Every exercise of "+ch.Dir+" passes. Compare with the reference: go run ./tools/workshop diff mine <exercise>"))
		}
		return nil
	}
	ex, _ := ch.Exercise(first)
	fmt.Printf("\nNext: %s %s\n  read  %s\n  edit  %s\n  hint  go run ./tools/workshop hint %s\n", bold(c, ex.ID), ex.Title, ch.Where(*ex), strings.Join(ex.Files, ", "), ex.ID)
	if out := p.failing[ex.ID]; out != "" {
		fmt.Printf("\n%s\n%s\n", dim(c, "What the tests said:"), summary(out))
	}
	return fmt.Errorf("%d of %d exercises to go", len(ch.Exercises)-p.count(), len(ch.Exercises))
}

// summary picks the line of a test's output that matters: the stub's
// "not done yet" line when there is one, else the end of the output.
func summary(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "is not done yet: see") {
			return strings.TrimSpace(line)
		}
	}
	return lastLines(out, 15)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// buildTips explains the two compile errors every learner meets: a file
// whose last stub is gone still imports the exercise package, and the code
// written in place of a stub needs imports the stub did not.
func buildTips(out string) []string {
	var tips []string
	if strings.Contains(out, `/internal/exercise" imported and not used`) {
		tips = append(tips, "every stub of that file is done, so it no longer needs internal/exercise: delete that import.")
	}
	if strings.Contains(out, "undefined: ") {
		tips = append(tips, "an undefined package name (json, errors, fmt, ...) needs its import added back: the stub file kept only the imports the stub used.")
	}
	if len(tips) > 0 {
		tips = append(tips, "goimports fixes imports for you: go run golang.org/x/tools/cmd/goimports -w <file> (editors with gopls do it on save).")
	}
	return tips
}
