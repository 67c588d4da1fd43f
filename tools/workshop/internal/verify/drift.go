package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// notCarried are chapter files that are the chapter's own by nature.
var notCarried = []string{"README.md", "README.ko.md", "HINTS.md", "HINTS.ko.md", "INSTRUCTOR.md", "INSTRUCTOR.ko.md", manifest.File, "go.mod", "go.sum"}

// checkDrift compares every file of the previous chapter's reference with
// the same file of this chapter's reference, module paths normalised. Files
// the manifest declares changed or removed, and generated files, are exempt.
func checkDrift(_ context.Context, ch *manifest.Chapter, _ string, _ io.Writer) ([]string, error) {
	if ch.Previous == "" {
		return nil, nil
	}
	prev, err := manifest.Load(filepath.Join(filepath.Dir(ch.Root), ch.Previous))
	if err != nil {
		return nil, fmt.Errorf("previous chapter: %w", err)
	}
	before, err := ReferenceTree(prev)
	if err != nil {
		return nil, err
	}
	after, err := ReferenceTree(ch)
	if err != nil {
		return nil, err
	}
	var problems []string
	for file, old := range before {
		if slices.Contains(ch.Removed, file) {
			if _, ok := after[file]; ok {
				problems = append(problems, fmt.Sprintf("%s is declared removed but is still here", file))
			}
			continue
		}
		if ch.IsChanged(file) || chapter.IsGenerated(old) {
			continue
		}
		now, ok := after[file]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s of %s is not carried (declare it in \"removed\" if that is meant)", file, prev.Dir))
			continue
		}
		want := bytes.ReplaceAll(old, []byte(prev.ModulePath()), []byte(ch.ModulePath()))
		if !bytes.Equal(want, now) {
			problems = append(problems, fmt.Sprintf("%s differs from %s's reference: carry the fix to both, or declare it in \"changed\"", file, prev.Dir))
		}
	}
	// carry never deletes: a file the previous chapter removed must not
	// live on here, stale, since no other proof looks at it.
	for _, file := range prev.Removed {
		if _, ok := after[file]; ok {
			problems = append(problems, fmt.Sprintf("%s was removed in %s but is still here: delete it (workshop carry does)", file, prev.Dir))
		}
	}
	for _, file := range ch.Changed {
		_, inBefore := before[strings.TrimSuffix(file, "/")]
		if !inBefore && !strings.HasSuffix(file, "/") {
			problems = append(problems, fmt.Sprintf("\"changed\" names %s, which %s does not have", file, prev.Dir))
		}
	}
	sort.Strings(problems)
	return problems, nil
}

// ReferenceTree returns the chapter's reference files (learner files with
// .solution laid over and its markers removed), keyed by chapter-relative
// slash paths, without the chapter's own pages.
func ReferenceTree(ch *manifest.Chapter) (map[string][]byte, error) {
	tree := map[string][]byte{}
	solution := filepath.Join(ch.Root, manifest.SolutionDir)
	err := filepath.WalkDir(ch.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == solution {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(ch.Root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if slices.Contains(notCarried, rel) {
			return nil
		}
		data, err := referenceFile(ch, rel)
		if err != nil {
			return err
		}
		tree[rel] = data
		return nil
	})
	return tree, err
}

// referenceFile reads one file of the reference tree.
func referenceFile(ch *manifest.Chapter, rel string) ([]byte, error) {
	data, err := os.ReadFile(ch.SolutionPath(rel))
	if os.IsNotExist(err) {
		return os.ReadFile(ch.LearnerPath(rel))
	}
	if err != nil {
		return nil, err
	}
	return stub.Reference(data)
}
