package loadbalance

import (
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/server"
)

// leaderOnlyLog is a server's log that, like a replicated one, refuses
// appends while the cluster names another server its leader.
type leaderOnlyLog struct {
	*log.Log
	cluster  *testCluster
	index    int          // this server's index in the cluster
	appended atomic.Int64 // counts the appends it made
}

// Append implements server.CommitLog: it appends on the leader only.
func (l *leaderOnlyLog) Append(record *api.Record) (uint64, error) {
	if leader := l.cluster.leaderIndex(); leader != l.index {
		return 0, &log.NotLeaderError{LeaderID: fmt.Sprint(leader), Err: raft.ErrNotLeader}
	}
	l.appended.Add(1)
	return l.Log.Append(record)
}

// TestPickerAsksAgainWhenTheLeaderRefuses plays a leader that loses its
// leadership while every connection to it stays up, as a leader paused
// with SIGSTOP does, or one that hands the leadership over: it answers
// produces with NOT_LEADER, and the resolver has no failed connection to
// tell it to look again. The first refusal must make the resolver look
// again, so that a retry reaches the new leader; before, every retry went
// to the old leader until the client gave up.
func TestPickerAsksAgainWhenTheLeaderRefuses(t *testing.T) {
	c, logs := startLeaderOnlyCluster(t, 2)
	client := api.NewLogClient(dial(t, c, 0))
	produceRecord(t, client, "to server 0")

	c.setLeader(1)
	refusals := 0
	reached := func() bool {
		_, err := client.Produce(callContext(t), &api.ProduceRequest{Record: &api.Record{Value: []byte("to the new leader")}})
		if err != nil {
			require.Equal(t, codes.Unavailable, status.Code(err), "the old leader must refuse with Unavailable: %v", err)
			refusals++
			return false
		}
		return true
	}
	require.True(t, waitFor(reached), "after a leader change with no connection lost, a produce must reach the new leader: %d refusals", refusals)
	require.Equal(t, []int64{1, 1}, []int64{logs[0].appended.Load(), logs[1].appended.Load()}, "the new leader, server 1, must hold the second produce")
}

// startLeaderOnlyCluster starts n servers whose logs append only while
// the cluster names them leader, server 0 first, and returns the cluster
// and the servers' logs. They stop when the test ends.
func startLeaderOnlyCluster(t *testing.T, n int) (*testCluster, []*leaderOnlyLog) {
	t.Helper()
	c := startCluster(t, 0)
	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: c.certs.ServerCertFile, KeyFile: c.certs.ServerKeyFile, CAFile: c.certs.CAFile, Server: true,
	})
	require.NoError(t, err)
	authorizer, err := auth.New(aclModel, aclPolicy)
	require.NoError(t, err)
	var logs []*leaderOnlyLog
	for i := range n {
		plain, err := log.NewLog(t.TempDir(), log.Config{})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, plain.Close()) })
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		s := &testServer{addr: ln.Addr().String(), ln: &dropListener{Listener: ln}, calls: map[string]int{}}
		leaderOnly := &leaderOnlyLog{Log: plain, cluster: c, index: i}
		logs = append(logs, leaderOnly)
		s.srv, err = server.NewGRPCServer(
			&server.Config{CommitLog: leaderOnly, Authorizer: authorizer, GetServerer: c},
			grpc.Creds(credentials.NewTLS(serverTLS)),
		)
		require.NoError(t, err)
		serving := make(chan error, 1)
		go func() { serving <- s.srv.Serve(s.ln) }()
		t.Cleanup(func() {
			s.stop()
			require.NoError(t, <-serving)
		})
		c.servers = append(c.servers, s)
	}
	return c, logs
}
