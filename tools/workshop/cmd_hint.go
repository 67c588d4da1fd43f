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
// chapter's HINTS.md (or HINTS.ko.md with -ko or a Korean LANG).
func runHint(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("hint", flag.ContinueOnError)
	ko := fs.Bool("ko", strings.HasPrefix(os.Getenv("LANG"), "ko"), "show the Korean hints")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop hint [-ko] <exercise> [level]\n\nShows hint 1 of an exercise, or the given level (1 is a nudge, the last is nearly the answer).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.NArg() > 2 {
		fs.Usage()
		return errors.New("which exercise?")
	}
	level := 1
	if fs.NArg() == 2 {
		n, err := strconv.Atoi(fs.Arg(1))
		if err != nil || n < 1 {
			return fmt.Errorf("level %q is not a number from 1 up", fs.Arg(1))
		}
		level = n
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, ex, err := findExercise(root, fs.Arg(0))
	if err != nil {
		return err
	}
	page := "HINTS.md"
	if *ko {
		page = "HINTS.ko.md"
	}
	data, err := os.ReadFile(filepath.Join(ch.Root, page))
	if err != nil {
		return err
	}
	hints := hintsFor(string(data), ex.ID)
	if len(hints) == 0 {
		return fmt.Errorf("%s/%s has no hints for exercise %s", ch.Dir, page, ex.ID)
	}
	if level > len(hints) {
		return fmt.Errorf("exercise %s has %d hint levels", ex.ID, len(hints))
	}
	c := colour(os.Stdout)
	fmt.Printf("%s %s (%d of %d)\n\n%s\n", bold(c, "Hint "+strconv.Itoa(level)+" for "+ex.ID), ex.Title, level, len(hints), hints[level-1])
	if level < len(hints) {
		flag := ""
		if *ko {
			flag = "-ko "
		}
		fmt.Printf("\n%s\n", dim(c, fmt.Sprintf("More: go run ./tools/workshop hint %s%s %d", flag, ex.ID, level+1)))
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
