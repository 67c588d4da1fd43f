package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/verify"
)

// runDiff shows what changed between two chapters' references, or, with
// "mine", between the learner's code for an exercise and the reference.
func runDiff(ctx context.Context, u ui, args []string) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	force := fs.Bool("force", false, u.t("with mine: show the diff even though the exercise does not pass yet", "mine과 함께: 실습이 아직 통과하지 않아도 차이를 보여 줌"))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), u.t("usage: workshop diff <chapterA> <chapterB> | workshop diff [-force] mine <exercise>", "사용법: workshop diff <장A> <장B> | workshop diff [-force] mine <실습>"))
		fs.PrintDefaults()
	}
	args, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(args) != 2 {
		fs.Usage()
		return errors.New(u.t("diff what?", "무엇을 비교할까요?"))
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if args[0] == "mine" {
		return diffMine(ctx, u, root, args[1], *force)
	}
	a, err := resolveChapter(root, args[0])
	if err != nil {
		return err
	}
	b, err := resolveChapter(root, args[1])
	if err != nil {
		return err
	}
	before, err := verify.ReferenceTree(a)
	if err != nil {
		return err
	}
	after, err := verify.ReferenceTree(b)
	if err != nil {
		return err
	}
	// go.mod is each chapter's own, but its new requirements are news.
	for _, pair := range []struct {
		tree map[string][]byte
		dir  string
	}{{before, a.Root}, {after, b.Root}} {
		if mod, err := os.ReadFile(filepath.Join(pair.dir, "go.mod")); err == nil {
			pair.tree["go.mod"] = mod
		}
	}
	files := map[string]bool{}
	for f := range before {
		files[f] = true
	}
	for f := range after {
		files[f] = true
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	c := colour(os.Stdout)
	var added, removed, changed []string
	var out strings.Builder
	for _, f := range names {
		// Module paths differ between chapters by design; compare without them.
		old := bytes.ReplaceAll(before[f], []byte(a.ModulePath()), []byte(b.ModulePath()))
		now, inAfter := after[f]
		_, inBefore := before[f]
		switch {
		case !inBefore:
			added = append(added, f)
		case !inAfter:
			removed = append(removed, f)
		case !bytes.Equal(old, now):
			changed = append(changed, f)
			out.WriteString(unified(c, a.Dir+"/"+f, b.Dir+"/"+f, string(old), string(now)))
		}
	}
	fmt.Printf("%s → %s: %d files changed, %d added, %d removed (module paths normalised; generated files included)\n",
		a.Dir, b.Dir, len(changed), len(added), len(removed))
	for _, f := range added {
		fmt.Println(green(c, "  + "+f))
	}
	for _, f := range removed {
		fmt.Println(red(c, "  - "+f))
	}
	for _, f := range changed {
		fmt.Println("  ~ " + f)
	}
	fmt.Print("\n" + out.String())
	return nil
}

// diffMine compares the learner's regions of an exercise with the
// reference. Like reveal, it waits for the exercise's tests to pass.
func diffMine(ctx context.Context, u ui, root, id string, force bool) error {
	ch, ex, err := findExercise(root, id)
	if err != nil {
		return err
	}
	if !force {
		p, err := measure(ctx, ch, ex.ID)
		if err != nil {
			return err
		}
		if !p.done[ex.ID] {
			return fmt.Errorf(u.t(
				"exercise %s does not pass yet, and the diff would show the answer; add -force to see it anyway",
				"실습 %s: 아직 통과하지 않았고, 비교하면 답이 보입니다. 그래도 보려면 -force를 붙이세요"), ex.ID)
		}
	}
	c := colour(os.Stdout)
	for _, file := range ex.Files {
		ref, err := regionText(ch.SolutionPath(file), ex.ID, true)
		if err != nil {
			return err
		}
		mine, err := regionText(ch.LearnerPath(file), ex.ID, false)
		if err != nil {
			return err
		}
		if mine == ref {
			fmt.Printf(u.t("%s: same as the reference\n", "%s: 참조 답안과 같습니다\n"), file)
			continue
		}
		fmt.Print(unified(c, "yours: "+file, "reference: "+file, mine, ref))
	}
	return nil
}

// regionText joins the code of exercise id's regions in a file.
func regionText(path, id string, reference bool) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	regions, err := stub.Parse(src)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	var parts []string
	for _, r := range regions {
		if r.ID == id {
			parts = append(parts, strings.Join(r.Code, "\n"))
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("%s has no //exercise:%s regions (reference: %v)", path, id, reference)
	}
	return strings.Join(parts, "\n\t…\n") + "\n", nil
}

func unified(c bool, from, to, a, b string) string {
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(a), B: difflib.SplitLines(b),
		FromFile: from, ToFile: to, Context: 3,
	})
	if err != nil {
		return err.Error() + "\n"
	}
	if !c {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			lines[i] = bold(c, l)
		case strings.HasPrefix(l, "+"):
			lines[i] = green(c, l)
		case strings.HasPrefix(l, "-"):
			lines[i] = red(c, l)
		case strings.HasPrefix(l, "@@"):
			lines[i] = dim(c, l)
		}
	}
	return strings.Join(lines, "\n")
}
