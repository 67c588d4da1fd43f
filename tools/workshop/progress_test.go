package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMeasureRunsTheTestsUnderTheRaceDetector(t *testing.T) {
	ch := miniature(t)
	path := ch.LearnerPath("internal/sum/sum.go")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	// A correct sum with a data race: only -race can tell it from a right one.
	racy := strings.Replace(string(data), `return 0, exercise.NotDone("1.1")`, `done := make(chan struct{})
	go func() { last = a; close(done) }()
	last = b
	<-done
	return a + b, nil`, 1) + "\nvar last int\n"
	require.NoError(t, os.WriteFile(path, []byte(racy), 0o644))

	p, err := measure(t.Context(), ch, "1.1")
	require.NoError(t, err)
	require.Empty(t, p.broken)
	require.False(t, p.done["1.1"], "the race must fail exercise 1.1")
	require.Contains(t, p.failures["1.1"][0].output, "WARNING: DATA RACE")
}
