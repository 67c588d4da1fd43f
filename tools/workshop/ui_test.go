package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLocalizedErrorsSpeakTheLearnersLanguage(t *testing.T) {
	err := fmt.Errorf("hint: %w", &localized{en: "no chapter \"7\"", ko: "없는 장입니다: \"7\""})
	require.EqualError(t, ui{}.in(err), "hint: no chapter \"7\"")
	require.EqualError(t, ui{ko: true}.in(err), "없는 장입니다: \"7\"")
	plain := errors.New("go test failed")
	require.Equal(t, plain, ui{ko: true}.in(plain), "an error without a Korean wording stays as it is")
}

func TestKoreanLocaleFollowsPOSIXPrecedence(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "ko_KR.UTF-8")
	require.True(t, koreanLocale())
	t.Setenv("LC_ALL", "C")
	require.False(t, koreanLocale(), "LC_ALL outranks LANG")
}

func TestPadCountsHangulAsTwoColumns(t *testing.T) {
	require.Equal(t, "스토어  ", pad("스토어", 8))
	require.Equal(t, "store   ", pad("store", 8))
}
