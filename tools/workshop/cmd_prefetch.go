package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	workspace := moduleDirs(root)
	for _, dir := range workspace {
		if err := prefetchModule(ctx, root, dir, nil); err != nil {
			return err
		}
	}
	// The modules kept out of go.work (their dependencies would change the
	// versions the workspace builds with) build with GOWORK=off, as the
	// Makefile runs their tests.
	for _, dir := range standaloneModuleDirs(root, workspace) {
		if err := prefetchModule(ctx, root, dir, []string{"GOWORK=off"}); err != nil {
			return err
		}
	}
	fmt.Println("Every module is downloaded and built. `go env GOMODCACHE` can be copied to machines without the network.")
	return nil
}

// prefetchModule downloads the module in dir and compiles its tests,
// with env added to the environment. Only the download must succeed: a
// test that does not compile is for its author, not for the prefetch.
func prefetchModule(ctx context.Context, root, dir string, env []string) error {
	rel, _ := filepath.Rel(root, dir)
	fmt.Printf("  %s\n", rel)
	for _, args := range [][]string{
		{"mod", "download"},
		{"test", "-count=1", "-run", "^$", "./..."}, // compiles every test binary, runs none
	} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil && args[0] == "mod" {
			return fmt.Errorf("%s: go %s: %w\n%s", rel, strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// standaloneModuleDirs lists the directories under root that hold a
// go.mod but are not among the workspace's modules, leaving out test
// data and hidden directories.
func standaloneModuleDirs(root string, workspace []string) []string {
	var dirs []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable directory holds nothing to prefetch
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.Name() == "go.mod" && !d.IsDir() {
			if dir := filepath.Dir(path); !slices.Contains(workspace, dir) {
				dirs = append(dirs, dir)
			}
		}
		return nil
	})
	return dirs
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
