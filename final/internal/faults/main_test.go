package faults

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// binary builds the proglog binary once for the package's tests, into a
// directory TestMain deletes.
var binary = struct {
	once sync.Once
	dir  string
	path string
	err  error
}{}

// proglogBinary returns the path of the proglog binary, building it the
// first time.
func proglogBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "proglog-faults-bin-")
		if binary.err == nil {
			binary.path, binary.err = Build(binary.dir)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// TestMain deletes the binary once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		if err := os.RemoveAll(binary.dir); err != nil {
			fmt.Fprintf(os.Stderr, "delete the proglog binary: %v\n", err)
		}
	}
	os.Exit(code)
}
