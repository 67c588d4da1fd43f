package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpanPrinterRatio(t *testing.T) {
	t.Run("a ratio between 0 and 1 makes a printer", func(t *testing.T) {
		for _, ratio := range []float64{0, 0.01, 1} {
			tp, err := newSpanPrinter("n", ratio)
			require.NoError(t, err, "ratio %g", ratio)
			require.NoError(t, tp.Shutdown(t.Context()))
		}
	})
	t.Run("a ratio outside 0 to 1 is refused, naming the flag", func(t *testing.T) {
		for _, ratio := range []float64{-0.1, 1.5} {
			_, err := newSpanPrinter("n", ratio)
			require.ErrorContains(t, err, "--trace-ratio", "ratio %g", ratio)
		}
	})
}
