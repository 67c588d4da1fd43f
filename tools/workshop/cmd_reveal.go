package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// runReveal prints the reference code of one exercise. It waits until the
// exercise's tests pass, so that the answer is a comparison, not a shortcut,
// unless the learner insists with -force.
func runReveal(ctx context.Context, u ui, args []string) error {
	fs := flag.NewFlagSet("reveal", flag.ContinueOnError)
	force := fs.Bool("force", false, u.t("show the reference even though the exercise's tests do not pass yet", "실습 테스트가 아직 통과하지 않아도 참조 답안을 보여 줌"))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), u.t(
			"usage: workshop reveal [-force] <exercise>\n\nPrints the reference solution of an exercise once its tests pass.",
			"사용법: workshop reveal [-force] <실습>\n\n실습 테스트가 통과하면 그 실습의 참조 답안을 출력합니다."))
		fs.PrintDefaults()
	}
	args, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		fs.Usage()
		return errors.New(u.t("which exercise?", "어느 실습인가요?"))
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, ex, err := findExercise(root, args[0])
	if err != nil {
		return err
	}
	if !*force {
		p, err := measure(ctx, ch, ex.ID)
		if err != nil {
			return err
		}
		if !p.done[ex.ID] {
			return fmt.Errorf(u.t(
				"exercise %[1]s does not pass yet; try `go run ./tools/workshop hint %[1]s` first, or add -force to see the answer anyway",
				"실습 %[1]s: 아직 통과하지 않습니다. 먼저 힌트를 보거나(`go run ./tools/workshop hint %[1]s`), 그래도 답을 보려면 -force를 붙이세요"), ex.ID)
		}
	}
	c := colour(os.Stdout)
	for _, file := range ex.Files {
		src, err := os.ReadFile(ch.SolutionPath(file))
		if err != nil {
			return err
		}
		regions, err := stub.Parse(src)
		if err != nil {
			return err
		}
		for _, r := range regions {
			if r.ID != ex.ID {
				continue
			}
			fmt.Printf("%s\n%s\n\n", dim(c, fmt.Sprintf(u.t("── %s/%s, line %d ──", "── %s/%s, %d번째 줄 ──"), ch.Dir, file, r.Start)), strings.Join(r.Code, "\n"))
		}
	}
	return nil
}
