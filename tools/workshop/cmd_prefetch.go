package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// runPrefetch downloads every module the workshop needs and builds every
// package and test once, so that a room full of learners can work offline
// from a warm module and build cache.
func runPrefetch(ctx context.Context, _ ui, _ []string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	for _, dir := range moduleDirs(root) {
		rel, _ := filepath.Rel(root, dir)
		fmt.Printf("  %s\n", rel)
		for _, args := range [][]string{
			{"mod", "download"},
			{"test", "-count=1", "-run", "^$", "./..."}, // compiles every test binary, runs none
		} {
			cmd := exec.CommandContext(ctx, "go", args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil && args[0] == "mod" {
				return fmt.Errorf("%s: go %s: %w\n%s", rel, strings.Join(args, " "), err, out)
			}
		}
	}
	fmt.Println("Every module is downloaded and built. `go env GOMODCACHE` can be copied to machines without the network.")
	return nil
}

// moduleDirs lists the directories of the workspace's modules, from go.work.
func moduleDirs(root string) []string {
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return nil
	}
	work, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		return nil
	}
	var dirs []string
	for _, use := range work.Use {
		dirs = append(dirs, filepath.Join(root, filepath.FromSlash(use.Path)))
	}
	return dirs
}
