package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// runReset puts the stubs back, of one exercise or of every exercise of a
// chapter. Only the code between the //exercise markers is replaced: the
// learner's helpers and everything else outside the markers stay. It asks
// first, and without a terminal changes nothing unless given -yes.
func runReset(ctx context.Context, u ui, args []string) error {
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	yes := fs.Bool("yes", false, u.t("do not ask before overwriting (needed without a terminal)", "덮어쓰기 전에 묻지 않음(터미널이 없을 때 필요)"))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), u.t(
			"usage: workshop reset [-yes] <exercise|chapter>\n\nPuts back the starting stub of one exercise (e.g. 3.2) or of every exercise of a chapter (e.g. 3).\nCode outside the //exercise markers, such as your helper functions, is kept.",
			"사용법: workshop reset [-yes] <실습|장>\n\n실습 하나(예: 3.2)나 장의 모든 실습(예: 3)의 처음 스텁을 되돌립니다.\n//exercise 표시 줄 바깥의 코드(직접 만든 보조 함수 등)는 그대로 둡니다."))
		fs.PrintDefaults()
	}
	args, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		fs.Usage()
		return errors.New(u.t("reset what?", "무엇을 되돌릴까요?"))
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	var ch *manifest.Chapter
	var exs []manifest.Exercise
	if strings.Contains(args[0], ".") {
		c, ex, err := findExercise(root, args[0])
		if err != nil {
			return err
		}
		ch, exs = c, []manifest.Exercise{*ex}
	} else {
		if ch, err = resolveChapter(root, args[0]); err != nil {
			return err
		}
		exs = ch.Exercises
	}
	plan, err := planReset(ctx, ch, exs, len(exs) == 1)
	if err != nil {
		return err
	}
	if len(plan.writes) == 0 {
		fmt.Println(u.t("Nothing to reset: the stubs are in place.", "되돌릴 것이 없습니다. 스텁이 그대로 있습니다."))
		return nil
	}
	plan.print(u, root)
	if !*yes && !confirm(u, u.t("Your code between these markers will be lost. Go on?", "이 표시 줄 사이의 코드가 사라집니다. 계속할까요?")) {
		return errors.New(u.t("nothing was changed", "아무것도 바꾸지 않았습니다"))
	}
	if err := chapter.Write(plan.writes); err != nil {
		return err
	}
	fmt.Println(u.t(
		"Done. Code outside the //exercise markers (your helpers, imports) was kept.",
		"완료했습니다. //exercise 표시 줄 바깥의 코드(보조 함수, 임포트)는 그대로 두었습니다."))
	if len(plan.protos) > 0 {
		fmt.Printf(u.t("Regenerate the protobuf code: cd %s && go generate ./...\n", "protobuf 코드를 다시 생성하세요: cd %s && go generate ./...\n"), ch.Dir)
	}
	return nil
}

// resetPlan is what a reset will write, and why.
type resetPlan struct {
	writes map[string][]byte
	// regions lists, per file (absolute path), the exercises whose regions
	// go back to their stubs.
	regions map[string][]string
	// whole lists the files restored entirely, because their markers no
	// longer match the reference.
	whole []string
	// generated lists other generated files rewritten (the exercise table).
	generated []string
	// protos lists reset .proto files, whose Go code needs regenerating.
	protos []string
}

