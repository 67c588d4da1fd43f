package log

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// servers returns the cluster configuration as n sees it: ID to address.
func servers(t testing.TB, n *testNode) map[string]string {
	t.Helper()
	future := n.log.raft.GetConfiguration()
	require.NoError(t, future.Error())
	got := map[string]string{}
	for _, srv := range future.Configuration().Servers {
		got[string(srv.ID)] = string(srv.Address)
	}
	return got
}

func TestDistributedLogReplicates(t *testing.T) {
	c := startCluster(t, 3)
	values := []string{"first", "second", "third"}
	for i, v := range values {
		off := c.produce(v)
		require.Equal(t, uint64(i), off)
	}
	for _, n := range c.nodes {
		requireValues(t, n, values, "every server must hold the records the leader took, at the same offsets")
	}
	// Only the leader takes appends.
	leader := c.leader()
	for _, n := range c.nodes {
		if n != leader {
			_, err := n.log.Append(&api.Record{Value: []byte("to a follower")})
			require.ErrorIs(t, err, raft.ErrNotLeader, "a follower must refuse appends")
			var notLeader *NotLeaderError
			require.ErrorAs(t, err, &notLeader, "a follower's refusal must say who the leader is")
			require.Equal(t, leader.id, notLeader.LeaderID, "the follower must name the leader it knows")
			require.Equal(t, leader.addr, notLeader.LeaderAddr, "the follower must give the leader's address")
		}
	}
}

func TestDistributedLogLeave(t *testing.T) {
	c := startCluster(t, 3)
	c.produce("before")
	leader := c.leader()
	var gone, stays *testNode
	for _, n := range c.nodes {
		switch {
		case n == leader:
		case gone == nil:
			gone = n
		default:
			stays = n
		}
	}
	requireValues(t, gone, []string{"before"}, "every server must hold the records the leader took")
	require.NoError(t, leader.log.Leave(gone.id))
	require.NotContains(t, servers(t, leader), gone.id, "Leave must remove the server from the configuration")

	c.produce("after")
	requireValues(t, stays, []string{"before", "after"}, "the servers that stay must go on replicating")
	// What gone holds now is not asserted: when a server is removed, raft
	// makes a best effort to send it what was queued for it, and a stale
	// trigger can carry an entry appended just after the removal.
}

func TestDistributedLogFailover(t *testing.T) {
	c := startCluster(t, 3)
	var acknowledged []string
	for _, v := range []string{"a", "b", "c"} {
		c.produce(v)
		acknowledged = append(acknowledged, v)
	}
	old := c.leader()
	start := time.Now()
	old.close(t)
	elected := c.leader()
	electedAfter := time.Since(start)
	c.produce("after the failover")
	t.Logf("failover: %s from closing the leader to a new leader (%s), %s to its first acknowledged append",
		electedAfter.Round(time.Millisecond), elected.id, time.Since(start).Round(time.Millisecond))
	acknowledged = append(acknowledged, "after the failover")
	for _, n := range c.nodes {
		if n != old {
			requireValues(t, n, acknowledged, "a new leader must keep every acknowledged record and take new ones")
		}
	}
}

func TestDistributedLogSnapshotCatchUp(t *testing.T) {
	c := newCluster(t)
	// Small enough to snapshot and compact at once: 2 entries kept.
	c.snapshotThreshold, c.trailingLogs = 4, 2
	for _, id := range []string{"a", "b", "c"} {
		n := c.start(id, t.TempDir(), "127.0.0.1:0")
		if id != "a" {
			c.join(n)
		}
	}
	var want []string
	for i := range 5 {
		want = append(want, "early "+strconv.Itoa(i))
		c.produce(want[len(want)-1])
	}
	leader := c.leader()
	var behind *testNode
	for _, n := range c.nodes {
		if n != leader {
			behind = n
			break
		}
	}
	requireValues(t, behind, want, "every server must hold the records the leader took")
	behind.close(t)

	// While it is away, the leader moves on, snapshots and compacts its
	// log: the entries it missed are gone from the leader's log.
	for i := range 20 {
		want = append(want, "late "+strconv.Itoa(i))
		c.produce(want[len(want)-1])
	}
	require.NoError(t, leader.log.raft.Snapshot().Error(), "the leader must take a snapshot")
	first, err := leader.log.raftLog.FirstIndex()
	require.NoError(t, err)
	require.Greater(t, first, uint64(10), "the leader must have compacted its log after the snapshot")

	back := c.restart(behind)
	requireValues(t, back, want, "a follower that fell behind must catch up from the leader's snapshot")
	// Raft records the install just after the restore: wait for it.
	require.Eventually(t, func() bool { return back.log.raft.Stats()["last_snapshot_index"] != "0" },
		converge, tick, "the follower must have installed a snapshot")
}

