package agent

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// TestJoinHeardWithoutALeaderIsApplied restarts a one-agent cluster and
// has a second agent join it at once, while the restarted agent is still
// electing itself: nobody leads when Serf reports the join. The leader
// must add the member all the same, once it leads.
func TestJoinHeardWithoutALeaderIsApplied(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	first := newConfig(t, 0, certs, nil)
	a, err := New(first)
	require.NoError(t, err)
	require.NoError(t, a.Shutdown())

	// Restarted on its data and its port (Raft's configuration holds its
	// address), it returns before it leads: only a bootstrap waits.
	first.RPCPort = a.RPCPort
	restarted, err := New(first)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, restarted.Shutdown()) })
	joiner, err := New(newConfig(t, 1, certs, []string{restarted.BindAddr}))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, joiner.Shutdown()) })

	c := client(t, restarted, certs)
	var ids []string
	voters := func() bool {
		res, err := c.GetServers(t.Context(), &api.GetServersRequest{})
		if err != nil {
			return false
		}
		ids = ids[:0]
		for _, s := range res.GetServers() {
			ids = append(ids, s.GetId())
		}
		return slices.Contains(ids, "1")
	}
	require.True(t, eventually(voters), "the member that joined before there was a leader must become a voter; the servers are %v", ids)
}
