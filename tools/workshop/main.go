// Command workshop is the learner's and instructor's tool for this
// repository: it shows progress, runs a chapter's exercise tests, gives
// hints, reveals and resets reference solutions, shows what changed between
// chapters, and verifies that every chapter is sound. Run it from anywhere
// in the repository:
//
//	go run ./tools/workshop help
//
// It speaks Korean, and links README.ko.md, with -ko or under a Korean
// locale (LANG=ko_KR.UTF-8).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

var stdout = os.Stdout

type command struct {
	name, args, help, helpKo string
	run                      func(context.Context, ui, []string) error
}

var commands []command

func init() {
	// Assigned in init because help refers to the table itself.
	commands = []command{
		{"status", "[chapter...]", "progress of every chapter, from its tests", "모든 장의 진행 상황(테스트 결과로 판단)", runStatus},
		{"check", "<chapter> [exercise]", "run a chapter's exercise tests with -race; say what to do next", "장의 실습 테스트를 -race로 실행하고 다음 할 일을 알려 줌", runCheck},
		{"watch", "<chapter>", "re-run check whenever a file is saved", "파일을 저장할 때마다 check를 다시 실행", runWatch},
		{"hint", "<exercise> [level]", "show a hint (level 1 is a nudge, the last nearly the answer)", "힌트 보기(1단계는 살짝, 마지막 단계는 거의 답)", runHint},
		{"reveal", "[-force] <exercise>", "print the reference solution of an exercise once it passes", "실습이 통과하면 참조 답안을 출력", runReveal},
		{"reset", "[-yes] <exercise|chapter>", "put the stubs back; code outside the markers stays (asks first)", "스텁을 되돌림. 표시 줄 바깥 코드는 남김(먼저 물어봄)", runReset},
		{"diff", "<chA> <chB> | [-force] mine <ex>", "what changed between chapters, or your code vs the reference", "장 사이의 차이, 또는 내 코드와 참조 답안의 차이", runDiff},
		{"overlay", "<chapter>", "print a go test -overlay file that runs the reference", "참조 답안을 실행하는 go test -overlay 파일 경로를 출력", runOverlay},
		{"doctor", "", "check this machine: Go, race detector, ports, disk, modules", "이 컴퓨터 점검: Go, 레이스 탐지기, 포트, 디스크, 모듈", runDoctor},
		{"prefetch", "", "download and build everything, for an offline workshop", "오프라인 워크숍을 위해 모든 모듈을 내려받고 빌드", runPrefetch},
		{"verify", "[-v] [-j n] [-skip p] [ch...]", "run every proof on the chapters (what CI runs)", "장마다 모든 증명을 실행(CI가 실행하는 것)", runVerify},
		{"generate", "[-force] [chapter...]", "regenerate stubs, exercise tables and protobuf code (maintainers)", "스텁, 실습 표, protobuf 코드를 다시 생성(관리자용)", runGenerate},
		{"carry", "<chapter...>", "copy the previous chapter's reference into a chapter (maintainers)", "이전 장의 참조 답안을 장에 복사(관리자용)", runCarry},
		{"protoc", "<file.proto...>", "compile .proto files in pure Go with the pinned plugins (go generate)", "고정된 플러그인으로 .proto 파일을 순수 Go로 컴파일(go generate)", runProtoc},
		{"help", "", "this text", "이 도움말", runHelp},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "workshop:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	args, ko := languageFlag(args)
	u := ui{ko: ko || koreanLocale()}
	if len(args) == 0 {
		args = []string{"help"}
	}
	for _, c := range commands {
		if c.name == args[0] || (args[0] == "stubs" && c.name == "generate") {
			return u.in(c.run(ctx, u, args[1:]))
		}
	}
	return fmt.Errorf(u.t("unknown command %q; see `go run ./tools/workshop help`", "모르는 명령 %q입니다. `go run ./tools/workshop help`를 보세요"), args[0])
}

func runHelp(_ context.Context, u ui, _ []string) error {
	c := colour(stdout)
	fmt.Printf("%s\n\n  go run ./tools/workshop <command> [arguments] [-ko]\n\n", bold(c, u.t("workshop: the learner's and instructor's tool", "workshop: 학습자와 강사를 위한 도구")))
	for _, cmd := range commands {
		fmt.Printf("  %-9s %-32s %s\n", cmd.name, cmd.args, dim(c, u.t(cmd.help, cmd.helpKo)))
	}
	fmt.Print(u.t(`
A chapter is named by its directory (ch03-log) or its number (3); an
exercise by its number (3.2). Flags may come before or after the other
arguments; -ko (or a Korean LANG) switches to Korean. Typical loop:

  go run ./tools/workshop check 1      # what to do next
  go run ./tools/workshop hint 1.1     # stuck? a nudge
  go run ./tools/workshop watch 1      # re-run on every save
`, `
장은 디렉터리 이름(ch03-log)이나 번호(3)로, 실습은 번호(3.2)로 가리킵니다.
플래그는 다른 인자의 앞에 와도 뒤에 와도 됩니다. -ko(또는 한국어 LANG)를 주면
한국어로 안내합니다. 보통은 이렇게 반복합니다:

  go run ./tools/workshop check 1      # 다음에 할 일
  go run ./tools/workshop hint 1.1     # 막혔다면 힌트
  go run ./tools/workshop watch 1      # 저장할 때마다 다시 실행
`))
	return nil
}
