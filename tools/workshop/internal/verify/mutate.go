package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/gotest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/protoc"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// checkMutations applies each mutation scenario to the reference and runs
// its tests: at least one must fail, and the failures must print the
// scenario's message, the words that lead a learner to the mistake.
func checkMutations(ctx context.Context, ch *manifest.Chapter, work string, detail io.Writer) ([]string, error) {
	type scenario struct {
		exercise string
		m        manifest.Mutation
		caught   string
		problem  string
		err      error
	}
	var scenarios []*scenario
	for _, ex := range ch.Exercises {
		for _, m := range ex.Mutation {
			scenarios = append(scenarios, &scenario{exercise: ex.ID, m: m})
		}
	}
	inParallel(len(scenarios), func(i int) {
		s := scenarios[i]
		s.caught, s.problem, s.err = mutate(ctx, ch, s.m, filepath.Join(work, fmt.Sprint(i+1)))
	})
	var problems []string
	for _, s := range scenarios {
		if s.err != nil {
			return problems, s.err
		}
		if s.problem != "" {
			problems = append(problems, fmt.Sprintf("exercise %s, mutation %q: %s", s.exercise, s.m.Name, s.problem))
			continue
		}
		fmt.Fprintf(detail, "      %s %s\n        caught by %s\n", s.exercise, s.m.Name, s.caught)
	}
	return problems, nil
}

// mutate runs m's tests on the mutated reference. It returns the test and
// the failure line that caught the mutation, or the problem when none did.
func mutate(ctx context.Context, ch *manifest.Chapter, m manifest.Mutation, dir string) (caught, problem string, err error) {
	src, err := os.ReadFile(ch.SolutionPath(m.File))
	if err != nil {
		return "", "", err
	}
	if c := strings.Count(string(src), m.Find); c != 1 {
		return "", fmt.Sprintf("its find text occurs %d times in %s/%s (want exactly once)", c, manifest.SolutionDir, m.File), nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	mutated := filepath.Join(dir, filepath.Base(m.File))
	if err := os.WriteFile(mutated, []byte(strings.Replace(string(src), m.Find, m.Replace, 1)), 0o644); err != nil {
		return "", "", err
	}
	replace := map[string]string{m.File: mutated}
	if strings.HasSuffix(m.File, ".proto") {
		// Go reads the generated code, not the .proto: regenerate it.
		if replace, err = regenerate(ctx, ch, m.File, mutated, dir); err != nil {
			return "", fmt.Sprintf("the mutated %s does not compile: %v", m.File, err), nil
		}
	}
	overlay, err := chapter.WriteOverlay(ch, dir, replace)
	if err != nil {
		return "", "", err
	}
	var names, pkgs []string
	for _, t := range m.Tests {
		id, err := manifest.ParseTestID(t)
		if err != nil {
			return "", "", err
		}
		names = append(names, regexp.QuoteMeta(id.Name))
		pkgs = append(pkgs, "./"+id.Pkg)
	}
	run, err := gotest.Exec(ctx, gotest.Options{
		Dir: ch.Root, Module: ch.ModulePath(), Overlay: overlay,
		Run: "^(" + strings.Join(names, "|") + ")$", Packages: pkgs, Race: m.Race,
	})
	if err != nil {
		return "", "", err
	}
	if len(run.BuildErrors) > 0 {
		return "", "the mutated reference does not build: a mutation must be a mistake the compiler lets through", nil
	}
	var failed []string
	for _, t := range m.Tests {
		id, _ := manifest.ParseTestID(t)
		if r := run.Tests[id]; r != nil && r.Action == "fail" {
			// A panic ends the test binary; its message is the package's output.
			if line, ok := lineWith(r.Output, m.Message); ok {
				return id.String() + ": " + line, "", nil
			}
			if line, ok := lineWith(run.PackageOutput[id.Pkg], m.Message); ok {
				return id.String() + ": " + line, "", nil
			}
			failed = append(failed, fmt.Sprintf("%s fails, but without %q:\n%s", id, m.Message, tail(r.Output, 15)))
		}
	}
	if len(failed) > 0 {
		return "", strings.Join(failed, "\n"), nil
	}
	return "", fmt.Sprintf("not caught: %s pass", strings.Join(m.Tests, ", ")), nil
}

// lineWith returns the first line of output that holds s, trimmed, or s
// itself when it spans lines there.
func lineWith(output, s string) (string, bool) {
	for line := range strings.Lines(output) {
		if strings.Contains(line, s) {
			return strings.TrimSpace(line), true
		}
	}
	return s, strings.Contains(output, s)
}

// regenerate compiles a mutated .proto (markers and all) and writes its Go
// code into dir, returning the overlay entries that put it in place.
func regenerate(ctx context.Context, ch *manifest.Chapter, file, mutated, dir string) (map[string]string, error) {
	src, err := os.ReadFile(mutated)
	if err != nil {
		return nil, err
	}
	plain, err := stub.Reference(src)
	if err != nil {
		return nil, err
	}
	out, err := protoc.Generate(ctx, protoc.Request{
		Root: ch.Root, Files: ch.Proto,
		Open: func(name string) (io.ReadCloser, error) {
			if name == file {
				return io.NopCloser(bytes.NewReader(plain)), nil
			}
			return os.Open(ch.LearnerPath(name))
		},
	})
	if err != nil {
		return nil, err
	}
	replace := map[string]string{}
	for name, content := range out {
		path := filepath.Join(dir, "gen", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return nil, err
		}
		replace[name] = path
	}
	return replace, nil
}
