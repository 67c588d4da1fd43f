package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStandaloneModuleDirs(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"ch01", "final", "final/bench", "final/deploy/helm", "tools/x/testdata/repo", ".git/y"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, dir), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, dir, "go.mod"), []byte("module example.com/m\n"), 0o644))
	}
	workspace := []string{filepath.Join(root, "ch01"), filepath.Join(root, "final")}
	require.Equal(t,
		[]string{filepath.Join(root, "final/bench"), filepath.Join(root, "final/deploy/helm")},
		standaloneModuleDirs(root, workspace),
		"the modules outside go.work, without test data and hidden directories")
}
