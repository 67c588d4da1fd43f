package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// miniature copies chapter 1 of verify's miniature workshop into a
// temporary directory and writes its stubs.
func miniature(t *testing.T) *manifest.Chapter {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.CopyFS(root, os.DirFS("internal/verify/testdata/repo")))
	ch, err := manifest.Load(filepath.Join(root, "ch01-sum"))
	require.NoError(t, err)
	generated, err := chapter.Generated(t.Context(), ch)
	require.NoError(t, err)
	require.NoError(t, chapter.Write(generated))
	return ch
}

// solve writes code into exercise 1.1's region and a helper after it, as a
// learner would.
func solve(t *testing.T, ch *manifest.Chapter) string {
	t.Helper()
	path := ch.LearnerPath("internal/sum/sum.go")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	src := strings.Replace(string(data), `return 0, exercise.NotDone("1.1")`, "return plus(a, b), nil", 1)
	src += "\n// plus is the learner's own helper.\nfunc plus(a, b int) int { return a + b }\n"
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return path
}

func TestResetOfAnExerciseKeepsCodeOutsideTheMarkers(t *testing.T) {
	ch := miniature(t)
	path := solve(t, ch)
	ex, _ := ch.Exercise("1.1")
	plan, err := planReset(t.Context(), ch, []manifest.Exercise{*ex}, true)
	require.NoError(t, err)
	require.Equal(t, []string{"1.1"}, plan.regions[path])
	got := string(plan.writes[path])
	require.Contains(t, got, `return 0, exercise.NotDone("1.1")`, "the stub is back")
	require.NotContains(t, got, "return plus(a, b), nil")
	require.Contains(t, got, "func plus(a, b int) int", "the helper outside the markers stays")
}

func TestResetOfAnExerciseRefusesAFileWithEditedMarkers(t *testing.T) {
	ch := miniature(t)
	path := solve(t, ch)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), "//exercise:1.1 end", "", 1)), 0o644))
	ex, _ := ch.Exercise("1.1")
	_, err = planReset(t.Context(), ch, []manifest.Exercise{*ex}, true)
	require.ErrorContains(t, err, "reset the whole chapter instead: workshop reset ch01-sum")
}

func TestResetOfAChapterRestoresAFileWithEditedMarkersWhole(t *testing.T) {
	ch := miniature(t)
	path := solve(t, ch)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), "//exercise:1.1 end", "", 1)), 0o644))
	plan, err := planReset(t.Context(), ch, ch.Exercises, false)
	require.NoError(t, err)
	require.Equal(t, []string{path}, plan.whole)
	generated, err := chapter.Generated(t.Context(), ch)
	require.NoError(t, err)
	require.Equal(t, string(generated[path]), string(plan.writes[path]))
}

func TestResetOfAnUntouchedChapterWritesNothing(t *testing.T) {
	ch := miniature(t)
	plan, err := planReset(t.Context(), ch, ch.Exercises, false)
	require.NoError(t, err)
	require.Empty(t, plan.writes)
}
