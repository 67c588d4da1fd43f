package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// runHint prints one level of the hints for an exercise, from the
// chapter's HINTS.md (or HINTS.ko.md in Korean: -ko, before or after the
// exercise, or a Korean locale).
func runHint(_ context.Context, u ui, args []string) error {
	fs := flag.NewFlagSet("hint", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), u.t(
			"usage: workshop hint <exercise> [level] [-ko]\n\nShows hint 1 of an exercise, or the given level (1 is a nudge, the last is nearly the answer).",
			"사용법: workshop hint <실습> [단계] [-ko]\n\n실습의 힌트 1단계나 지정한 단계를 보여 줍니다(1단계는 살짝, 마지막 단계는 거의 답)."))
	}
	args, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(args) == 0 || len(args) > 2 {
		fs.Usage()
		return errors.New(u.t("which exercise?", "어느 실습인가요?"))
	}
	level := 1
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			return fmt.Errorf(u.t("level %q is not a number from 1 up", "단계는 1 이상의 숫자여야 합니다: %q"), args[1])
		}
		level = n
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, ex, err := findExercise(root, args[0])
	if err != nil {
		return err
	}
	page := u.t("HINTS.md", "HINTS.ko.md")
	data, err := os.ReadFile(filepath.Join(ch.Root, page))
	if err != nil {
		return err
	}
	hints := hintsFor(string(data), ex.ID)
	if len(hints) == 0 {
		return fmt.Errorf(u.t("%s/%s has no hints for exercise %s", "%s/%s에는 실습 %s의 힌트가 없습니다"), ch.Dir, page, ex.ID)
	}
	if level > len(hints) {
		return fmt.Errorf(u.t("exercise %s has %d hint levels", "실습 %s의 힌트는 %d단계까지입니다"), ex.ID, len(hints))
	}
	c := colour(os.Stdout)
	title := fmt.Sprintf(u.t("Hint %[1]d of %[2]d for %[3]s %[4]s", "%[3]s %[4]s: 힌트 %[1]d/%[2]d"), level, len(hints), ex.ID, exerciseTitle(u, *ex))
	fmt.Printf("%s\n\n%s\n", bold(c, title), hints[level-1])
	if level < len(hints) {
		more := fmt.Sprintf("go run ./tools/workshop hint %s %d", ex.ID, level+1)
		if u.ko {
			more += " -ko"
		}
		fmt.Printf("\n%s\n", dim(c, u.t("More: ", "다음 단계: ")+more))
	}
	return nil
}

var (
	heading = regexp.MustCompile(`(?m)^#+ `)
	details = regexp.MustCompile(`(?s)<details>\s*<summary>.*?</summary>(.*?)</details>`)
)

// hintsFor returns the bodies of the collapsed sections under the heading
// that names exercise id, in order.
func hintsFor(page, id string) []string {
	locs := heading.FindAllStringIndex(page, -1)
	own := regexp.MustCompile(`^#+ .*\b` + regexp.QuoteMeta(id) + `\b`)
	for i, loc := range locs {
		end := len(page)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		section := page[loc[0]:end]
		if !own.MatchString(section) {
			continue
		}
		var hints []string
		for _, m := range details.FindAllStringSubmatch(section, -1) {
			hints = append(hints, strings.TrimSpace(m[1]))
		}
		return hints
	}
	return nil
}
