// Command workshop is the learner's and instructor's tool for this
// repository: it shows progress, runs a chapter's exercise tests, gives
// hints, reveals and resets reference solutions, and verifies that every
// chapter is sound. Run it from the repository root:
//
//	go run ./tools/workshop help
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

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
	switch args[0] {
	case "protoc":
		return runProtoc(ctx, args[1:])
	case "generate", "stubs":
		return runGenerate(ctx, args[1:])
	case "verify":
		return runVerify(ctx, args[1:])
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
}
