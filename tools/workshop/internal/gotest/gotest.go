// Package gotest runs `go test -json` and collects, per top-level test,
// whether it passed and what it printed.
//
// # Usage
//
//	run, err := gotest.Run(ctx, gotest.Options{Dir: "ch03-log", Module: mod})
//	for id, r := range run.Tests {
//		fmt.Println(id, r.Action)
//	}
package gotest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// Options says where and how to run the tests.
type Options struct {
	// Dir is the module directory to run in.
	Dir string
	// Module is the module's path, stripped from package paths so that
	// results are keyed by directory ("internal/log").
	Module string
	// Overlay is a `-overlay` file, or "".
	Overlay string
	// Race adds -race; Count sets -count (0 means 1); Run sets -run.
	Race  bool
	Count int
	Run   string
	// Packages defaults to ./...
	Packages []string
}

// Result is what one top-level test did.
type Result struct {
	// Action is "pass", "fail" or "skip".
	Action string
	// Output is everything the test and its subtests printed.
	Output string
	// Elapsed is the test's own time, summed over -count runs.
	Elapsed time.Duration
}

// Run is the outcome of one `go test` run.
type Run struct {
	// Tests are keyed by manifest.TestID; with -count > 1, a test failed if
	// any of its runs failed.
	Tests map[manifest.TestID]*Result
	// BuildErrors are packages that did not build, with the compiler's output.
	BuildErrors map[string]string
	// PackageFailures are packages that failed outside any test (a panic in
	// TestMain, a test binary that crashed), with their output.
	PackageFailures map[string]string
	// PackageOutput is what each package printed outside its tests, such as
	// the panic that ended a test binary.
	PackageOutput map[string]string
	// Raw is the output of the go command that was not JSON (e.g. vet errors).
	Raw string
}

type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
	Elapsed    float64
}

// EnglishLocale is the environment entry every run gets: it outranks LANG
// and LC_MESSAGES, so the tests print their English messages.
const EnglishLocale = "LC_ALL=C"

// Exec runs go test and parses its events. A failing test is not an error;
// only a go command that could not run at all is.
func Exec(ctx context.Context, opts Options) (*Run, error) {
	args := []string{"test", "-json"}
	if opts.Overlay != "" {
		args = append(args, "-overlay", opts.Overlay)
	}
	if opts.Race {
		args = append(args, "-race")
	}
	count := max(opts.Count, 1)
	args = append(args, fmt.Sprintf("-count=%d", count))
	if opts.Run != "" {
		args = append(args, "-run", opts.Run)
	}
	pkgs := opts.Packages
	if len(pkgs) == 0 {
		pkgs = []string{"./..."}
	}
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = opts.Dir
	// The stubs say "exercise N.M ... is not done yet" in English, which is
	// what the workshop looks for, unless the locale is Korean: pin it.
	cmd.Env = append(os.Environ(), EnglishLocale)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	run := parse(stdout.Bytes(), opts.Module)
	run.Raw += stderr.String()
	if err != nil && len(run.Tests) == 0 && len(run.BuildErrors) == 0 && len(run.PackageFailures) == 0 {
		return nil, fmt.Errorf("go %s in %s: %w\n%s", strings.Join(args, " "), opts.Dir, err, run.Raw)
	}
	return run, nil
}

func parse(out []byte, module string) *Run {
	run := &Run{
		Tests:           map[manifest.TestID]*Result{},
		BuildErrors:     map[string]string{},
		PackageFailures: map[string]string{},
	}
	pkgOutput := map[string]*strings.Builder{}
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			run.Raw += scanner.Text() + "\n"
			continue
		}
		if e.Action == "build-output" {
			// "pkg [pkg.test]" names the test variant of pkg.
			importPath, _, _ := strings.Cut(e.ImportPath, " ")
			run.BuildErrors[Dir(importPath, module)] += e.Output
			continue
		}
		pkg := Dir(e.Package, module)
		if e.Test == "" {
			if pkgOutput[pkg] == nil {
				pkgOutput[pkg] = &strings.Builder{}
			}
			pkgOutput[pkg].WriteString(e.Output)
			if e.Action == "fail" {
				run.PackageFailures[pkg] = pkgOutput[pkg].String()
			}
			continue
		}
		top, _, _ := strings.Cut(e.Test, "/")
		id := manifest.TestID{Pkg: pkg, Name: top}
		r := run.Tests[id]
		if r == nil {
			r = &Result{}
			run.Tests[id] = r
		}
		r.Output += e.Output
		if e.Test != top {
			continue
		}
		switch e.Action {
		case "fail":
			r.Action = "fail"
		case "pass", "skip":
			if r.Action != "fail" {
				r.Action = e.Action
			}
		}
		r.Elapsed += time.Duration(e.Elapsed * float64(time.Second))
	}
	run.PackageOutput = map[string]string{}
	for pkg, out := range pkgOutput {
		run.PackageOutput[pkg] = out.String()
	}
	for pkg := range run.BuildErrors {
		delete(run.PackageFailures, pkg)
	}
	for pkg := range run.PackageFailures {
		if anyFailed(run, pkg) {
			delete(run.PackageFailures, pkg) // a failing test explains it
		}
	}
	return run
}

// anyFailed reports whether a test of pkg failed.
func anyFailed(run *Run, pkg string) bool {
	for id, r := range run.Tests {
		if id.Pkg == pkg && r.Action == "fail" {
			return true
		}
	}
	return false
}

// Dir turns an import path into a directory relative to the module.
func Dir(importPath, module string) string {
	if importPath == module {
		return "."
	}
	return strings.TrimPrefix(importPath, module+"/")
}
