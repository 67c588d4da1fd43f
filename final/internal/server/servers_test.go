package server

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// staticServers is a GetServerer that answers with a fixed list, or err.
type staticServers struct {
	servers []*api.Server
	err     error
}

// GetServers implements GetServerer.
func (s staticServers) GetServers() ([]*api.Server, error) {
	return s.servers, s.err
}

// serveServers serves a log with servers as its GetServerer (none when
// nil) until the test ends.
func serveServers(t *testing.T, servers GetServerer) *testServer {
	t.Helper()
	return serve(t, &Config{CommitLog: newLog(t), GetServerer: servers})
}

func TestGetServers(t *testing.T) {
	cluster := []*api.Server{
		{Id: "a", RpcAddr: "127.0.0.1:8400", IsLeader: true},
		{Id: "b", RpcAddr: "127.0.0.1:8401"},
	}
	t.Run("answers with the GetServerer's servers", func(t *testing.T) {
		s := serveServers(t, staticServers{servers: cluster})
		res, err := s.client(t).GetServers(t.Context(), &api.GetServersRequest{})
		require.NoError(t, err)
		require.Len(t, res.GetServers(), len(cluster))
		for i, srv := range res.GetServers() {
			require.True(t, proto.Equal(cluster[i], srv), "server %d: got %v, want %v", i, srv, cluster[i])
		}
	})
	t.Run("a client that may not consume is refused", func(t *testing.T) {
		s := serveServers(t, staticServers{servers: cluster})
		nobody := api.NewLogClient(s.dial(t, s.tlsAs(t, s.certs.NobodyClientCertFile, s.certs.NobodyClientKeyFile)))
		_, err := nobody.GetServers(t.Context(), &api.GetServersRequest{})
		require.Equal(t, codes.PermissionDenied, status.Code(err), "%v", err)
	})
	t.Run("without a GetServerer it is Unimplemented", func(t *testing.T) {
		s := serveServers(t, nil)
		_, err := s.client(t).GetServers(t.Context(), &api.GetServersRequest{})
		require.Equal(t, codes.Unimplemented, status.Code(err), "%v", err)
	})
	t.Run("an error of the GetServerer is Unavailable", func(t *testing.T) {
		s := serveServers(t, staticServers{err: errors.New("no raft configuration yet")})
		_, err := s.client(t).GetServers(t.Context(), &api.GetServersRequest{})
		require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
		require.ErrorContains(t, err, "no raft configuration yet")
	})
}
