package server

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// TestClosedLogIsUnavailable serves a log that has been closed, as a server
// that is shutting down can: a call that reaches it must end with
// Unavailable, which tells the client to try again, not with Internal.
func TestClosedLogIsUnavailable(t *testing.T) {
	l := newLog(t)
	client := startServer(t, l).client(t)
	off := produce(t, client, "before Close")
	require.NoError(t, l.Close())

	_, err := client.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("after Close")}})
	require.Equal(t, codes.Unavailable.String(), status.Code(err).String(),
		"a Produce that reaches a closed log must end with codes.Unavailable (appendError maps log.ErrClosed); got %v", err)
	require.Contains(t, status.Convert(err).Message(), "shutting down")

	_, err = client.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
	require.Equal(t, codes.Unavailable.String(), status.Code(err).String(),
		"a Consume that reaches a closed log must end with codes.Unavailable (readError maps log.ErrClosed); got %v", err)
	require.Contains(t, status.Convert(err).Message(), "shutting down")
}
