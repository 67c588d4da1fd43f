package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// chapterPages are the pages every chapter has.
var chapterPages = []string{"README.md", "README.ko.md", "HINTS.md", "HINTS.ko.md", "INSTRUCTOR.md", "INSTRUCTOR.ko.md"}

// checkDocs checks that the pages exist, that every exercise's anchor is a
// real heading of README.md and an explicit id before its heading in
// README.ko.md and HINTS.ko.md, that hints and the instructor's notes cover every exercise,
// that the `go test -run` commands they quote select real tests, that the
// stub lines they quote are the ones the stubs print,
// that .solution holds only declared files, and that package names match
// their directories.
func checkDocs(ctx context.Context, ch *manifest.Chapter, _ string, _ io.Writer) ([]string, error) {
	var problems []string
	pages := map[string]string{}
	for _, page := range chapterPages {
		data, err := os.ReadFile(filepath.Join(ch.Root, page))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s is missing", page))
			continue
		}
		pages[page] = string(data)
	}
	for _, ex := range ch.Exercises {
		if page, ok := pages["README.md"]; ok && !slices.Contains(Anchors(page), ex.Anchor) {
			problems = append(problems, fmt.Sprintf("exercise %s: README.md has no heading with anchor #%s", ex.ID, ex.Anchor))
		}
		for _, page := range []string{"README.ko.md", "HINTS.ko.md"} {
			if text, ok := pages[page]; ok {
				problems = append(problems, explicitIDProblems(text, page, ex)...)
			}
		}
		heading := regexp.MustCompile(`(?m)^#+ .*\b` + regexp.QuoteMeta(ex.ID) + `\b`)
		for _, page := range []string{"HINTS.md", "HINTS.ko.md", "INSTRUCTOR.md", "INSTRUCTOR.ko.md"} {
			if text, ok := pages[page]; ok && !heading.MatchString(text) {
				problems = append(problems, fmt.Sprintf("exercise %s: %s has no heading for it", ex.ID, page))
			}
		}
	}
	problems = append(problems, checkRunCommands(ch.Root, pages)...)
	problems = append(problems, checkQuotedStubLines(ch, pages)...)
	problems = append(problems, undeclaredSolutions(ch)...)
	names, err := packageNames(ctx, ch)
	if err != nil {
		return problems, err
	}
	return append(problems, names...), nil
}

// Anchors returns the anchors GitHub gives the headings of a Markdown page:
// lower case, punctuation dropped, spaces turned into hyphens.
func Anchors(page string) []string {
	var anchors []string
	inFence := false
	for _, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		anchors = append(anchors, b.String())
	}
	return anchors
}

// explicitID matches the HTML anchor a Korean page puts on the line before
// an exercise heading: <a id="21-the-record-message"></a>.
var explicitID = regexp.MustCompile(`^<a id="([^"]+)"></a>$`)

// ExplicitIDs returns the explicit ids of a page (outside code blocks), each
// with the heading on the next non-blank line ("" when that line is not a
// heading).
func ExplicitIDs(page string) map[string]string {
	ids := map[string]string{}
	lines := strings.Split(page, "\n")
	inFence := false
	for i, line := range lines {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		m := explicitID.FindStringSubmatch(strings.TrimSpace(line))
		if inFence || m == nil {
			continue
		}
		ids[m[1]] = ""
		for _, next := range lines[i+1:] {
			if strings.TrimSpace(next) == "" || explicitID.MatchString(strings.TrimSpace(next)) {
				continue // blank, or another id for the same heading
			}
			if strings.HasPrefix(next, "#") {
				ids[m[1]] = next
			}
			break
		}
	}
	return ids
}

// explicitIDProblems checks that a Korean page leads the exercise's English
// anchor to the exercise's heading. The stubs' failures and the tool print
// links with the English anchor; GitHub derives a Korean heading's anchor
// from its Korean text, so only an explicit id makes those links work on
// the Korean page.
func explicitIDProblems(page, name string, ex manifest.Exercise) []string {
	heading, ok := ExplicitIDs(page)[ex.Anchor]
	tag := fmt.Sprintf(`<a id="%s"></a>`, ex.Anchor)
	switch {
	case !ok:
		return []string{fmt.Sprintf("exercise %s: %s has no %s on the line before its heading, so the link #%s does not lead there", ex.ID, name, tag, ex.Anchor)}
	case !regexp.MustCompile(`^#+ .*\b` + regexp.QuoteMeta(ex.ID) + `\b`).MatchString(heading):
		return []string{fmt.Sprintf("exercise %s: %s has %s before %q, which is not exercise %s's heading", ex.ID, name, tag, heading, ex.ID)}
	}
	return nil
}

