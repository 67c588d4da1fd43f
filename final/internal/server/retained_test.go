package server

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// requireNotRetained checks that err is the status of a consume below the
// lowest offset retained: OutOfRange, a message naming lowest, and an
// ErrorInfo detail carrying it.
func requireNotRetained(t *testing.T, err error, lowest uint64) {
	t.Helper()
	st, ok := status.FromError(err)
	require.True(t, ok, "want a status, got %v", err)
	require.Equal(t, codes.OutOfRange.String(), st.Code().String(), "a consume below the retained records must end with OutOfRange; got %v", err)
	require.Contains(t, st.Message(), "lowest offset it retains is "+strconv.FormatUint(lowest, 10), "the message must say where the log starts now")
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	require.NotNil(t, info, "the status must carry an ErrorInfo detail")
	require.Equal(t, reasonOffsetNotRetained, info.GetReason())
	require.Equal(t, strconv.FormatUint(lowest, 10), info.GetMetadata()[metadataLowestOffset], "the detail must carry the lowest offset retained")
}

// TestConsumeBelowRetention serves a log whose size retention dropped its
// oldest segments, over real gRPC with mutual TLS: Consume and
// ConsumeStream of a dropped offset end with OutOfRange naming the lowest
// offset retained, while an offset past the end is still plain OutOfRange
// and the retained records are still served.
func TestConsumeBelowRetention(t *testing.T) {
	c := log.Config{}
	c.Segment.MaxIndexBytes = 12 * 2 // two records per segment
	c.Retention.MaxBytes = 1         // keep only the active segment
	l, err := log.NewLog(t.TempDir(), c)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	client := startServer(t, l).client(t)
	for _, v := range []string{"a", "b", "c", "d", "e"} {
		produce(t, client, v)
	}
	lowest, err := l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(4), lowest, "retention must have dropped the full segments")

	_, err = client.Consume(t.Context(), &api.ConsumeRequest{Offset: 1})
	requireNotRetained(t, err, lowest)

	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()
	stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
	require.NoError(t, err)
	_, err = stream.Recv()
	requireNotRetained(t, err, lowest)

	res, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: lowest})
	require.NoError(t, err, "the records retained must still be served")
	require.Equal(t, "e", string(res.GetRecord().GetValue()))

	_, err = client.Consume(t.Context(), &api.ConsumeRequest{Offset: 5})
	require.Equal(t, codes.OutOfRange.String(), status.Code(err).String())
	require.NotContains(t, status.Convert(err).Message(), "retains", "an offset past the end is not a retention matter")
}
