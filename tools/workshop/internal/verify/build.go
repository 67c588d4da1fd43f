package verify

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// checkBuild builds and vets both trees and checks that go.mod is tidy and
// the code gofmt'ed.
func checkBuild(ctx context.Context, ch *manifest.Chapter, work string, _ io.Writer) ([]string, error) {
	overlay, err := chapter.WriteOverlay(ch, work, nil)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, tree := range []struct{ name, overlay string }{{"learner", ""}, {"reference", overlay}} {
		for _, verb := range []string{"build", "vet"} {
			args := []string{verb}
			if tree.overlay != "" {
				args = append(args, "-overlay", tree.overlay)
			}
			args = append(args, "./...")
			if out, err := goCmd(ctx, ch.Root, args...); err != nil {
				problems = append(problems, fmt.Sprintf("%s tree: go %s failed:\n%s", tree.name, verb, out))
			}
		}
	}
	// Each chapter is a module a learner may open on its own, without go.work.
	tidy := exec.CommandContext(ctx, "go", "mod", "tidy", "-diff")
	tidy.Dir = ch.Root
	tidy.Env = append(os.Environ(), "GOWORK=off")
	if out, err := tidy.CombinedOutput(); err != nil {
		problems = append(problems, "go.mod is not tidy (run go mod tidy in the chapter):\n"+string(out))
	}
	unformatted, err := Unformatted(ch.Root)
	if err != nil {
		return problems, err
	}
	if len(unformatted) > 0 {
		problems = append(problems, "not gofmt'ed (run gofmt -w): "+strings.Join(unformatted, ", "))
	}
	return problems, nil
}

// Unformatted lists the .go files under root, .solution included, that
// gofmt would change.
func Unformatted(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		formatted, err := format.Source(src)
		if err != nil || !bytes.Equal(src, formatted) {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

func goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	return run(ctx, dir, "go", args...)
}

func run(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}
