package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// runStatus shows every chapter's progress, derived from its tests.
func runStatus(ctx context.Context, args []string) error {
	_, chs, err := rootChapters(args)
	if err != nil {
		return err
	}
	c := colour(os.Stdout)
	for _, ch := range chs {
		p, err := measure(ctx, ch)
		if err != nil {
			return err
		}
		total := len(ch.Exercises)
		bar := strings.Repeat("█", p.count()) + strings.Repeat("░", total-p.count())
		line := fmt.Sprintf("%-22s %s %d/%d", ch.Dir, bar, p.count(), total)
		switch next := p.next(); {
		case p.broken != "":
			fmt.Printf("%s  %s\n", line, red(c, "does not build: run `go run ./tools/workshop check "+ch.Dir+"`"))
		case next == nil:
			fmt.Printf("%s  %s\n", line, green(c, "done"))
		default:
			fmt.Printf("%s  next: %s %s %s\n", line, bold(c, next.ID), next.Title, dim(c, "→ "+ch.Where(*next)))
		}
	}
	return nil
}
