package main

import (
	"os"

	"golang.org/x/term"
)

// colour reports whether f is a terminal that wants colour: not when
// NO_COLOR is set (https://no-color.org) or output is piped.
func colour(f *os.File) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

func paint(on bool, code, text string) string {
	if !on {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func bold(on bool, text string) string  { return paint(on, "1", text) }
func green(on bool, text string) string { return paint(on, "32", text) }
func red(on bool, text string) string   { return paint(on, "31", text) }
func dim(on bool, text string) string   { return paint(on, "2", text) }
