package verify

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// partialOverlay writes an overlay for the reference tree with only ex
// stubbed. Where ex edits a .proto file, the learner's generated code (made
// from the stubbed .proto) stands in for the reference's.
func partialOverlay(_ context.Context, ch *manifest.Chapter, ex manifest.Exercise, work string) (string, error) {
	dir := filepath.Join(work, "partial-"+ex.ID)
	replace := map[string]string{}
	for _, file := range ex.Files {
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
			Go:     strings.HasSuffix(file, ".go"),
			Import: ch.ModulePath() + "/internal/exercise",
			Only:   ex.ID,
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
