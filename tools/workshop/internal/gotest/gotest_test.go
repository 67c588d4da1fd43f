package gotest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

const module = "example.com/ch"

func TestParseKeysResultsByPackageDirectoryAndTopLevelTest(t *testing.T) {
	events := strings.Join([]string{
		`{"Action":"run","Package":"example.com/ch/internal/log","Test":"TestStore"}`,
		`{"Action":"output","Package":"example.com/ch/internal/log","Test":"TestStore/append","Output":"store_test.go:9: exercise 3.1 (store) is not done yet\n"}`,
		`{"Action":"fail","Package":"example.com/ch/internal/log","Test":"TestStore/append","Elapsed":0.01}`,
		`{"Action":"fail","Package":"example.com/ch/internal/log","Test":"TestStore","Elapsed":0.02}`,
		`{"Action":"pass","Package":"example.com/ch","Test":"TestRoot","Elapsed":0}`,
		`{"Action":"fail","Package":"example.com/ch/internal/log","Elapsed":0.1}`,
		`not json: printed by the go command`,
	}, "\n")
	run := parse([]byte(events), module)

	store := run.Tests[manifest.TestID{Pkg: "internal/log", Name: "TestStore"}]
	require.NotNil(t, store)
	require.Equal(t, "fail", store.Action)
	require.Contains(t, store.Output, "exercise 3.1 (store) is not done yet", "subtest output belongs to the top-level test")
	require.Equal(t, "pass", run.Tests[manifest.TestID{Pkg: ".", Name: "TestRoot"}].Action)
	require.Empty(t, run.PackageFailures, "a failing test explains its package's failure")
	require.Contains(t, run.Raw, "not json")
}

func TestParseReportsBuildErrorsAndCrashes(t *testing.T) {
	events := strings.Join([]string{
		`{"Action":"build-output","ImportPath":"example.com/ch/internal/log [example.com/ch/internal/log.test]","Output":"x.go:1: undefined: y\n"}`,
		`{"Action":"output","Package":"example.com/ch/internal/server","Output":"panic: boom\n"}`,
		`{"Action":"fail","Package":"example.com/ch/internal/server","Elapsed":0.1}`,
	}, "\n")
	run := parse([]byte(events), module)
	require.Contains(t, run.BuildErrors["internal/log"], "undefined: y")
	require.Contains(t, run.PackageFailures["internal/server"], "panic: boom")
}

func TestCountFailsWhenAnyRunFails(t *testing.T) {
	events := strings.Join([]string{
		`{"Action":"pass","Package":"example.com/ch","Test":"TestFlaky"}`,
		`{"Action":"fail","Package":"example.com/ch","Test":"TestFlaky"}`,
		`{"Action":"pass","Package":"example.com/ch","Test":"TestFlaky"}`,
	}, "\n")
	run := parse([]byte(events), module)
	require.Equal(t, "fail", run.Tests[manifest.TestID{Pkg: ".", Name: "TestFlaky"}].Action, "with -count=3, one failure in three is a failure")
}
