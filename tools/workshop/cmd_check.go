package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// runCheck runs a chapter's exercise tests (or one exercise's) with -race
// and says, one line per exercise, what passes, then what to do next.
func runCheck(ctx context.Context, u ui, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), u.t("usage: workshop check <chapter> [exercise]", "사용법: workshop check <장> [실습]"))
	}
	args, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(args) == 0 || len(args) > 2 {
		fs.Usage()
		return errors.New(u.t("which chapter?", "어느 장인가요?"))
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ch, err := resolveChapter(root, args[0])
	if err != nil {
		return err
	}
	var only []string
	if len(args) == 2 {
		if _, ok := ch.Exercise(args[1]); !ok {
			return fmt.Errorf(u.t("%s has no exercise %s", "%s에 없는 실습입니다: %s"), ch.Dir, args[1])
		}
		only = args[1:]
	}
	p, err := measure(ctx, ch, only...)
	if err != nil {
		return err
	}
	c := colour(os.Stdout)
	if p.broken != "" {
		fmt.Println(red(c, u.t("The chapter does not build. Fix this first:", "장이 빌드되지 않습니다. 이것부터 고치세요:")))
		fmt.Println(p.broken)
		for _, tip := range buildTips(u, p.broken) {
			fmt.Println(bold(c, u.t("Tip: ", "팁: ")) + tip)
		}
		return errors.New(u.t("does not build", "빌드되지 않음"))
	}
	shown := func(ex manifest.Exercise) bool { return len(only) == 0 || ex.ID == only[0] }
	width := 0
	for _, ex := range ch.Exercises {
		if shown(ex) {
			width = max(width, columns(exerciseTitle(u, ex)))
		}
	}
	var first *manifest.Exercise
	for i, ex := range ch.Exercises {
		if !shown(ex) {
			continue
		}
		title := exerciseTitle(u, ex)
		if p.done[ex.ID] {
			fmt.Printf("  %s %s %s\n", green(c, "✓"), ex.ID, title)
			continue
		}
		fmt.Printf("  %s %s %s  %s\n", red(c, "✗"), ex.ID, pad(title, width), dim(c, state(u, ex, p.failures[ex.ID])))
		if first == nil {
			first = &ch.Exercises[i]
		}
	}
	if first == nil {
		if len(only) == 0 {
			fmt.Println(green(c, u.t(
				"Every exercise of "+ch.Dir+" passes. Compare with the reference: go run ./tools/workshop diff mine <exercise>",
				ch.Dir+"의 실습이 모두 통과합니다. 참조 답안과 비교해 보세요: go run ./tools/workshop diff mine <실습>")))
		}
		return nil
	}
	printNext(u, c, ch, *first, p.failures[first.ID])
	if len(only) > 0 {
		return fmt.Errorf(u.t("exercise %s does not pass yet", "실습 %s: 아직 통과하지 않습니다"), first.ID)
	}
	return fmt.Errorf(u.t("%d of %d exercises to go", "실습 %[2]d개 중 %[1]d개 남음"), len(ch.Exercises)-p.count(), len(ch.Exercises))
}

// printNext says where to read, what to edit, how to run the exercise's
// tests and what they said.
func printNext(u ui, c bool, ch *manifest.Chapter, ex manifest.Exercise, fails []failure) {
	var files []string
	for _, f := range ex.Files {
		files = append(files, ch.Dir+"/"+f)
	}
	width := columns(u.t("read", "테스트"))
	label := func(en, ko string) string { return pad(u.t(en, ko), width) }
	fmt.Printf("\n%s %s %s\n", u.t("Next:", "다음:"), bold(c, ex.ID), exerciseTitle(u, ex))
	fmt.Printf("  %s  %s\n", label("read", "읽기"), ch.Where(ex, u.ko))
	fmt.Printf("  %s  %s\n", label("edit", "수정"), strings.Join(files, ", "))
	fmt.Printf("  %s  %s\n", pad("", width), dim(c, u.t(
		"between the //exercise:"+ex.ID+" markers; helpers of your own may go anywhere in the file",
		"//exercise:"+ex.ID+" 표시 줄 사이. 직접 만든 보조 함수는 파일 어디에 두어도 됩니다")))
	fmt.Printf("  %s  cd %s && %s\n", label("test", "테스트"), ch.Dir, testCommand(ex))
	fmt.Printf("  %s  go run ./tools/workshop hint %s%s\n", label("hint", "힌트"), ex.ID, u.t("", " -ko"))
	if len(fails) > 0 {
		fmt.Printf("\n%s\n%s\n", dim(c, u.t("What the tests said:", "테스트가 한 말:")), indent(said(u, ch, fails[0]), "  "))
	}
}

