package verify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// partialOverlay writes an overlay for the tree a learner has after
// finishing the exercises before ex: those are the reference, ex and the
// later ones are stubs. Where a stubbed exercise edits a .proto file, the
// learner's generated code (made from the stubbed .proto) stands in for the
// reference's.
func partialOverlay(ch *manifest.Chapter, ex manifest.Exercise, work string) (string, error) {
	dir := filepath.Join(work, "partial-"+ex.ID)
	replace := map[string]string{}
	stubbed := map[string]bool{}
	var files []string
	for _, e := range ch.Exercises[slices.IndexFunc(ch.Exercises, func(e manifest.Exercise) bool { return e.ID == ex.ID }):] {
		stubbed[e.ID] = true
		for _, f := range e.Files {
			if !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	for _, file := range files {
		src, err := os.ReadFile(ch.SolutionPath(file))
		if err != nil {
			return "", err
		}
		if strings.HasSuffix(file, ".proto") {
			for _, gen := range []string{".pb.go", "_grpc.pb.go"} {
				name := strings.TrimSuffix(file, ".proto") + gen
				if _, err := os.Stat(ch.LearnerPath(name)); err == nil {
					replace[name] = ch.LearnerPath(name)
				}
			}
			continue
		}
		partial, err := stub.Learner(src, stub.Options{
			Go:      strings.HasSuffix(file, ".go"),
			Import:  ch.ModulePath() + "/internal/exercise",
			Stubbed: func(id string) bool { return stubbed[id] },
		})
		if err != nil {
			return "", err
		}
		path := filepath.Join(dir, filepath.FromSlash(file))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, partial, 0o644); err != nil {
			return "", err
		}
		replace[file] = path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return chapter.WriteOverlay(ch, dir, replace)
}
