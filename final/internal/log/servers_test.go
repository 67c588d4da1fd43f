package log

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/require"
)

// leadersOf returns what GetServers on n answers: each server's address
// by ID, and the IDs it marks as leader.
func leadersOf(t *testing.T, n *testNode) (addrs map[string]string, leaders []string) {
	t.Helper()
	servers, err := n.log.GetServers()
	require.NoError(t, err, "GetServers on %s", n.id)
	addrs = map[string]string{}
	for _, srv := range servers {
		addrs[srv.GetId()] = srv.GetRpcAddr()
		if srv.GetIsLeader() {
			leaders = append(leaders, srv.GetId())
		}
	}
	return addrs, leaders
}

// TestDistributedLogGetServers asks every server of a 3-server cluster for
// GetServers, before and after the leader goes away.
func TestDistributedLogGetServers(t *testing.T) {
	c := startCluster(t, 3)
	want := map[string]string{}
	for _, n := range c.nodes {
		want[n.id] = n.addr
	}
	requireLeader := func(nodes []*testNode, want map[string]string, leader string, msg string) {
		t.Helper()
		for _, n := range nodes {
			var addrs map[string]string
			var leaders []string
			agreed := func() bool {
				addrs, leaders = leadersOf(t, n)
				return len(leaders) == 1 && leaders[0] == leader && maps.Equal(addrs, want)
			}
			if !waitFor(agreed) {
				require.Equal(t, []string{leader}, leaders, "%s: %s marks %v", msg, n.id, leaders)
				require.Equal(t, want, addrs, "GetServers on %s must list every server of the configuration with its address", n.id)
			}
		}
	}
	old := c.leader()
	requireLeader(c.nodes, want, old.id, "exactly one server, the leader, must be marked is_leader")

	old.close(t)
	var rest []*testNode
	for _, n := range c.nodes {
		if n != old {
			rest = append(rest, n)
		}
	}
	leader := c.leader()
	// The old leader stays in the configuration until it is removed: it
	// is listed, not marked.
	requireLeader(rest, want, leader.id, "exactly one server, the leader, must be marked is_leader, and after a failover the new one")
	require.NoError(t, leader.log.Leave(old.id))
	delete(want, old.id)
	requireLeader(rest, want, leader.id, "a server that left must not be listed")
}
