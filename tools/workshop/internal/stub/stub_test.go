package stub

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const reference = `package store

import (
	"encoding/binary"
	"os"
)

type store struct {
	*os.File
	//exercise:3.1 begin
	size uint64
	//exercise:3.1 end
}

func (s *store) Append(p []byte) (uint64, error) {
	//exercise:3.1 begin
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(len(p)))
	return s.size, nil
	//exercise:3.1 stub
	// return 0, exercise.NotDone("3.1")
	//exercise:3.1 end
}
`

func TestLearnerReplacesRegionsWithStubs(t *testing.T) {
	got, err := Learner([]byte(reference), Options{
		Go:     true,
		Import: "example.com/ch/internal/exercise",
		Where:  func(id string) string { return "README.md#31-store" },
	})
	require.NoError(t, err)
	want := `package store

import (
	"os"

	"example.com/ch/internal/exercise"
)

type store struct {
	*os.File
	//exercise:3.1 begin: see README.md#31-store
	//exercise:3.1 end
}

func (s *store) Append(p []byte) (uint64, error) {
	//exercise:3.1 begin: see README.md#31-store
	return 0, exercise.NotDone("3.1")
	//exercise:3.1 end
}
`
	require.Equal(t, want, string(got))
}

func TestReferenceDropsMarkersAndStubs(t *testing.T) {
	got, err := Reference([]byte(reference))
	require.NoError(t, err)
	require.NotContains(t, string(got), "//exercise:")
	require.NotContains(t, string(got), "NotDone")
	require.Contains(t, string(got), "\tsize uint64\n}")
	require.Contains(t, string(got), "binary.BigEndian.PutUint64")
}

func TestParseReportsBrokenMarkers(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"begin without end", "//exercise:1.1 begin\nx\n", "line 1: exercise 1.1 begins but never ends"},
		{"end without begin", "x\n//exercise:1.1 end\n", "line 2: \"end\" of exercise 1.1 without its begin"},
		{"nested", "//exercise:1.1 begin\n//exercise:1.2 begin\n", "line 2: exercise 1.2 begins inside exercise 1.1 (line 1)"},
		{"end of another exercise", "//exercise:1.1 begin\n//exercise:1.2 end\n", "line 2: \"end\" of exercise 1.2 without its begin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestReplaceRegionsTouchesOnlyOneExercise(t *testing.T) {
	learner := strings.Join([]string{
		"func a() {",
		"\t//exercise:1.1 begin: see README.md#11",
		"\tmine()",
		"\t//exercise:1.1 end",
		"}",
		"func b() {",
		"\t//exercise:1.2 begin: see README.md#12",
		"\talsoMine()",
		"\t//exercise:1.2 end",
		"}",
	}, "\n")
	got, err := ReplaceRegions([]byte(learner), "1.2", [][]string{{"\treference()"}})
	require.NoError(t, err)
	require.Equal(t, strings.Replace(learner, "alsoMine()", "reference()", 1), string(got))

	_, err = ReplaceRegions([]byte(learner), "1.2", nil)
	require.ErrorContains(t, err, "has 1 regions of exercise 1.2 where the reference has 0")
}

func TestLearnerKeepsImportsItStillUses(t *testing.T) {
	src := "package auth\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/casbin/casbin/v2\"\n\tapi \"example.com/api/v1\"\n)\n\n" +
		"var _ *casbin.Enforcer\n\nfunc f() api.Record {\n\t//exercise:5.3 begin\n\tfmt.Println()\n\t//exercise:5.3 stub\n\t// return api.Record{}\n\t//exercise:5.3 end\n}\n"
	got, err := Learner([]byte(src), Options{Go: true})
	require.NoError(t, err)
	require.Contains(t, string(got), `"github.com/casbin/casbin/v2"`, "casbin/v2 declares package casbin, which is still used")
	require.Contains(t, string(got), `api "example.com/api/v1"`)
	require.NotContains(t, string(got), `"fmt"`, "only the reference used fmt")
}
