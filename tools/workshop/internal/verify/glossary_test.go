package verify

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fixture's docs/glossary.ko.md bans 상호 TLS, import and 타입, and
// prefers 와이어 타입.

func TestVerifyCatchesABannedGlossaryVariant(t *testing.T) {
	ch1, _ := fixture(t)
	edit(t, ch1.Root+"/README.ko.md", "### 1.2 Double\n", "### 1.2 Double\n\n상호 TLS로 클라이언트를 인증합니다.\n")
	report := Chapter(t.Context(), ch1, only("glossary"))
	requireProblem(t, report, "glossary", `ch01-sum/README.ko.md:11: "상호 TLS" is not the glossary's term: write "TLS 상호 인증" (docs/glossary.ko.md)`)
	require.Len(t, report.Problems, 1, "%+v", report.Problems)
}

func TestGlossaryCheckFindsVariantsWithParticlesAndAcrossLineBreaks(t *testing.T) {
	variants := fixtureGlossary(t)
	page := "스텁에 없던 import를 추가하세요.\n반환 타입을 확인하세요.\n상호TLS도 안 됩니다.\n줄이 바뀐 상호\nTLS도 안 됩니다.\n\n상호\n\nTLS는 두 문단입니다.\n"
	require.Equal(t, []string{
		`p.ko.md:1: "import" is not the glossary's term: write "임포트" (docs/glossary.ko.md)`,
		`p.ko.md:2: "타입" is not the glossary's term: write "자료형" (docs/glossary.ko.md)`,
		`p.ko.md:3: "상호TLS" is not the glossary's term: write "TLS 상호 인증" (docs/glossary.ko.md)`,
		`p.ko.md:4: "상호 TLS" is not the glossary's term: write "TLS 상호 인증" (docs/glossary.ko.md)`,
	}, glossaryProblems("p.ko.md", page, variants))
}

func TestGlossaryCheckLeavesCodeLinksAndLongerWordsAlone(t *testing.T) {
	variants := fixtureGlossary(t)
	page := "```go\nimport \"fmt\" // 타입\n```\n" +
		"  ~~~\n  상호 TLS\n  ~~~\n" +
		"`import`와 ``타입 ` 상호 TLS`` 는 코드입니다.\n" +
		"[링크](https://example.com/import) 와 <a id=\"import-타입\"></a>\n" +
		"프로토타입, goimports, imports, 와이어 타입 0\n"
	require.Empty(t, glossaryProblems("p.ko.md", page, variants))
}

func TestGlossaryCheckReadsTheRepositoryPagesWithTheFirstChapterOnly(t *testing.T) {
	ch1, ch2 := fixture(t)
	root := filepath.Dir(ch1.Root)
	require.NoError(t, os.WriteFile(filepath.Join(root, "README.ko.md"), []byte("# 워크숍\n\n타입\n"), 0o644))
	requireProblem(t, Chapter(t.Context(), ch1, only("glossary")), "glossary", `README.ko.md:3: "타입"`)
	require.True(t, Chapter(t.Context(), ch2, only("glossary")).OK(), "ch02-more is not the first chapter")
}

func TestGlossaryCheckNeedsTheGlossary(t *testing.T) {
	ch1, _ := fixture(t)
	require.NoError(t, os.Remove(filepath.Join(filepath.Dir(ch1.Root), GlossaryPage)))
	report := Chapter(t.Context(), ch1, only("glossary"))
	requireProblem(t, report, "glossary", "docs/glossary.ko.md is missing")
}

func TestParseGlossaryRejectsAGlossaryThatBansNothing(t *testing.T) {
	_, err := parseGlossary("| English | 한국어 |\n|---|---|\n| crash | 크래시 |\n")
	require.ErrorContains(t, err, `no table with a "한국어" column and a "not:" column`)
}

// fixtureGlossary parses the fixture repository's glossary.
func fixtureGlossary(t *testing.T) []glossaryVariant {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "repo", GlossaryPage))
	require.NoError(t, err)
	variants, err := parseGlossary(string(data))
	require.NoError(t, err)
	return variants
}

func TestGlossaryCheckAcceptsThePreferredSpellingOfASpacedVariant(t *testing.T) {
	glossary := "| English | 한국어 | not: |\n|---|---|---|\n| finite-state machine | 유한상태 머신 | 유한 상태 머신 |\n"
	variants, err := parseGlossary(glossary)
	require.NoError(t, err)
	page := "유한상태 머신을 만듭니다.\n유한 상태 머신은 아닙니다.\n"
	require.Equal(t, []string{
		`p.ko.md:2: "유한 상태 머신" is not the glossary's term: write "유한상태 머신" (docs/glossary.ko.md)`,
	}, glossaryProblems("p.ko.md", page, variants))
}
