package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/verify"
)

// The chapters' gofmt check lives in verify; this is the same check for
// the tool's own source.
func TestToolSourceIsGofmted(t *testing.T) {
	files, err := verify.Unformatted(".")
	require.NoError(t, err)
	require.Empty(t, files, "run gofmt -w on these files")
}
