package verify

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAnchorsFollowGitHubSlugs(t *testing.T) {
	page := "# Title\n\n### 1.1 Log.Append\n\n```\n# not a heading\n```\n\n### 2.2 Log of api.Record\n\n### 2.1 Record 메시지\n"
	require.Equal(t, []string{"title", "11-logappend", "22-log-of-apirecord", "21-record-메시지"}, Anchors(page))
}

func TestExplicitIDsKnowTheHeadingTheyStandBefore(t *testing.T) {
	page := "# 제목\n\n<a id=\"21-the-record-message\"></a>\n\n### 2.1 Record 메시지\n\n<a id=\"loose\"></a>\ntext\n\n```\n<a id=\"in-code\"></a>\n# 2.2 not a heading\n```\n"
	require.Equal(t, map[string]string{
		"21-the-record-message": "### 2.1 Record 메시지",
		"loose":                 "",
	}, ExplicitIDs(page))
}