// quotedStubLine finds a stub's line quoted on a page, in English or in
// Korean: the exercise id, its name and the link.
var quotedStubLine = regexp.MustCompile("exercise ([0-9]+\\.[0-9]+) \\(([^)]*)\\) is not done yet: see ([^\\s`]+)|아직 하지 않은 실습: ([0-9]+\\.[0-9]+) \\(([^)]*)\\)\\. 읽을 곳: ([^\\s`]+)")

// checkQuotedStubLines checks that the stub lines the pages quote are the
// ones the stubs print (internal/exercise's wording, workshop.json's names
// and anchors), so that a learner recognises the line they see.
func checkQuotedStubLines(ch *manifest.Chapter, pages map[string]string) []string {
	var problems []string
	for _, page := range slices.Sorted(maps.Keys(pages)) {
		for _, m := range quotedStubLine.FindAllStringSubmatch(pages[page], -1) {
			id, name, where, ko := m[1], m[2], m[3], false
			if id == "" {
				id, name, where, ko = m[4], m[5], m[6], true
			}
			ex, ok := ch.Exercise(id)
			if !ok {
				continue // another chapter's line, quoted for comparison
			}
			where = strings.TrimRight(where, ".,;:)")
			if name != ex.Name || where != ch.Where(*ex, ko) {
				problems = append(problems, fmt.Sprintf("%s quotes %q, but the stub of %s says (%s) and links %s", page, m[0], id, ex.Name, ch.Where(*ex, ko)))
			}
		}
	}
	return problems
}

// undeclaredSolutions finds files in .solution that no exercise declares and
// that are not generated protobuf code: they would change the reference
// without anyone knowing.
func undeclaredSolutions(ch *manifest.Chapter) []string {
	var problems []string
	root := filepath.Join(ch.Root, manifest.SolutionDir)
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if slices.Contains(ch.SolutionFiles(), rel) || strings.HasSuffix(rel, ".pb.go") {
			return nil
		}
		problems = append(problems, fmt.Sprintf("%s/%s is not a file of any exercise in workshop.json", manifest.SolutionDir, rel))
		return nil
	})
	return problems
}

// packageNames checks that every package is named after its directory
// (main for commands; log_v1 style for versioned API directories).
func packageNames(ctx context.Context, ch *manifest.Chapter) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-e", "-f", "{{.Dir}} {{.Name}}", "./...")
	cmd.Dir = ch.Root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var problems []string
	version := regexp.MustCompile(`^v[0-9]+$`)
	for _, line := range strings.Split(string(bytes.TrimSpace(out)), "\n") {
		dir, name, _ := strings.Cut(line, " ")
		base := filepath.Base(dir)
		ok := name == base || name == "main" || name == "" ||
			(version.MatchString(base) && strings.HasSuffix(name, "_"+base))
		if !ok {
			rel, _ := filepath.Rel(ch.Root, dir)
			problems = append(problems, fmt.Sprintf("package %s in %s: a package is named after its directory", name, rel))
		}
	}
	return problems, nil
}

// checkGenerated regenerates every derived file in memory and compares.
func checkGenerated(ctx context.Context, ch *manifest.Chapter, _ string, _ io.Writer) ([]string, error) {
	generated, err := chapter.Generated(ctx, ch)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, file := range chapter.Stale(ch, generated) {
		if slices.Contains(ch.SolutionFiles(), file) {
			problems = append(problems, fmt.Sprintf("%s differs from the stub generated from its reference: after editing the reference, run `go run ./tools/workshop generate %s`; if it holds your exercise work, this proof is not for you (use `workshop status`)", file, ch.Dir))
			continue
		}
		problems = append(problems, fmt.Sprintf("%s is stale: run `go run ./tools/workshop generate %s`", file, ch.Dir))
	}
	return problems, nil
}

func indent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
