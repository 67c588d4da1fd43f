package main

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// serveEnvFile lists the environment variables serve reads, one a line. The
// Helm chart's test (deploy/helm, a module of its own that cannot import
// this package) checks every PROGLOG_ variable the chart sets against it,
// so that a renamed flag breaks that test rather than a node in a cluster.
const serveEnvFile = "../../deploy/helm/testdata/serve-env.txt"

// serveEnvNames returns the environment variable of every serve flag, in
// the order of their flags' names.
func serveEnvNames() string {
	flags := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addServeFlags(flags)
	var names strings.Builder
	flags.VisitAll(func(f *pflag.Flag) {
		names.WriteString(envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")) + "\n")
	})
	return names.String()
}

func TestServeEnvFileIsCurrent(t *testing.T) {
	got, err := os.ReadFile(serveEnvFile)
	require.NoError(t, err)
	require.Equal(t, serveEnvNames(), string(got),
		"%s is out of date with serve's flags: write into it the expected text above", serveEnvFile)
}
