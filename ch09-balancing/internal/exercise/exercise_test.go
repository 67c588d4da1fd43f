package exercise

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// anyExercise returns the id of an exercise of this chapter, from the
// generated table, so that this test is the same in every chapter.
func anyExercise(t *testing.T) (string, info) {
	t.Helper()
	for id, ex := range exercises {
		return id, ex
	}
	require.FailNow(t, "the chapter declares no exercise")
	return "", info{}
}

// english pins an English locale: the test must not depend on the machine's.
func english(t *testing.T) {
	t.Helper()
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "C.UTF-8")
}

func TestNotDoneNamesTheExerciseAndItsSection(t *testing.T) {
	english(t)
	id, ex := anyExercise(t)
	err := NotDone(id)
	var notDone *NotDoneError
	require.True(t, errors.As(err, &notDone), "NotDone must return a *NotDoneError")
	want := "exercise " + id + " (" + ex.name + ") is not done yet: see " + ex.chapter + "/README.md#" + ex.anchor
	require.Equal(t, want, err.Error())
}

func TestNotDoneSpeaksKoreanUnderAKoreanLocale(t *testing.T) {
	english(t)
	t.Setenv("LANG", "ko_KR.UTF-8")
	id, ex := anyExercise(t)
	want := "아직 하지 않은 실습: " + id + " (" + ex.name + "). 읽을 곳: " + ex.chapter + "/README.ko.md#" + ex.anchor
	require.Equal(t, want, NotDone(id).Error())
}

func TestLCAllOverridesLang(t *testing.T) {
	english(t)
	t.Setenv("LANG", "ko_KR.UTF-8")
	t.Setenv("LC_ALL", "C")
	require.False(t, Korean(), "LC_ALL=C must win over a Korean LANG")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "ko_KR.UTF-8")
	t.Setenv("LANG", "en_US.UTF-8")
	require.True(t, Korean(), "LC_MESSAGES=ko must win over an English LANG")
}

func TestNotDoneOfAnUnknownExerciseIsStillReadable(t *testing.T) {
	english(t)
	require.Equal(t, "exercise 9.99 (unknown exercise) is not done yet: see this chapter's README.md", NotDone("9.99").Error())
}
