package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHintsForFindsTheLevelsOfOneExercise(t *testing.T) {
	page := `# Hints

## 1.1 Log.Append

<details><summary>Hint 1</summary>

Lock first.
</details>

<details><summary>Hint 2</summary>
The offset is len(records).
</details>

## 1.10 Other

<details><summary>Hint 1</summary>
Not this one.
</details>
`
	require.Equal(t, []string{"Lock first.", "The offset is len(records)."}, hintsFor(page, "1.1"))
	require.Equal(t, []string{"Not this one."}, hintsFor(page, "1.10"))
	require.Empty(t, hintsFor(page, "1.2"))
}
