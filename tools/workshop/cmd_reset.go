package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/stub"
)

// runReset puts the stubs back: of one exercise (only its regions; the
// learner's other work stays) or of a whole chapter. It asks first.
func runReset(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	yes := fs.Bool("yes", false, "do not ask before overwriting")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: workshop reset [-yes] <exercise|chapter>\n\nRestores the starting stub of one exercise (e.g. 3.2) or of every exercise of a chapter (e.g. 3).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("reset what?")
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	target := fs.Arg(0)
	var writes map[string][]byte
	if strings.Contains(target, ".") {
		ch, ex, err := findExercise(root, target)
		if err != nil {
			return err
		}
		if writes, err = resetExercise(ch, ex); err != nil {
			return err
		}
	} else {
		ch, err := resolveChapter(root, target)
		if err != nil {
			return err
		}
		all, err := chapter.Generated(ctx, ch)
		if err != nil {
			return err
		}
		writes = map[string][]byte{}
		for _, file := range chapter.Stale(ch, all) {
			path := ch.LearnerPath(file)
			if content, ok := all[path]; ok && !strings.HasPrefix(file, manifest.SolutionDir+"/") {
				writes[path] = content
			}
		}
	}
	if len(writes) == 0 {
		fmt.Println("Nothing to reset: the files are as they started.")
		return nil
	}
	for path := range writes {
		rel, _ := filepath.Rel(root, path)
		fmt.Println("  will overwrite", rel)
	}
	if !*yes && !confirm("Your changes to these files will be lost. Go on?") {
		return errors.New("nothing was changed")
	}
	return chapter.Write(writes)
}

// resetExercise returns the learner files of ex with ex's regions back to
// their stubs.
func resetExercise(ch *manifest.Chapter, ex *manifest.Exercise) (map[string][]byte, error) {
	writes := map[string][]byte{}
	for _, file := range ex.Files {
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
			if r.ID == ex.ID {
				bodies = append(bodies, r.Stub)
			}
		}
		mine, err := os.ReadFile(ch.LearnerPath(file))
		if err != nil {
			return nil, err
		}
		reset, err := stub.ReplaceRegions(mine, ex.ID, bodies)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (reset the whole chapter instead: workshop reset %s)", file, err, ch.Dir)
		}
		if strings.HasSuffix(file, ".go") {
			// Imports the learner added for their code may now be unused.
			if reset, err = stub.FixGo(reset, ch.ModulePath()+"/internal/exercise"); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
		if strings.HasSuffix(file, ".proto") {
			fmt.Printf("  then regenerate its code: cd %s && go generate ./...\n", ch.Dir)
		}
		if string(reset) != string(mine) {
			writes[ch.LearnerPath(file)] = reset
		}
	}
	return writes, nil
}

// confirm asks a yes/no question on the terminal; without one, the answer
// is no.
func confirm(question string) bool {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Println("Not asking without a terminal; add -yes to overwrite.")
		return false
	}
	fmt.Printf("%s [y/N] ", question)
	answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}
