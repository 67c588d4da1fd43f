package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// chapterDir matches chapter directory names: ch01-json-http ... ch09-balancing.
var chapterDir = regexp.MustCompile(`^ch([0-9]{2})-[a-z0-9-]+$`)

// repoRoot finds the repository root: the nearest directory at or above the
// working directory with a go.work file and tools/workshop in it.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "tools", "workshop")); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", &localized{
				en: "not inside the workshop repository (no go.work with tools/workshop above here)",
				ko: "워크숍 저장소 안이 아닙니다(위쪽에 tools/workshop이 있는 go.work가 없습니다)",
			}
		}
	}
}

// chapters lists the chapter directories of the repository, in order.
func chapters(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && chapterDir.MatchString(e.Name()) {
			if _, err := os.Stat(filepath.Join(root, e.Name(), manifest.File)); err == nil {
				dirs = append(dirs, e.Name())
			}
		}
	}
	sort.Strings(dirs)
	return dirs, nil
}

// resolveChapter accepts "ch03-log", "3", "03" or "ch03" and loads it.
func resolveChapter(root, name string) (*manifest.Chapter, error) {
	dirs, err := chapters(root)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSuffix(filepath.Base(name), "/")
	for _, d := range dirs {
		num := chapterDir.FindStringSubmatch(d)[1]
		if d == name || "ch"+num == name || num == name || strings.TrimLeft(num, "0") == name {
			return manifest.Load(filepath.Join(root, d))
		}
	}
	return nil, &localized{
		en: fmt.Sprintf("no chapter %q (chapters: %s)", name, strings.Join(dirs, ", ")),
		ko: fmt.Sprintf("없는 장입니다: %q(있는 장: %s)", name, strings.Join(dirs, ", ")),
	}
}

// loadChapters resolves names, or every chapter when there are none.
func loadChapters(root string, names []string) ([]*manifest.Chapter, error) {
	if len(names) == 0 {
		var err error
		if names, err = chapters(root); err != nil {
			return nil, err
		}
	}
	var chs []*manifest.Chapter
	for _, n := range names {
		ch, err := resolveChapter(root, n)
		if err != nil {
			return nil, err
		}
		chs = append(chs, ch)
	}
	return chs, nil
}

// rootChapters finds the repository and resolves chapter names in it.
func rootChapters(names []string) (string, []*manifest.Chapter, error) {
	root, err := repoRoot()
	if err != nil {
		return "", nil, err
	}
	chs, err := loadChapters(root, names)
	return root, chs, err
}

// findExercise resolves "3.2" to its chapter and exercise.
func findExercise(root, id string) (*manifest.Chapter, *manifest.Exercise, error) {
	num, _, ok := strings.Cut(id, ".")
	if !ok {
		return nil, nil, &localized{
			en: fmt.Sprintf("%q is not an exercise number like 3.2", id),
			ko: fmt.Sprintf("실습 번호는 3.2처럼 씁니다: %q", id),
		}
	}
	ch, err := resolveChapter(root, num)
	if err != nil {
		return nil, nil, err
	}
	ex, ok := ch.Exercise(id)
	if !ok {
		var ids []string
		for _, e := range ch.Exercises {
			ids = append(ids, e.ID)
		}
		return nil, nil, &localized{
			en: fmt.Sprintf("%s has no exercise %s (it has %s)", ch.Dir, id, strings.Join(ids, ", ")),
			ko: fmt.Sprintf("%s에 없는 실습입니다: %s(있는 실습: %s)", ch.Dir, id, strings.Join(ids, ", ")),
		}
	}
	return ch, ex, nil
}
