package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/server"
)

func TestProduceRefusesALineOverTheMessageLimit(t *testing.T) {
	line := strings.Repeat("x", server.MaxMessageBytes+1) + "\n"
	// The line is refused before anything is sent: no client is needed.
	err := produceLines(t.Context(), nil, strings.NewReader(line), 10, io.Discard)
	require.ErrorContains(t, err, "a line may be at most 1048576 bytes")
}
