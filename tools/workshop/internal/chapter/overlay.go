package chapter

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// WriteOverlay writes, into dir, a `go build -overlay` file that turns the
// learner's tree into the reference tree: every file under .solution
// replaces (or adds) the file at the same place in the chapter. replace
// maps chapter-relative paths to other files to use instead (the mutation
// scenarios use it). It returns the overlay file's path.
func WriteOverlay(ch *manifest.Chapter, dir string, replace map[string]string) (string, error) {
	overlay := struct{ Replace map[string]string }{Replace: map[string]string{}}
	solution := filepath.Join(ch.Root, manifest.SolutionDir)
	err := filepath.WalkDir(solution, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(solution, p)
		if err != nil {
			return err
		}
		overlay.Replace[filepath.Join(ch.Root, rel)] = p
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return "", err
	}
	for rel, alt := range replace {
		overlay.Replace[ch.LearnerPath(rel)] = alt
	}
	data, err := json.MarshalIndent(overlay, "", "\t")
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, "overlay.json")
	return file, os.WriteFile(file, data, 0o644)
}
