package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// runStatus shows every chapter's progress, derived from its tests.
func runStatus(ctx context.Context, u ui, args []string) error {
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
			fmt.Printf("%s  %s\n", line, red(c, u.t("does not build: run", "빌드되지 않음: 실행하세요")+" `go run ./tools/workshop check "+ch.Dir+"`"))
		case next == nil:
			fmt.Printf("%s  %s\n", line, green(c, u.t("done", "완료")))
		default:
			fmt.Printf("%s  %s %s %s %s\n", line, u.t("next:", "다음:"), bold(c, next.ID), exerciseTitle(u, *next), dim(c, "→ "+ch.Where(*next, u.ko)))
		}
	}
	return nil
}
