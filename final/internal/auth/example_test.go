package auth_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/auth"
)

func TestWriteExampleWritesAnACLThatLoads(t *testing.T) {
	modelFile, policyFile, err := auth.WriteExample(t.TempDir())
	require.NoError(t, err)
	authorizer, err := auth.New(modelFile, policyFile)
	require.NoError(t, err)
	require.NoError(t, authorizer.Authorize("root", "*", "produce"))
	require.Error(t, authorizer.Authorize("nobody", "*", "produce"))
}
