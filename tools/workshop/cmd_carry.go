package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/verify"
)

// runCarry copies the previous chapter's reference into a chapter: every
// file the chapter does not declare changed or removed, module path
// rewritten; and it deletes the files the previous chapter removed. After
// a fix to a chapter, carry it forward chapter by chapter (`carry 4`,
// `carry 5`, ...) and run `generate`.
func runCarry(_ context.Context, _ ui, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: workshop carry <chapter...>")
	}
	root, chs, err := rootChapters(args)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if ch.Previous == "" {
			return fmt.Errorf("%s carries nothing: it has no previous chapter", ch.Dir)
		}
		prev, err := manifest.Load(filepath.Join(root, ch.Previous))
		if err != nil {
			return err
		}
		tree, err := verify.ReferenceTree(prev)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(tree))
		for name := range tree {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			content := tree[name]
			if ch.IsChanged(name) || slices.Contains(ch.Removed, name) || chapter.IsGenerated(content) {
				continue
			}
			content = bytes.ReplaceAll(content, []byte(prev.ModulePath()), []byte(ch.ModulePath()))
			path := ch.LearnerPath(name)
			if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				return err
			}
			fmt.Printf("%s: carried %s from %s\n", ch.Dir, name, prev.Dir)
		}
		if err := deleteRemoved(ch, prev); err != nil {
			return err
		}
	}
	return nil
}

// deleteRemoved deletes from ch the files that prev removed, learner and
// reference copies both: they came from an earlier chapter, and copying
// alone would leave them behind.
func deleteRemoved(ch, prev *manifest.Chapter) error {
	for _, name := range prev.Removed {
		for _, path := range []string{ch.LearnerPath(name), ch.SolutionPath(name)} {
			err := os.Remove(path)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			fmt.Printf("%s: deleted %s, which %s removed\n", ch.Dir, name, prev.Dir)
		}
	}
	return nil
}
