package main

import (
	"errors"
	"os"
	"strings"
	"unicode"

	"golang.org/x/term"
)

// ui is how the tool speaks to the person running it.
type ui struct {
	// ko selects Korean messages and README.ko.md / HINTS.ko.md links.
	ko bool
}

// t picks the text of the learner's language.
func (u ui) t(en, ko string) string {
	if u.ko {
		return ko
	}
	return en
}

// koreanLocale reports whether the locale asks for Korean: as in POSIX, the
// first of LC_ALL, LC_MESSAGES and LANG that is set decides. It is the same
// rule the chapters' internal/exercise package follows.
func koreanLocale() bool {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			return strings.HasPrefix(v, "ko")
		}
	}
	return false
}

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

func bold(on bool, text string) string   { return paint(on, "1", text) }
func green(on bool, text string) string  { return paint(on, "32", text) }
func red(on bool, text string) string    { return paint(on, "31", text) }
func yellow(on bool, text string) string { return paint(on, "33", text) }
func dim(on bool, text string) string    { return paint(on, "2", text) }

// pad fills text with spaces to width terminal columns.
func pad(text string, width int) string {
	if n := columns(text); n < width {
		return text + strings.Repeat(" ", width-n)
	}
	return text
}

// columns is how many terminal columns text takes: Hangul takes two.
func columns(text string) int {
	n := 0
	for _, r := range text {
		n++
		if unicode.Is(unicode.Hangul, r) {
			n++
		}
	}
	return n
}

// localized is an error that also has a Korean wording, for the errors
// every learner command can meet (no such chapter, no such exercise).
type localized struct {
	en, ko string
}

func (e *localized) Error() string { return e.en }

// in returns err in the learner's language when it has a Korean wording.
func (u ui) in(err error) error {
	var l *localized
	if u.ko && errors.As(err, &l) {
		return errors.New(l.ko)
	}
	return err
}
