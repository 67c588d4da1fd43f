package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/tools/workshop/internal/chapter"
	"github.com/proglog-workshop/proglog/tools/workshop/internal/manifest"
)

// The fixture in testdata/repo is a two-chapter workshop in miniature:
// ch01-sum has two exercises and a given function, ch02-more carries
// ch01-sum's reference and adds one exercise. Each test copies it, breaks
// one thing, and checks that the right proof catches it.

// fixture copies the miniature workshop into a temporary directory,
// generates its stubs, and returns the loaded chapters.
func fixture(t *testing.T) (ch1, ch2 *manifest.Chapter) {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.CopyFS(root, os.DirFS("testdata/repo")))
	load := func(dir string) *manifest.Chapter {
		ch, err := manifest.Load(filepath.Join(root, dir))
		require.NoError(t, err)
		generated, err := chapter.Generated(t.Context(), ch)
		require.NoError(t, err)
		require.NoError(t, chapter.Write(generated))
		return ch
	}
	return load("ch01-sum"), load("ch02-more")
}

// only runs the named proofs and skips the others.
func only(names ...string) Options {
	skip := map[string]bool{}
	for _, n := range ProofNames() {
		skip[n] = true
	}
	for _, n := range names {
		delete(skip, n)
	}
	return Options{Skip: skip}
}

// requireProblem checks that the report has a problem from proof whose
// detail contains want.
func requireProblem(t *testing.T, report *Report, proof, want string) {
	t.Helper()
	for _, p := range report.Problems {
		if p.Proof == proof && strings.Contains(p.Detail, want) {
			return
		}
	}
	require.Failf(t, "problem not reported", "want a %q problem containing %q; got %+v", proof, want, report.Problems)
}

// edit replaces old with new in a file, which must contain old.
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
}

func TestVerifyPassesASoundWorkshop(t *testing.T) {
	ch1, ch2 := fixture(t)
	for _, ch := range []*manifest.Chapter{ch1, ch2} {
		report := Chapter(t.Context(), ch, Options{})
		require.True(t, report.OK(), "%s: %+v", ch.Dir, report.Problems)
	}
}

func TestVerifyCatchesAnExerciseTestThatPassesOnTheStub(t *testing.T) {
	ch1, _ := fixture(t)
	// A stub that already does the work: TestAdd cannot tell done from not done.
	edit(t, ch1.SolutionPath("internal/sum/sum.go"), `// return 0, exercise.NotDone("1.1")`, `// return a + b, nil`)
	writeStubs(t, ch1)
	report := Chapter(t.Context(), ch1, only("learner"))
	requireProblem(t, report, "learner", "internal/sum:TestAdd (exercise 1.1) passes on the stub")
}

func TestVerifyCatchesAnExerciseTestFailingWithTheWrongMessage(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.SolutionPath("internal/sum/sum.go"), `// return 0, exercise.NotDone("1.2")`, `// return 0, nil`)
	writeStubs(t, ch1)
	report := Chapter(t.Context(), ch1, only("learner"))
	requireProblem(t, report, "learner", `internal/sum:TestDouble (exercise 1.2) fails without saying "exercise 1.2 (…) is not done yet`)
}

func TestVerifyCatchesAFailingTestOfNoExercise(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.LearnerPath("internal/sum/negate.go"), "return -a", "return a")
	report := Chapter(t.Context(), ch1, only("reference", "learner"))
	requireProblem(t, report, "learner", "internal/sum:TestNegate belongs to no exercise and fails")
	requireProblem(t, report, "reference", "internal/sum:TestNegate fails on the reference")
}

func TestVerifyCatchesACarriedFileThatDrifted(t *testing.T) {
	_, ch2 := fixture(t)
	edit(t, ch2.LearnerPath("internal/sum/negate.go"), "return -a", "return 0 - a")
	report := Chapter(t.Context(), ch2, only("drift"))
	requireProblem(t, report, "drift", "internal/sum/negate.go differs from ch01-sum's reference")
}

func TestVerifyCatchesAReferenceFixNotCarriedForward(t *testing.T) {
	ch1, ch2 := fixture(t)
	edit(t, ch1.SolutionPath("internal/sum/sum.go"), "return Add(a, a)", "return Add(a, a) // fixed")
	report := Chapter(t.Context(), ch2, only("drift"))
	requireProblem(t, report, "drift", "internal/sum/sum.go differs from ch01-sum's reference")
}

func TestVerifyCatchesAStaleGeneratedFile(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.SolutionPath("internal/sum/sum.go"), "// Add returns a + b.", "// Add returns the sum a + b.")
	report := Chapter(t.Context(), ch1, only("generated"))
	requireProblem(t, report, "generated", "internal/sum/sum.go differs from the stub generated from its reference")

	edit(t, ch1.Root+"/workshop.json", `"name": "Add"`, `"name": "Sum"`)
	ch1, err := manifest.Load(ch1.Root)
	require.NoError(t, err)
	report = Chapter(t.Context(), ch1, only("generated"))
	requireProblem(t, report, "generated", chapter.ExerciseTable+" is stale")
}

func TestVerifyCatchesAMutationTheTestsMiss(t *testing.T) {
	ch1, _ := fixture(t)
	// b + a is not a mistake: no test can catch it.
	edit(t, ch1.Root+"/workshop.json", `"replace": "return a - b, nil"`, `"replace": "return b + a, nil"`)
	ch1, err := manifest.Load(ch1.Root)
	require.NoError(t, err)
	report := Chapter(t.Context(), ch1, only("mutations"))
	requireProblem(t, report, "mutations", `exercise 1.1, mutation "subtracts": not caught`)
}

