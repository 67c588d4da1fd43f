package manifest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func write(t *testing.T, dir, manifest string) string {
	t.Helper()
	ch := filepath.Join(t.TempDir(), dir)
	require.NoError(t, os.MkdirAll(ch, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(ch, File), []byte(manifest), 0o644))
	return ch
}

func TestLoadReadsAChapter(t *testing.T) {
	dir := write(t, "ch01-x", `{"chapter": "ch01-x", "changed": ["internal/a/"], "exercises": [
		{"id": "1.1", "name": "A", "anchor": "11-a", "files": ["a.go"], "tests": ["internal/a:TestA"],
		 "mutations": [{"name": "m", "file": "a.go", "find": "x", "replace": "y", "tests": ["internal/a:TestA"], "message": "z"}]}]}`)
	ch, err := Load(dir)
	require.NoError(t, err)
	require.Equal(t, 1, ch.RaceCount, "race_count defaults to 1")
	require.Equal(t, "ch01-x/README.md#11-a", ch.Where(ch.Exercises[0], false))
	require.Equal(t, "ch01-x/README.ko.md#11-a", ch.Where(ch.Exercises[0], true), "the Korean page carries the English anchor as an explicit id")
	require.Equal(t, ModulePrefix+"ch01-x", ch.ModulePath())
	require.True(t, ch.IsChanged("internal/a/b.go"), "a trailing slash names a directory")
	require.False(t, ch.IsChanged("internal/ab.go"))
}

func TestLoadRejectsAnIncompleteManifest(t *testing.T) {
	tests := []struct {
		name, manifest, want string
	}{
		{"chapter does not match its directory", `{"chapter": "ch02-y"}`, `chapter "ch02-y" does not match its directory "ch01-x"`},
		{"unknown field", `{"chapter": "ch01-x", "exercize": []}`, `unknown field "exercize"`},
		{"anchor_ko is gone", `{"chapter": "ch01-x", "exercises": [{"id": "1.1", "anchor_ko": "11-가"}]}`, `unknown field "anchor_ko"`},
		{"bad id", `{"chapter": "ch01-x", "exercises": [{"id": "one"}]}`, `exercise id "one" is not of the form N.M`},
		{"no mutation", `{"chapter": "ch01-x", "exercises": [{"id": "1.1", "name": "A", "anchor": "a", "files": ["a.go"], "tests": ["p:TestA"]}]}`, "exercise 1.1 has no mutation scenario"},
		{"bad test id", `{"chapter": "ch01-x", "exercises": [{"id": "1.1", "name": "A", "anchor": "a", "files": ["a.go"], "tests": ["TestA"]}]}`, `test "TestA" is not of the form dir:TestName`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(write(t, "ch01-x", tt.manifest))
			require.ErrorContains(t, err, tt.want)
		})
	}
}
