package log_v1_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// statusOf returns the gRPC status that err becomes when a handler returns
// it, and stops the test when that status has no code of its own.
func statusOf(t testing.TB, err error) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	require.True(t, ok, "status.FromError must find ErrOffsetOutOfRange's GRPCStatus method in %v", err)
	if st.Code() == codes.Unknown {
		t.Fatalf("GRPCStatus gave code Unknown, the code gRPC gives an error it knows nothing about: %s", st.Message())
	}
	return st
}

func TestErrOffsetOutOfRangeStatus(t *testing.T) {
	err := error(api.ErrOffsetOutOfRange{Offset: 42})

	t.Run("has code OutOfRange", func(t *testing.T) {
		st := statusOf(t, err)
		require.Equal(t, codes.OutOfRange.String(), st.Code().String(), "an offset the log does not hold is codes.OutOfRange (NotFound would say the log itself is missing)")
		require.Contains(t, st.Message(), "42", "the status message must name the offset")
	})

	t.Run("carries the offset in a LocalizedMessage detail", func(t *testing.T) {
		st := statusOf(t, err)
		var detail *errdetails.LocalizedMessage
		for _, d := range st.Details() {
			if lm, ok := d.(*errdetails.LocalizedMessage); ok {
				detail = lm
			}
		}
		require.NotNil(t, detail, "the status must carry an errdetails.LocalizedMessage detail (status.WithDetails); it has %v", st.Details())
		require.Equal(t, "en-US", detail.GetLocale(), "a LocalizedMessage says which language it is in")
		require.Contains(t, detail.GetMessage(), "42", "the detail must name the offset that was asked for")
	})

	t.Run("keeps its code when wrapped", func(t *testing.T) {
		wrapped := fmt.Errorf("consume: %w", err)
		st := statusOf(t, wrapped)
		require.Equal(t, codes.OutOfRange.String(), st.Code().String(), "gRPC finds GRPCStatus through %%w wrapping")
	})

	t.Run("is found by errors.As", func(t *testing.T) {
		var outOfRange api.ErrOffsetOutOfRange
		require.ErrorAs(t, fmt.Errorf("consume: %w", err), &outOfRange)
		require.Equal(t, uint64(42), outOfRange.Offset)
		require.False(t, errors.Is(err, api.ErrOffsetOutOfRange{Offset: 7}), "errors for different offsets are different errors")
	})
}
