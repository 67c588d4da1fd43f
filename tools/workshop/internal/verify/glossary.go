package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// GlossaryPage is the Korean glossary, relative to the repository root. Its
// tables are the one source of truth for the check: the column headed
// "한국어" holds the preferred term, the column whose header contains "not:"
// holds the comma-separated variants no Korean page may use.
const GlossaryPage = "docs/glossary.ko.md"

// glossaryVariant is one banned variant and what to write instead.
type glossaryVariant struct {
	preferred string
	pattern   *regexp.Regexp
	// exceptions match the preferred terms that contain text (와이어 타입
	// for 타입): inside them the variant is the glossary's own term.
	exceptions []*regexp.Regexp
}

// checkGlossary reports every line of a Korean page that uses a variant the
// glossary bans. It checks the chapter's own *.ko.md pages and, with the
// first chapter only (so a mistake is reported once), the repository's
// Korean pages outside the chapters: README.ko.md and docs/*.ko.md.
func checkGlossary(_ context.Context, ch *manifest.Chapter, _ string, _ io.Writer) ([]string, error) {
	root := filepath.Dir(ch.Root)
	data, err := os.ReadFile(filepath.Join(root, GlossaryPage))
	if errors.Is(err, fs.ErrNotExist) {
		return []string{GlossaryPage + " is missing: the Korean pages are checked against its \"not:\" column"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read glossary: %w", err)
	}
	variants, err := parseGlossary(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", GlossaryPage, err)
	}
	pages, err := filepath.Glob(filepath.Join(ch.Root, "*.ko.md"))
	if err != nil {
		return nil, err
	}
	first, err := isFirstChapter(root, ch)
	if err != nil {
		return nil, err
	}
	if first {
		for _, pattern := range []string{"*.ko.md", "docs/*.ko.md"} {
			more, err := filepath.Glob(filepath.Join(root, pattern))
			if err != nil {
				return nil, err
			}
			pages = append(pages, more...)
		}
	}
	var problems []string
	for _, page := range pages {
		rel, err := filepath.Rel(root, page)
		if err != nil {
			return nil, err
		}
		rel = filepath.ToSlash(rel)
		if rel == GlossaryPage {
			continue // it names the variants on purpose
		}
		text, err := os.ReadFile(page)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		problems = append(problems, glossaryProblems(rel, string(text), variants)...)
	}
	return problems, nil
}

// isFirstChapter reports whether ch is the first chapter of the repository
// at root.
func isFirstChapter(root string, ch *manifest.Chapter) (bool, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return false, fmt.Errorf("list chapters: %w", err)
	}
	chapterDir := regexp.MustCompile(`^ch[0-9]{2}-`)
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() || !chapterDir.MatchString(e.Name()) {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name(), manifest.File)); err == nil {
			dirs = append(dirs, e.Name())
		}
	}
	slices.Sort(dirs)
	return len(dirs) > 0 && dirs[0] == filepath.Base(ch.Root), nil
}

// parseGlossary reads the banned variants from the glossary's tables. A table
// without a "not:" column is skipped; a glossary that bans nothing is an
// error, since then the check would silently pass every page.
func parseGlossary(page string) ([]glossaryVariant, error) {
	type row struct{ preferred, banned string }
	var rows []row
	lines := strings.Split(page, "\n")
	for i := 0; i+1 < len(lines); i++ {
		if !isTableRow(lines[i]) || !isDelimiterRow(lines[i+1]) {
			continue
		}
		header := tableCells(lines[i])
		korean := slices.Index(header, "한국어")
		banned := slices.IndexFunc(header, func(c string) bool { return strings.Contains(c, "not:") })
		i += 2
		for ; i < len(lines) && isTableRow(lines[i]); i++ {
			if korean < 0 || banned < 0 {
				continue
			}
			cells := tableCells(lines[i])
			if len(cells) <= max(korean, banned) {
				return nil, fmt.Errorf("line %d: a row has %d cells, the header %d", i+1, len(cells), len(header))
			}
			rows = append(rows, row{cells[korean], cells[banned]})
		}
	}
	var preferred []string
	for _, r := range rows {
		for _, term := range strings.Split(r.preferred, ",") {
			if term = strings.TrimSpace(term); term != "" {
				preferred = append(preferred, term)
			}
		}
	}
	var variants []glossaryVariant
	for _, r := range rows {
		for _, text := range strings.Split(r.banned, ",") {
			text = strings.TrimSpace(text)
			if text == "" {
				continue
			}
			v := glossaryVariant{preferred: r.preferred, pattern: variantPattern(text)}
			for _, p := range preferred {
				// A preferred term the variant's pattern also matches (유한상태
				// 머신 for the variant 유한 상태 머신, whose spaces are optional)
				// is no use of the variant.
				if p != text && (strings.Contains(p, text) || v.pattern.FindString(p) == p) {
					v.exceptions = append(v.exceptions, variantPattern(p))
				}
			}
			variants = append(variants, v)
		}
	}
	if len(variants) == 0 {
		return nil, errors.New(`no table with a "한국어" column and a "not:" column lists a variant`)
	}
	return variants, nil
}