// planReset computes the files that go back to their stubs for exs. One
// exercise's reset refuses a file whose markers were edited; a chapter's
// reset restores such a file whole.
func planReset(ctx context.Context, ch *manifest.Chapter, exs []manifest.Exercise, single bool) (*resetPlan, error) {
	plan := &resetPlan{writes: map[string][]byte{}, regions: map[string][]string{}}
	current := map[string][]byte{}
	read := func(path string) ([]byte, error) {
		if content, ok := current[path]; ok {
			return content, nil
		}
		return os.ReadFile(path)
	}
	broken := map[string]bool{}
	for _, ex := range exs {
		for _, file := range ex.Files {
			path := ch.LearnerPath(file)
			if broken[path] {
				continue
			}
			mine, err := read(path)
			if err != nil {
				return nil, err
			}
			reset, err := resetRegions(ch, file, ex.ID, mine)
			if err != nil {
				if single {
					return nil, fmt.Errorf("%s/%s: %w (reset the whole chapter instead: workshop reset %s)", ch.Dir, file, err, ch.Dir)
				}
				broken[path] = true
				continue
			}
			current[path] = reset
			if string(reset) != string(mine) && !slices.Contains(plan.regions[path], ex.ID) {
				plan.regions[path] = append(plan.regions[path], ex.ID)
			}
		}
	}
	for path, content := range current {
		if strings.HasSuffix(path, ".go") {
			// Imports added for the learner's code may now be unused, and the
			// stub's own import may be missing.
			fixed, err := stub.FixGo(content, ch.ModulePath()+"/internal/exercise")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			content = fixed
		}
		if old, err := os.ReadFile(path); err == nil && string(old) == string(content) {
			continue
		}
		plan.writes[path] = content
		if strings.HasSuffix(path, ".proto") {
			plan.protos = append(plan.protos, path)
		}
	}
	if single && len(broken) == 0 {
		return plan, nil
	}
	// A whole chapter: damaged files come back whole, and the exercise
	// table is brought up to date.
	all, err := chapter.Generated(ctx, ch)
	if err != nil {
		return nil, err
	}
	for path := range broken {
		plan.writes[path] = all[path]
		plan.whole = append(plan.whole, path)
	}
	table := ch.LearnerPath(chapter.ExerciseTable)
	if content, ok := all[table]; ok && slices.Contains(chapter.Stale(ch, all), chapter.ExerciseTable) {
		plan.writes[table] = content
		plan.generated = append(plan.generated, table)
	}
	return plan, nil
}

// resetRegions puts exercise id's stubs, from the reference, back into a
// learner file.
func resetRegions(ch *manifest.Chapter, file, id string, mine []byte) ([]byte, error) {
	ref, err := os.ReadFile(ch.SolutionPath(file))
	if err != nil {
		return nil, err
	}
	regions, err := stub.Parse(ref)
	if err != nil {
		return nil, err
	}
	var bodies [][]string
	for _, r := range regions {
		if r.ID == id {
			bodies = append(bodies, r.Stub)
		}
	}
	return stub.ReplaceRegions(mine, id, bodies)
}

// print says what the reset will do, file by file.
func (p *resetPlan) print(u ui, root string) {
	rel := func(path string) string {
		r, _ := filepath.Rel(root, path)
		return filepath.ToSlash(r)
	}
	paths := make([]string, 0, len(p.regions))
	for path := range p.regions {
		if _, ok := p.writes[path]; ok && !slices.Contains(p.whole, path) {
			paths = append(paths, path)
		}
	}
	slices.Sort(paths)
	for _, path := range paths {
		fmt.Printf(u.t("  reset %s in %s\n", "  %[2]s: 실습 %[1]s 되돌림\n"), strings.Join(p.regions[path], ", "), rel(path))
	}
	for _, path := range p.whole {
		fmt.Printf(u.t("  restore %s whole: its //exercise markers no longer match the reference\n", "  %s 전체 복원: //exercise 표시 줄이 참조 답안과 맞지 않습니다\n"), rel(path))
	}
	for _, path := range p.generated {
		fmt.Printf(u.t("  regenerate %s\n", "  %s 다시 생성\n"), rel(path))
	}
	for path := range p.writes {
		if len(p.regions[path]) == 0 && !slices.Contains(p.whole, path) && !slices.Contains(p.generated, path) {
			fmt.Printf(u.t("  tidy the imports of %s\n", "  %s 임포트 정리\n"), rel(path))
		}
	}
}

// confirm asks a yes/no question on the terminal; without one (a script, an
// editor's task runner) the answer is no.
func confirm(u ui, question string) bool {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Println(u.t("Not asking without a terminal: nothing changed. Add -yes to reset anyway.", "터미널이 없어 묻지 않았고 아무것도 바꾸지 않았습니다. 그래도 되돌리려면 -yes를 붙이세요."))
		return false
	}
	fmt.Printf("%s [y/N] ", question)
	answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}