// exerciseTitle is the title in the learner's language.
func exerciseTitle(u ui, ex manifest.Exercise) string {
	if u.ko && ex.TitleKo != "" {
		return ex.TitleKo
	}
	return ex.Title
}

// notDoneLine matches the line a stub's error prints (under the English
// locale the tool pins), wherever a test put it: alone, after a test's own
// words, or inside a gRPC status.
var notDoneLine = regexp.MustCompile(`exercise ([0-9]+\.[0-9]+) \(([^)]*)\) is not done yet: see (\S+)`)

// state says in a few words where an unfinished exercise stands: its stub
// is untouched, it waits for an earlier exercise's stub, or some of its
// tests fail.
func state(u ui, ex manifest.Exercise, fails []failure) string {
	own, waiting := false, ""
	for _, f := range fails {
		m := notDoneLine.FindStringSubmatch(f.output)
		switch {
		case m == nil:
			return fmt.Sprintf(u.t("%d of %d tests fail", "테스트 %[2]d개 중 %[1]d개 실패"), len(fails), len(ex.Tests))
		case m[1] == ex.ID:
			own = true
		case waiting == "":
			waiting = m[1]
		}
	}
	if !own && waiting != "" {
		return fmt.Sprintf(u.t("waits for %s", "먼저 할 실습: %s"), waiting)
	}
	return u.t("not started", "시작 전")
}

// said is what a failing test said that matters: the stub's line alone,
// in the learner's language, or else the test's own report from its first
// line, without go test's === lines and its passing subtests.
func said(u ui, ch *manifest.Chapter, f failure) string {
	if m := notDoneLine.FindStringSubmatch(f.output); m != nil {
		if !u.ko {
			return m[0]
		}
		where := m[3]
		if ex, ok := ch.Exercise(m[1]); ok {
			where = ch.Where(*ex, true)
		}
		return fmt.Sprintf("아직 하지 않은 실습: %s (%s). 읽을 곳: %s", m[1], m[2], where)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(f.output, "\n"), "\n") {
		if trimmed := strings.TrimSpace(line); !strings.HasPrefix(trimmed, "=== ") && !strings.HasPrefix(trimmed, "--- PASS") {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return fmt.Sprintf(u.t("%s did not run (a test before it may have crashed the test binary)", "%s: 실행되지 않았습니다(앞선 테스트가 테스트 바이너리를 멈췄을 수 있습니다)"), f.test)
	}
	const most = 30
	if len(lines) > most {
		more := len(lines) - most
		lines = append(lines[:most], fmt.Sprintf(u.t("… %d more lines: run the test command above", "… %d줄 더 있습니다. 위의 테스트 명령을 실행하세요"), more))
	}
	return strings.Join(lines, "\n")
}

func indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// buildTips explains the compile errors every learner meets: a file whose
// last stub is gone still imports the exercise package, and the code
// written in place of a stub needs imports the stub did not.
func buildTips(u ui, out string) []string {
	var tips []string
	if strings.Contains(out, `/internal/exercise" imported and not used`) {
		tips = append(tips, u.t(
			"every stub of that file is done, so it no longer needs internal/exercise: delete that import.",
			"그 파일의 스텁을 모두 채웠으니 internal/exercise가 더는 필요 없습니다. 그 임포트를 지우세요."))
	}
	if strings.Contains(out, "undefined: ") {
		tips = append(tips, u.t(
			"an undefined package name (json, errors, fmt, ...) needs its import added back: the stub file kept only the imports the stub used.",
			"정의되지 않은 패키지 이름(json, errors, fmt 등)은 임포트를 다시 추가해야 합니다. 스텁 파일에는 스텁이 쓰는 임포트만 남아 있습니다."))
	}
	if len(tips) > 0 {
		tips = append(tips, u.t(
			"goimports fixes imports for you: go run golang.org/x/tools/cmd/goimports -w <file> (editors with gopls do it on save).",
			"goimports가 임포트를 정리해 줍니다: go run golang.org/x/tools/cmd/goimports -w <파일> (gopls를 쓰는 편집기는 저장할 때 해 줍니다)."))
	}
	return tips
}
