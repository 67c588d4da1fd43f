package main

import (
	"flag"
	"slices"
)

// parseFlags parses a command's flags wherever they stand among its
// arguments, so that `hint 2.2 -ko` works as well as `hint -ko 2.2` (the
// flag package alone stops at the first argument that is not a flag).
// Everything after "--" is an argument. It returns the arguments in order.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return append(positional, rest...), nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// languageFlag takes -ko (or --ko) out of args, wherever it stands: every
// command accepts it. It reports whether it was there.
func languageFlag(args []string) ([]string, bool) {
	var kept []string
	found := false
	for i, a := range args {
		if a == "--" {
			kept = append(kept, args[i:]...)
			break
		}
		if a == "-ko" || a == "--ko" {
			found = true
			continue
		}
		kept = append(kept, a)
	}
	return kept, found
}
