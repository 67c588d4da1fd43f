package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]uint64{
		"0": 0, "512": 512, "512B": 512, "64KiB": 64 << 10, "64 MiB": 64 << 20,
		"10GiB": 10 << 30, "1TiB": 1 << 40, "5KB": 5000, "500MB": 500e6, "10GB": 10e9, "2TB": 2e12,
	} {
		got, err := parseBytes(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "ten", "-1", "1.5GiB", "GiB", "1PB", "99999999999TiB"} {
		_, err := parseBytes(in)
		require.Error(t, err, in)
	}
}
