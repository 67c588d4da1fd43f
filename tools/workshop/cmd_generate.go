package main

import (
	"context"
	"fmt"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
)

// runGenerate rewrites every generated file of the named chapters: learner
// stubs from .solution, the exercise table, protobuf code.
func runGenerate(ctx context.Context, args []string) error {
	_, chs, err := rootChapters(args)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		generated, err := chapter.Generated(ctx, ch)
		if err != nil {
			return fmt.Errorf("%s: %w", ch.Dir, err)
		}
		stale := chapter.Stale(ch, generated)
		if err := chapter.Write(generated); err != nil {
			return err
		}
		for _, f := range stale {
			fmt.Printf("%s: wrote %s\n", ch.Dir, f)
		}
	}
	return nil
}
