package agent

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// TestClusterRestartsFromItsDataDirs stops a whole 3-agent cluster and
// starts it again from its data directories, on the same ports: every
// acknowledged record must be there, on every agent, and the cluster must
// take new ones.
//
// Each agent that shuts down leaves the cluster, and the leader removes
// it from Raft's configuration; the last one to stop, the leader, is then
// a cluster of one. It restarts first and leads again; the others join it
// as they did the first time.
func TestClusterRestartsFromItsDataDirs(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, false)
	var acked []string
	leader := client(t, agents[0], certs)
	for i := range 20 {
		value := fmt.Sprint("record ", i)
		produce(t, leader, value)
		acked = append(acked, value)
	}
	configs := make([]Config, len(agents))
	for i := len(agents) - 1; i >= 0; i-- {
		configs[i] = agents[i].Config
		require.NoError(t, agents[i].Shutdown(), "shut agent %d down", i)
	}

	var restarted []*Agent
	for i, cfg := range configs {
		// Same name, data directory and RPC port (Raft's configuration
		// holds the address); Serf may listen anywhere.
		cfg.BindAddr = "127.0.0.1:0"
		cfg.StartJoinAddrs = nil
		if i > 0 {
			cfg.StartJoinAddrs = []string{restarted[0].BindAddr}
		}
		a, err := New(cfg)
		require.NoError(t, err, "restart agent %d from %s", i, cfg.DataDir)
		t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
		restarted = append(restarted, a)
	}
	for i, a := range restarted {
		requireRecords(t, client(t, a, certs), acked, "restarted agent %d must hold every acknowledged record", i)
	}

	c := client(t, restarted[0], certs)
	require.Eventually(t, func() bool {
		_, err := c.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("after the restart")}})
		require.Contains(t, []codes.Code{codes.OK, codes.Unavailable}, status.Code(err), "a produce during the restart may only wait for a leader; got %v", err)
		return err == nil
	}, converge, tick, "the restarted cluster must take produces")
	for i, a := range restarted {
		requireRecords(t, client(t, a, certs), append(acked, "after the restart"), "restarted agent %d must replicate again", i)
	}
}