// restart starts n again from its data directory at its address.
func (c *cluster) restart(n *testNode) *testNode {
	c.t.Helper()
	ln, err := listenAgain(n.addr)
	require.NoError(c.t, err)
	l, err := NewDistributedLog(n.dir, c.config(n.id, ln, false))
	require.NoError(c.t, err)
	back := &testNode{id: n.id, dir: n.dir, addr: n.addr, log: l}
	c.t.Cleanup(func() { back.close(c.t) })
	for i, m := range c.nodes {
		if m == n {
			c.nodes[i] = back
		}
	}
	return back
}

// listenAgain listens at addr, which a closed node just released.
func listenAgain(addr string) (net.Listener, error) {
	var ln net.Listener
	var err error
	ok := waitFor(func() bool {
		ln, err = net.Listen("tcp", addr)
		return err == nil
	})
	if !ok {
		return nil, err
	}
	return ln, nil
}

func TestDistributedLogRestart(t *testing.T) {
	c := startCluster(t, 3)
	want := []string{"a", "b"}
	for _, v := range want {
		c.produce(v)
	}
	follower := c.follower()
	requireValues(t, follower, want, "every server must hold the records the leader took")
	follower.close(t)
	c.produce("while it was away")
	want = append(want, "while it was away")

	back := c.restart(follower)
	requireValues(t, back, want, "a restarted server must hold each record once, and catch up on what it missed")
	c.produce("after it came back")
	want = append(want, "after it came back")
	requireValues(t, back, want, "a restarted server must rejoin the cluster")
}

func TestDistributedLogJoin(t *testing.T) {
	c := startCluster(t, 3)
	leader := c.leader()
	var member *testNode
	for _, n := range c.nodes {
		if n != leader {
			member = n
			break
		}
	}
	// A configuration change is an entry in Raft's log: none may be added.
	before := leader.log.raft.LastIndex()
	require.NoError(t, leader.log.Join(member.id, member.addr))
	require.Equal(t, before, leader.log.raft.LastIndex(), "joining a member again at the same address must change nothing: no configuration change may be appended")

	// The member goes away, and a new server takes its address.
	member.close(t)
	ln, err := listenAgain(member.addr)
	require.NoError(t, err)
	newcomer, err := NewDistributedLog(t.TempDir(), c.config("newcomer", ln, false))
	require.NoError(t, err)
	n := &testNode{id: "newcomer", addr: member.addr, log: newcomer}
	t.Cleanup(func() { n.close(t) })
	require.NoError(t, leader.log.Join("newcomer", member.addr), "Join must replace the server that had the address: raft refuses two servers at one address")
	got := servers(t, leader)
	require.NotContains(t, got, member.id, "Join must replace the server that had the address: it is gone")
	require.Equal(t, member.addr, got["newcomer"])
	require.Len(t, got, 3)
	c.produce("to the newcomer")
	require.True(t, waitFor(func() bool {
		_, err := newcomer.Read(0)
		return err == nil
	}), "the newcomer must replicate")
}

func TestBootstrapAdvertisesRoutableAddress(t *testing.T) {
	c := newCluster(t)
	t.Run("a wildcard listener without BindAddr is refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "0.0.0.0:0")
		require.NoError(t, err)
		l, err := NewDistributedLog(t.TempDir(), c.config("a", ln, true))
		if err == nil {
			require.NoError(t, l.Close())
		}
		require.Error(t, err, "bootstrap must advertise a routable address: 0.0.0.0 cannot be dialled")
	})
	t.Run("BindAddr is advertised", func(t *testing.T) {
		ln, err := net.Listen("tcp", "0.0.0.0:0")
		require.NoError(t, err)
		conf := c.config("a", ln, true)
		_, port, err := net.SplitHostPort(ln.Addr().String())
		require.NoError(t, err)
		conf.Raft.BindAddr = net.JoinHostPort("127.0.0.1", port)
		l, err := NewDistributedLog(t.TempDir(), conf)
		require.NoError(t, err)
		n := &testNode{id: "a", log: l}
		t.Cleanup(func() { n.close(t) })
		require.Equal(t, map[string]string{"a": conf.Raft.BindAddr}, servers(t, n), "bootstrap must advertise a routable address: Raft.BindAddr")
		require.NoError(t, l.WaitForLeader(converge))
	})
}
