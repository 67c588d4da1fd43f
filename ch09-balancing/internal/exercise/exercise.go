package exercise

import (
	"fmt"
	"os"
	"strings"
)

// NotDoneError is returned by the stub of an exercise that has not been
// written yet. Tests find it with errors.As.
type NotDoneError struct {
	// ID is the exercise number, e.g. "1.2".
	ID string
	// Name is what the exercise builds, e.g. "Log.Read".
	Name string
	// Where is the README section that explains it, relative to the
	// repository root, e.g. "ch01-json-http/README.md#12-logread", or
	// README.ko.md under a Korean locale (see [Korean]).
	Where string
	// Korean selects the Korean wording of Error.
	Korean bool
}

// Error reads, on one line, which exercise to do and where to read about it.
// The English line is what the workshop tool looks for; it pins the locale
// of the tests it runs.
func (e *NotDoneError) Error() string {
	if e.Korean {
		return fmt.Sprintf("아직 하지 않은 실습: %s (%s). 읽을 곳: %s", e.ID, e.Name, e.Where)
	}
	return fmt.Sprintf("exercise %s (%s) is not done yet: see %s", e.ID, e.Name, e.Where)
}

// NotDone returns the error for the exercise with the given id, in Korean
// when [Korean] says so. An id that the chapter's workshop.json does not
// declare still gives a readable error.
func NotDone(id string) error {
	ko := Korean()
	page := "README.md"
	if ko {
		page = "README.ko.md"
	}
	info, ok := exercises[id]
	if !ok {
		return &NotDoneError{ID: id, Name: "unknown exercise", Where: "this chapter's " + page, Korean: ko}
	}
	// README.ko.md gives each exercise heading the English anchor as an
	// explicit id, so one anchor serves both pages.
	return &NotDoneError{ID: id, Name: info.name, Where: info.chapter + "/" + page + "#" + info.anchor, Korean: ko}
}

// Korean reports whether the locale asks for Korean messages. As in POSIX,
// the first of LC_ALL, LC_MESSAGES and LANG that is set decides, and a
// value starting with "ko" (ko_KR.UTF-8, ko) means Korean.
func Korean() bool {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			return strings.HasPrefix(v, "ko")
		}
	}
	return false
}

// info describes one exercise; the table of them is generated from
// workshop.json into exercises.go.
type info struct {
	// name is what the exercise builds, e.g. "Log.Read".
	name string
	// chapter is the chapter's directory, e.g. "ch01-json-http".
	chapter string
	// anchor is the exercise's section in README.md and README.ko.md.
	anchor string
}
