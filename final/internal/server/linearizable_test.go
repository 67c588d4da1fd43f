package server

import (
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// notLeadingLog is a real log on a server that does not lead: it refuses
// linearizable reads as internal/log's DistributedLog does on a follower.
type notLeadingLog struct {
	*log.Log
}

// WaitLinearizable implements LinearizableLog.
func (notLeadingLog) WaitLinearizable() error {
	return &log.NotLeaderError{LeaderID: "leader", LeaderAddr: "127.0.0.1:4242", Err: raft.ErrNotLeader}
}

func TestLinearizableConsume(t *testing.T) {
	t.Run("the leader answers", func(t *testing.T) {
		client := startServer(t, newDistributedLog(t)).client(t)
		off := produce(t, client, "acknowledged")
		res, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: off, Linearizable: true})
		require.NoError(t, err)
		require.Equal(t, "acknowledged", string(res.GetRecord().GetValue()))

		stream, err := client.ConsumeStream(t.Context(), &api.ConsumeRequest{Offset: off, Linearizable: true})
		require.NoError(t, err)
		requireRecord(t, stream, "acknowledged", off)
	})

	t.Run("a server that does not lead refuses with NOT_LEADER, naming the leader", func(t *testing.T) {
		l := notLeadingLog{Log: newLog(t)}
		_, err := l.Append(&api.Record{Value: []byte("stale")})
		require.NoError(t, err)
		client := startServer(t, l).client(t)
		_, err = client.Consume(t.Context(), &api.ConsumeRequest{Offset: 0, Linearizable: true})
		require.Equal(t, codes.Unavailable.String(), status.Code(err).String(), "got %v", err)
		info := errorInfo(err)
		require.NotNil(t, info, "the refusal must carry an ErrorInfo")
		require.Equal(t, reasonNotLeader, info.GetReason())
		require.Equal(t, "leader", info.GetMetadata()[metadataLeaderID])

		stream, err := client.ConsumeStream(t.Context(), &api.ConsumeRequest{Offset: 0, Linearizable: true})
		require.NoError(t, err)
		_, err = stream.Recv()
		require.Equal(t, codes.Unavailable.String(), status.Code(err).String(), "a linearizable stream must be refused before it sends anything; got %v", err)

		res, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: 0})
		require.NoError(t, err, "a read that is not linearizable is answered from the server's own log")
		require.Equal(t, "stale", string(res.GetRecord().GetValue()))
	})

	t.Run("a log that cannot confirm a linearizable read refuses it", func(t *testing.T) {
		client := startServer(t, newLog(t)).client(t)
		produce(t, client, "x")
		_, err := client.Consume(t.Context(), &api.ConsumeRequest{Offset: 0, Linearizable: true})
		require.Equal(t, codes.Unimplemented.String(), status.Code(err).String(), "got %v", err)
	})
}
