package agent

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// raftServers returns the IDs of the servers in the Raft configuration a
// knows, sorted.
func raftServers(t *testing.T, a *Agent) []string {
	t.Helper()
	servers, err := a.log.GetServers()
	require.NoError(t, err)
	var ids []string
	for _, s := range servers {
		ids = append(ids, s.GetId())
	}
	slices.Sort(ids)
	return ids
}

// requireRaftServers waits until the Raft configuration a knows holds
// exactly want.
func requireRaftServers(t *testing.T, a *Agent, want []string, msg string) {
	t.Helper()
	var got []string
	if !eventually(func() bool { got = raftServers(t, a); return slices.Equal(got, want) }) {
		require.Equal(t, want, got, msg)
	}
}

// TestLeaderAddsMembersWhoseJoinItMissed restarts a cluster of one, agent
// 0, and has agents 1 and 2 join it at once: Serf tells agent 0 of both
// joins while it is still electing itself (a restarted agent does not wait
// for its election, and Raft waits a heartbeat timeout, a second, before
// it starts one), so the joins find no leader. Agent 0 must add both as
// voters once it leads.
func TestLeaderAddsMembersWhoseJoinItMissed(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	first, err := New(newConfig(t, 0, certs, nil))
	require.NoError(t, err)
	restart := first.Config // the port and data directory agent 0 had
	require.NoError(t, first.Shutdown())

	// Agents 1 and 2 wait to be added; they hear of each other, but
	// neither leads, so that join is refused on both.
	var others []*Agent
	for i := 1; i <= 2; i++ {
		a, err := New(newConfig(t, i, certs, nil))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
		others = append(others, a)
	}
	restart.BindAddr = "127.0.0.1:0"
	restart.StartJoinAddrs = []string{others[0].BindAddr, others[1].BindAddr}
	leader, err := New(restart)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, leader.Shutdown()) })

	want := []string{"0", "1", "2"}
	requireRaftServers(t, leader, want, "the leader must add the members whose joins came before it led")
	// Voters get the records: both followers replicate.
	produce(t, client(t, leader, certs), "after the joins")
	for _, a := range others {
		requireRaftServers(t, a, want, "the followers must learn the configuration")
		requireRecords(t, client(t, a, certs), []string{"after the joins"}, "agent %s must replicate as a voter", a.NodeName)
	}
}

// TestNewLeaderRemovesALeaderThatLeft shuts the leader down: its leave
// reaches the two others while it still leads, so neither can act on it.
// The one that takes over must remove it from Raft's configuration, or the
// cluster would count a member that is gone towards every quorum.
func TestNewLeaderRemovesALeaderThatLeft(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, false)
	for _, a := range agents[1:] {
		t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	}
	for _, a := range agents {
		requireRaftServers(t, a, []string{"0", "1", "2"}, "the cluster must form first")
	}
	require.NoError(t, agents[0].Shutdown())
	for _, a := range agents[1:] {
		requireRaftServers(t, a, []string{"1", "2"}, "the new leader must remove the leader that left")
	}
}
