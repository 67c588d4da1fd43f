package main

import (
	"fmt"
	"strconv"
	"strings"
)

// byteUnits are the units parseBytes knows, longest first so that "MiB"
// is not read as "B" after a number "…Mi".
var byteUnits = []struct {
	suffix string
	size   uint64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"B", 1},
}

// parseBytes reads a size such as "512", "64MiB" or "10GB": a whole number
// with an optional unit, binary (KiB, MiB, GiB, TiB) or decimal (KB, MB,
// GB, TB).
func parseBytes(s string) (uint64, error) {
	text := strings.TrimSpace(s)
	multiplier := uint64(1)
	for _, unit := range byteUnits {
		if strings.HasSuffix(text, unit.suffix) {
			text, multiplier = strings.TrimSpace(strings.TrimSuffix(text, unit.suffix)), unit.size
			break
		}
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: write a whole number of bytes, with a unit if you like (512, 64MiB, 10GB)", s)
	}
	if n > 0 && multiplier > ^uint64(0)/n {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * multiplier, nil
}
