// Package manifest reads a chapter's workshop.json: its exercises, the
// tests that prove them, the files a learner edits, and the mutation
// scenarios that test the tests.
//
// # Usage
//
//	ch, err := manifest.Load("ch03-log")
//	for _, ex := range ch.Exercises {
//		fmt.Println(ex.ID, ex.Title, ch.Where(ex, false))
//	}
package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// File is the name of the manifest in every chapter directory.
const File = "workshop.json"

// SolutionDir is the folder, inside a chapter, that holds the reference
// versions of the files with exercises. Its leading dot keeps it out of ./...
const SolutionDir = ".solution"

// Chapter is one chapter's manifest.
type Chapter struct {
	// Dir is the chapter's directory name, e.g. "ch03-log". It is set by Load
	// from the directory, and must equal the "chapter" field.
	Dir     string `json:"chapter"`
	Title   string `json:"title"`
	TitleKo string `json:"title_ko"`
	// Previous is the chapter this one carries code from ("" for chapter 1).
	Previous string `json:"previous"`
	// Changed lists carried files (paths relative to the chapter) that may
	// differ from the previous chapter's reference; a trailing "/" names a
	// whole directory.
	Changed []string `json:"changed"`
	// Removed lists files of the previous chapter this one does not carry.
	Removed []string `json:"removed"`
	// Proto lists the .proto files whose generated Go code is checked for
	// freshness.
	Proto []string `json:"proto"`
	// RaceCount is how many times verify runs the reference tests with -race
	// (more for the distributed chapters, whose bugs hide in timing).
	RaceCount int `json:"race_count"`
	// Exercises are in the order a learner does them.
	Exercises []Exercise `json:"exercises"`

	// Root is the absolute path of the chapter directory.
	Root string `json:"-"`
}

// Exercise is one thing the learner writes.
type Exercise struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Title   string `json:"title"`
	TitleKo string `json:"title_ko"`
	// Anchor is the exercise's section in README.md. README.ko.md and
	// HINTS.ko.md carry the same anchor as an explicit id (<a id="...">),
	// so one anchor serves both languages.
	Anchor   string     `json:"anchor"`
	Minutes  int        `json:"minutes"`
	Files    []string   `json:"files"`
	Tests    []string   `json:"tests"`
	Mutation []Mutation `json:"mutations"`
}

// Mutation is a deliberately wrong change to the reference that the
// exercise's tests must catch, with a message that leads to the mistake.
type Mutation struct {
	Name    string   `json:"name"`
	File    string   `json:"file"`
	Find    string   `json:"find"`
	Replace string   `json:"replace"`
	Tests   []string `json:"tests"`
	Message string   `json:"message"`
	// Race runs the tests with -race: for mistakes only the race detector
	// sees reliably, such as a missing lock.
	Race bool `json:"race"`
}

// TestID names one top-level test: the package directory relative to the
// chapter ("." for the root) and the test function.
type TestID struct {
	Pkg  string
	Name string
}

func (id TestID) String() string { return id.Pkg + ":" + id.Name }

// ParseTestID reads "internal/log:TestStore" (or a fuzz target's name,
// "internal/log:FuzzStore", whose seed corpus runs as a test).
func ParseTestID(s string) (TestID, error) {
	pkg, name, ok := strings.Cut(s, ":")
	if !ok || pkg == "" || !(strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Fuzz")) {
		return TestID{}, fmt.Errorf("test %q is not of the form dir:TestName", s)
	}
	return TestID{Pkg: pkg, Name: name}, nil
}

var idPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// Load reads the manifest of the chapter in dir and checks it.
func Load(dir string) (*Chapter, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(root, File))
	if err != nil {
		return nil, err
	}
	var ch Chapter
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ch); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, File), err)
	}
	ch.Root = root
	if ch.Dir != filepath.Base(root) {
		return nil, fmt.Errorf("%s: chapter %q does not match its directory %q", File, ch.Dir, filepath.Base(root))
	}
	if ch.RaceCount == 0 {
		ch.RaceCount = 1
	}
	if err := ch.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, File), err)
	}
	return &ch, nil
}

func (ch *Chapter) validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, ex := range ch.Exercises {
		switch {
		case !idPattern.MatchString(ex.ID):
			errs = append(errs, fmt.Errorf("exercise id %q is not of the form N.M", ex.ID))
		case seen[ex.ID]:
			errs = append(errs, fmt.Errorf("exercise %s is declared twice", ex.ID))
		}
		seen[ex.ID] = true
		if ex.Name == "" || ex.Anchor == "" || len(ex.Files) == 0 || len(ex.Tests) == 0 {
			errs = append(errs, fmt.Errorf("exercise %s needs a name, an anchor, files and tests", ex.ID))
		}
		for _, t := range ex.Tests {
			if _, err := ParseTestID(t); err != nil {
				errs = append(errs, fmt.Errorf("exercise %s: %w", ex.ID, err))
			}
		}
		if len(ex.Mutation) == 0 {
			errs = append(errs, fmt.Errorf("exercise %s has no mutation scenario", ex.ID))
		}
		for _, m := range ex.Mutation {
			if !slices.Contains(ch.SolutionFiles(), m.File) {
				errs = append(errs, fmt.Errorf("exercise %s: mutation %q edits %s, which has no reference", ex.ID, m.Name, m.File))
			}
			if m.Find == "" || len(m.Tests) == 0 || m.Message == "" {
				errs = append(errs, fmt.Errorf("exercise %s: mutation %q needs find, tests and message", ex.ID, m.Name))
			}
		}
	}
	return errors.Join(errs...)
}

// Exercise returns the exercise with the given id.
func (ch *Chapter) Exercise(id string) (*Exercise, bool) {
	for i := range ch.Exercises {
		if ch.Exercises[i].ID == id {
			return &ch.Exercises[i], true
		}
	}
	return nil, false
}

// Where is the README section of an exercise, from the repository root:
// in README.ko.md when ko is set.
func (ch *Chapter) Where(ex Exercise, ko bool) string {
	if ko {
		return ch.Dir + "/README.ko.md#" + ex.Anchor
	}
	return ch.Dir + "/README.md#" + ex.Anchor
}

// SolutionFiles lists the files with exercises, relative to the chapter, in
// the order the exercises name them.
func (ch *Chapter) SolutionFiles() []string {
	var files []string
	for _, ex := range ch.Exercises {
		for _, f := range ex.Files {
			if !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	return files
}

// SolutionPath is the reference version of a learner file.
func (ch *Chapter) SolutionPath(file string) string {
	return filepath.Join(ch.Root, SolutionDir, filepath.FromSlash(file))
}

// LearnerPath is a file in the learner's tree.
func (ch *Chapter) LearnerPath(file string) string {
	return filepath.Join(ch.Root, filepath.FromSlash(file))
}

// ModulePath is the chapter module's import path.
func (ch *Chapter) ModulePath() string {
	return ModulePrefix + ch.Dir
}

// ModulePrefix is what every chapter's module path starts with.
const ModulePrefix = "github.com/proglog-workshop/proglog/"

// IsChanged reports whether a carried file may differ from the previous
// chapter's reference.
func (ch *Chapter) IsChanged(file string) bool {
	for _, c := range ch.Changed {
		if c == file || (strings.HasSuffix(c, "/") && strings.HasPrefix(file, c)) {
			return true
		}
	}
	return false
}
