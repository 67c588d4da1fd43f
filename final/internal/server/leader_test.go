package server

import (
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// followerLog is a CommitLog on a server that is not the leader: every
// append fails with err, as internal/log's DistributedLog does on a
// follower.
type followerLog struct {
	*log.Log
	err *log.NotLeaderError
}

// Append implements CommitLog.
func (l followerLog) Append(*api.Record) (uint64, error) { return 0, l.err }

// errorInfo returns the ErrorInfo detail of err's status, or nil.
func errorInfo(err error) *errdetails.ErrorInfo {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info
		}
	}
	return nil
}

func TestProduceOnFollowerIsUnavailable(t *testing.T) {
	tests := []struct {
		name       string
		err        *log.NotLeaderError
		wantReason string
		wantInMsg  string
		wantLeader map[string]string
	}{{
		name:       "a follower that knows the leader names it",
		err:        &log.NotLeaderError{LeaderID: "2", LeaderAddr: "127.0.0.1:4242", Err: raft.ErrNotLeader},
		wantReason: reasonNotLeader,
		wantInMsg:  "the leader is 2 at 127.0.0.1:4242",
		wantLeader: map[string]string{metadataLeaderID: "2", metadataLeaderAddr: "127.0.0.1:4242"},
	}, {
		name:       "during an election no leader is named",
		err:        &log.NotLeaderError{Err: raft.ErrNotLeader},
		wantReason: reasonNotLeader,
		wantInMsg:  "no leader is known",
	}, {
		name:       "a lost leadership says the record may be in the log",
		err:        &log.NotLeaderError{LeaderID: "1", LeaderAddr: "127.0.0.1:4141", Err: raft.ErrLeadershipLost},
		wantReason: reasonLeadershipLost,
		wantInMsg:  "may be in the log",
		wantLeader: map[string]string{metadataLeaderID: "1", metadataLeaderAddr: "127.0.0.1:4141"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := startServer(t, followerLog{Log: newLog(t), err: tt.err}).client(t)
			_, err := client.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("x")}})
			require.Equal(t, codes.Unavailable.String(), status.Code(err).String(), "a produce on a server that is not the leader must end with Unavailable, the code clients retry on; got %v", err)
			require.Contains(t, status.Convert(err).Message(), tt.wantInMsg)
			info := errorInfo(err)
			require.NotNil(t, info, "the status must carry an ErrorInfo detail")
			require.Equal(t, tt.wantReason, info.GetReason())
			require.Equal(t, errorDomain, info.GetDomain())
			require.Equal(t, len(tt.wantLeader), len(info.GetMetadata()), "metadata: %v", info.GetMetadata())
			for k, v := range tt.wantLeader {
				require.Equal(t, v, info.GetMetadata()[k], "metadata %s", k)
			}
		})
	}
}