func TestVerifyCatchesAMutationCaughtWithAnUnhelpfulMessage(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.Root+"/workshop.json", `"message": "Add(2, 3) = -1, want 5"`, `"message": "Add must add"`)
	ch1, err := manifest.Load(ch1.Root)
	require.NoError(t, err)
	report := Chapter(t.Context(), ch1, only("mutations"))
	requireProblem(t, report, "mutations", `fails, but without "Add must add"`)
}

func TestVerifyCatchesAStubThatBreaksAnEarlierExercise(t *testing.T) {
	ch1, _ := fixture(t)
	// Moving Add's code into exercise 1.2's region: with 1.1 done and 1.2 not,
	// TestAdd fails although the learner finished 1.1.
	edit(t, ch1.SolutionPath("internal/sum/sum.go"), "func Add(a, b int) (int, error) {\n\t//exercise:1.1 begin", "func Add(a, b int) (int, error) {\n\t//exercise:1.2 begin")
	edit(t, ch1.SolutionPath("internal/sum/sum.go"), "\t// return 0, exercise.NotDone(\"1.1\")\n\t//exercise:1.1 end", "\t// return 0, exercise.NotDone(\"1.2\")\n\t//exercise:1.2 end")
	edit(t, ch1.SolutionPath("internal/sum/sum.go"), "\t//exercise:1.1 stub\n", "\t//exercise:1.2 stub\n")
	writeStubs(t, ch1)
	report := Chapter(t.Context(), ch1, only("order"))
	requireProblem(t, report, "order", "with exercises before 1.2 done: internal/sum:TestAdd (exercise 1.1) fails")
}

func TestVerifyCatchesAMissingAnchor(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.Root+"/README.md", "### 1.2 Double", "### 1.2 Doubling")
	report := Chapter(t.Context(), ch1, only("manifest"))
	requireProblem(t, report, "manifest", "README.md has no heading with anchor #12-double")
}

func writeStubs(t *testing.T, ch *manifest.Chapter) {
	t.Helper()
	generated, err := chapter.Generated(t.Context(), ch)
	require.NoError(t, err)
	require.NoError(t, chapter.Write(generated))
}

func TestVerifyCatchesARunCommandThatSelectsNoTest(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.Root+"/README.md", "### 1.1 Add\n", "### 1.1 Add\n\n```sh\ngo test -run 'TestAdd|TestSum' ./internal/sum\ngo test -run TestSum ./internal/sum\n```\n")
	report := Chapter(t.Context(), ch1, only("manifest"))
	requireProblem(t, report, "manifest", `"go test -run TestSum ./internal/sum" selects no test in ./internal/sum`)
	require.Len(t, report.Problems, 1, "TestAdd|TestSum selects TestAdd: %+v", report.Problems)
}

func TestVerifyPassesUnderAKoreanLocale(t *testing.T) {
	// The stubs speak Korean under a Korean locale; verify reads their
	// English line, so it must pin the locale of the tests it runs.
	t.Setenv("LANG", "ko_KR.UTF-8")
	t.Setenv("LC_MESSAGES", "ko_KR.UTF-8")
	ch1, _ := fixture(t)
	report := Chapter(t.Context(), ch1, only("learner", "order"))
	require.True(t, report.OK(), "%+v", report.Problems)
}

func TestVerifyCatchesAKoreanPageWithoutTheEnglishAnchor(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.Root+"/README.ko.md", "<a id=\"12-double\"></a>\n", "")
	edit(t, ch1.Root+"/HINTS.ko.md", "<a id=\"11-add\"></a>\n", "")
	edit(t, ch1.Root+"/HINTS.ko.md", "<a id=\"12-double\"></a>\n", "<a id=\"11-add\"></a>\n<a id=\"12-double\"></a>\n")
	report := Chapter(t.Context(), ch1, only("manifest"))
	requireProblem(t, report, "manifest", `exercise 1.2: README.ko.md has no <a id="12-double"></a> on the line before its heading`)
	requireProblem(t, report, "manifest", `exercise 1.1: HINTS.ko.md has <a id="11-add"></a> before "## 1.2 Double", which is not exercise 1.1's heading`)
}

func TestVerifyCatchesAQuotedStubLineThatDrifted(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.Root+"/workshop.json", `"name": "Add"`, `"name": "Sum"`)
	ch1, err := manifest.Load(ch1.Root)
	require.NoError(t, err)
	report := Chapter(t.Context(), ch1, only("manifest"))
	requireProblem(t, report, "manifest", `README.md quotes "exercise 1.1 (Add) is not done yet: see ch01-sum/README.md#11-add", but the stub of 1.1 says (Sum)`)
	requireProblem(t, report, "manifest", `README.ko.md quotes "아직 하지 않은 실습: 1.1 (Add). 읽을 곳: ch01-sum/README.ko.md#11-add", but the stub of 1.1 says (Sum) and links ch01-sum/README.ko.md#11-add`)
}

func TestVerifyCatchesAFileThePreviousChapterRemoved(t *testing.T) {
	ch1, ch2 := fixture(t)
	edit(t, ch1.Root+"/workshop.json", `"title": "Sums",`, `"title": "Sums", "removed": ["internal/sum/old.go"],`)
	require.NoError(t, os.WriteFile(ch2.LearnerPath("internal/sum/old.go"), []byte("package sum\n"), 0o644))
	report := Chapter(t.Context(), ch2, only("drift"))
	requireProblem(t, report, "drift", "internal/sum/old.go was removed in ch01-sum but is still here")
}
