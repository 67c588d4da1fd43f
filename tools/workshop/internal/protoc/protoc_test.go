package protoc

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestGenerateMatchesGolden(t *testing.T) {
	root, err := filepath.Abs("testdata")
	require.NoError(t, err)
	out, err := Generate(t.Context(), Request{Root: root, Files: []string{"greet/greet.proto"}, Plugins: []string{"protoc-gen-go"}})
	require.NoError(t, err)
	require.Len(t, out, 1, "one .proto gives one .pb.go")
	got := out["greet/greet.pb.go"]
	golden := filepath.Join("testdata", "greet", "greet.pb.go.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update once to create the golden file")
	require.Equal(t, string(want), string(got), "generated code changed: check it, then go test -update")
	require.Contains(t, string(got), "// Hello says hello.", "comments in the .proto reach the Go code, as with protoc")
}

func TestGenerateReportsCompileErrors(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "bad.proto"), []byte("syntax = \"proto3\";\nmessage X { string a = 1; string b = 1; }\n"), 0o644))
	_, err := Generate(t.Context(), Request{Root: root, Files: []string{"bad.proto"}, Plugins: []string{"protoc-gen-go"}})
	require.ErrorContains(t, err, "bad.proto:2")
}
