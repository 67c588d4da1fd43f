package exercise

import "fmt"

// NotDoneError is returned by the stub of an exercise that has not been
// written yet. Tests find it with errors.As.
type NotDoneError struct {
	// ID is the exercise number, e.g. "1.2".
	ID string
	// Name is what the exercise builds, e.g. "Log.Read".
	Name string
	// Where is the README section that explains it, relative to the
	// repository root, e.g. "ch01-json-http/README.md#12-logread".
	Where string
}

// Error reads, on one line, which exercise to do and where to read about it.
func (e *NotDoneError) Error() string {
	return fmt.Sprintf("exercise %s (%s) is not done yet: see %s", e.ID, e.Name, e.Where)
}

// NotDone returns the error for the exercise with the given id. An id that
// the chapter's workshop.json does not declare still gives a readable error.
func NotDone(id string) error {
	info, ok := exercises[id]
	if !ok {
		return &NotDoneError{ID: id, Name: "unknown exercise", Where: "this chapter's README.md"}
	}
	return &NotDoneError{ID: id, Name: info.name, Where: info.where}
}

// info describes one exercise; the table of them is generated from
// workshop.json into exercises.go.
type info struct {
	name  string
	where string
}
