package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
)

// runOverlay writes the `go test -overlay` file that runs a chapter's
// reference instead of the learner's files, and prints its path, so that
//
//	go test -overlay "$(go run ./tools/workshop overlay 3)" ./...
//
// runs the reference without touching anything in the working tree.
func runOverlay(_ context.Context, _ ui, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: workshop overlay <chapter>")
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, err := resolveChapter(root, args[0])
	if err != nil {
		return err
	}
	dir := filepath.Join(os.TempDir(), "proglog-workshop", ch.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path, err := chapter.WriteOverlay(ch, dir, nil)
	if err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}
