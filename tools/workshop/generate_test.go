package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSameRegionsTellsAStubFromALearnersWork(t *testing.T) {
	stubbed := []byte("func f() error {\n\t//exercise:1.1 begin: see README.md#11\n\treturn exercise.NotDone(\"1.1\")\n\t//exercise:1.1 end\n}\n")
	reworded := []byte("// f does it.\nfunc f() error {\n\t//exercise:1.1 begin: see README.md#11-f\n\treturn exercise.NotDone(\"1.1\")\n\t//exercise:1.1 end\n}\n")
	worked := []byte("func f() error {\n\t//exercise:1.1 begin: see README.md#11\n\treturn nil\n\t//exercise:1.1 end\n}\n")
	require.True(t, sameRegions(stubbed, reworded), "a stub regenerated around the regions is not anyone's work")
	require.False(t, sameRegions(worked, stubbed), "code in a region is the learner's work")
	require.False(t, sameRegions([]byte("//exercise:1.1 begin\n"), stubbed), "a file whose markers are broken is treated as work")
}
