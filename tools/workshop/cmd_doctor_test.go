package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNeedsDownloadTellsAMissingModuleFromABrokenOne(t *testing.T) {
	// What go list says on a fresh clone with the network turned off.
	require.True(t, needsDownload("go: can't load test package: api/v1/log_grpc.pb.go:13:2: github.com/stretchr/testify@v1.12.1: module lookup disabled by GOPROXY=off"))
	require.False(t, needsDownload("internal/log/store.go:12:1: syntax error: non-declaration statement outside function body"))
}

func TestVersionLess(t *testing.T) {
	require.True(t, versionLess("go1.25.3", "go1.26"))
	require.False(t, versionLess("go1.26.8", "go1.26"))
	require.False(t, versionLess("go1.27", "go1.26"))
}