// variantPattern matches text case-insensitively, with any spacing where
// text has a space, a line break or none included: 상호 TLS, 상호TLS, and
// 상호 at the end of one line with TLS at the start of the next.
func variantPattern(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?i)` + strings.Join(words, `[ \t]*(?:\n[ \t]*)?`))
}

var (
	tableDelimiter = regexp.MustCompile(`^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)
	// proseMasks remove what is not Korean prose from a line: inline code
	// spans, link targets and HTML tags (the <a id="…"> anchors included).
	proseMasks = []*regexp.Regexp{
		regexp.MustCompile("``.*?``|`[^`]*`"),
		regexp.MustCompile(`\]\([^)]*\)`),
		regexp.MustCompile(`</?[A-Za-z][^>]*>`),
	}
)

func isTableRow(line string) bool     { return strings.HasPrefix(strings.TrimSpace(line), "|") }
func isDelimiterRow(line string) bool { return tableDelimiter.MatchString(strings.TrimSpace(line)) }

// tableCells splits a Markdown table row into trimmed cells.
func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	cells := strings.Split(line, "|")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

// glossaryProblems finds the banned variants on one page, outside fenced
// code, inline code, link targets and HTML tags. A variant of several words
// is found across a line break too, since prose is wrapped; it is reported
// at the line where it starts.
func glossaryProblems(name, page string, variants []glossaryVariant) []string {
	lines := strings.Split(page, "\n")
	fence := ""
	for n, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence, lines[n] = trimmed[:3], ""
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			lines[n] = ""
		default:
			for _, mask := range proseMasks {
				line = mask.ReplaceAllString(line, " ")
			}
			lines[n] = line
		}
	}
	prose := strings.Join(lines, "\n")
	type use struct {
		line   int
		detail string
	}
	var found []use
	for _, v := range variants {
		reported := map[int]bool{}
		for _, m := range v.uses(prose) {
			line := strings.Count(prose[:m[0]], "\n") + 1
			if reported[line] {
				continue
			}
			reported[line] = true
			text := strings.Join(strings.Fields(prose[m[0]:m[1]]), " ")
			found = append(found, use{line, fmt.Sprintf("%s:%d: %q is not the glossary's term: write %q (%s)", name, line, text, v.preferred, GlossaryPage)})
		}
	}
	slices.SortStableFunc(found, func(a, b use) int { return a.line - b.line })
	problems := make([]string, len(found))
	for i, u := range found {
		problems[i] = u.detail
	}
	return problems
}

// uses returns the start and end of every use of the variant in text that
// is a word of its own: not the tail of a longer word (타입 in 프로토타입),
// not inside a longer English word (import in goimports or imports), and
// not part of a term the glossary prefers (타입 in 와이어 타입). Korean
// particles may follow it (타입을, import를).
func (v glossaryVariant) uses(text string) [][]int {
	var uses [][]int
	for _, m := range v.pattern.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		if before, _ := utf8.DecodeLastRuneInString(text[:start]); start > 0 && isWordRune(before) {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(text[start:end])
		if after, _ := utf8.DecodeRuneInString(text[end:]); end < len(text) && last < utf8.RuneSelf && after < utf8.RuneSelf && isWordRune(after) {
			continue
		}
		if v.excepted(text, start, end) {
			continue
		}
		uses = append(uses, m)
	}
	return uses
}

// excepted reports whether text[start:end] lies inside one of the
// variant's exceptions.
func (v glossaryVariant) excepted(text string, start, end int) bool {
	for _, p := range v.exceptions {
		for _, m := range p.FindAllStringIndex(text, -1) {
			if m[0] <= start && end <= m[1] {
				return true
			}
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
