package main

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseFlagsTakesFlagsInAnyOrder(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"flag first", []string{"-yes", "3.2"}, []string{"3.2"}},
		{"flag last", []string{"3.2", "-yes"}, []string{"3.2"}},
		{"flag between", []string{"3.2", "-yes", "2"}, []string{"3.2", "2"}},
		{"after -- everything is an argument", []string{"3.2", "--", "-yes"}, []string{"3.2", "-yes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("reset", flag.ContinueOnError)
			yes := fs.Bool("yes", false, "")
			got, err := parseFlags(fs, tt.args)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.name != "after -- everything is an argument", *yes)
		})
	}
}

func TestParseFlagsRejectsAnUnknownFlagAnywhere(t *testing.T) {
	fs := flag.NewFlagSet("hint", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_, err := parseFlags(fs, []string{"2.2", "-kor"})
	require.ErrorContains(t, err, "flag provided but not defined: -kor")
}

func TestLanguageFlagIsTakenFromAnyPlace(t *testing.T) {
	for _, args := range [][]string{{"-ko", "hint", "2.2"}, {"hint", "2.2", "-ko"}, {"hint", "--ko", "2.2"}} {
		rest, ko := languageFlag(args)
		require.True(t, ko, "%q", args)
		require.Equal(t, []string{"hint", "2.2"}, rest)
	}
	rest, ko := languageFlag([]string{"hint", "2.2"})
	require.False(t, ko)
	require.Equal(t, []string{"hint", "2.2"}, rest)
}
