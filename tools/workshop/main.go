// Command workshop is the learner's and instructor's tool for this
// repository: it shows progress, runs a chapter's exercise tests, gives
// hints, reveals and resets reference solutions, shows what changed between
// chapters, and verifies that every chapter is sound. Run it from anywhere
// in the repository:
//
//	go run ./tools/workshop help
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

var stdout = os.Stdout

type command struct {
	name, args, help string
	run              func(context.Context, []string) error
}

var commands []command

func init() {
	// Assigned in init because help refers to the table itself.
	commands = []command{
		{"status", "[chapter...]", "progress of every chapter, from its tests", runStatus},
		{"check", "<chapter> [exercise]", "run a chapter's exercise tests; say what to do next", runCheck},
		{"watch", "<chapter>", "re-run check whenever a file is saved", runWatch},
		{"hint", "[-ko] <exercise> [level]", "show a hint (level 1 is a nudge, the last nearly the answer)", runHint},
		{"reveal", "[-force] <exercise>", "print the reference solution of an exercise once it passes", runReveal},
		{"reset", "[-yes] <exercise|chapter>", "put the starting stubs back (asks first)", runReset},
		{"diff", "<chA> <chB> | [-force] mine <ex>", "what changed between chapters, or your code vs the reference", runDiff},
		{"overlay", "<chapter>", "print a go test -overlay file that runs the reference", runOverlay},
		{"doctor", "", "check this machine: Go, race detector, ports, disk, modules", runDoctor},
		{"prefetch", "", "download and build everything, for an offline workshop", runPrefetch},
		{"verify", "[-skip proofs] [chapter...]", "run every proof on the chapters (what CI runs)", runVerify},
		{"generate", "[chapter...]", "regenerate stubs, exercise tables and protobuf code (maintainers)", runGenerate},
		{"carry", "<chapter...>", "copy the previous chapter's reference into a chapter (maintainers)", runCarry},
		{"protoc", "<file.proto...>", "compile .proto files in pure Go with the pinned plugins (go generate)", runProtoc},
		{"help", "", "this text", runHelp},
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
	if len(args) == 0 {
		args = []string{"help"}
	}
	for _, c := range commands {
		if c.name == args[0] || (args[0] == "stubs" && c.name == "generate") {
			return c.run(ctx, args[1:])
		}
	}
	return fmt.Errorf("unknown command %q; see `go run ./tools/workshop help`", args[0])
}

func runHelp(context.Context, []string) error {
	c := colour(stdout)
	fmt.Printf("%s\n\n  go run ./tools/workshop <command> [arguments]\n\n", bold(c, "workshop: the learner's and instructor's tool"))
	for _, cmd := range commands {
		fmt.Printf("  %-9s %-32s %s\n", cmd.name, cmd.args, dim(c, cmd.help))
	}
	fmt.Print(`
A chapter is named by its directory (ch03-log) or its number (3); an
exercise by its number (3.2). Typical loop:

  go run ./tools/workshop check 1      # what to do next
  go run ./tools/workshop hint 1.1     # stuck? a nudge
  go run ./tools/workshop watch 1      # re-run on every save
`)
	return nil
}
