package log

import (
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// converge bounds how long a test waits for the cluster to agree: an
// election or a catch-up takes well under a second on an idle machine; the
// margin is for a loaded 2-core machine under the race detector.
const converge = 60 * time.Second

// tick is how often a waiting test looks again.
const tick = 20 * time.Millisecond

// Raft's timeouts in tests: half of raft's one-second defaults, and still
// several times what a loaded 2-core machine under the race detector needs
// to answer a heartbeat, TLS handshake included, so that a busy moment does
// not depose the leader (the book's 50 ms do).
const (
	testHeartbeatTimeout = 500 * time.Millisecond
	testElectionTimeout  = 500 * time.Millisecond
	testLeaseTimeout     = 500 * time.Millisecond
	testCommitTimeout    = 10 * time.Millisecond
)

// raftTLS returns the TLS configurations of the servers' Raft: serving with
// the server certificate and requiring a client certificate, dialling with
// the root client certificate.
func raftTLS(t testing.TB) (server, peer *tls.Config, certs pki.Files) {
	t.Helper()
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	server, err = config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true,
	})
	require.NoError(t, err)
	peer, err = config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1",
	})
	require.NoError(t, err)
	return server, peer, certs
}

// testNode is one server of a test cluster.
type testNode struct {
	id   string
	dir  string
	addr string // where its Raft listens
	log  *DistributedLog
}

// cluster is a test cluster sharing one set of certificates.
type cluster struct {
	t                  testing.TB
	serverTLS, peerTLS *tls.Config
	base               Config // every node's configuration before Raft's part
	snapshotThreshold  uint64 // 0: raft's default
	trailingLogs       uint64 // 0: raft's default
	nodes              []*testNode
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	serverTLS, peerTLS, _ := raftTLS(t)
	return &cluster{t: t, serverTLS: serverTLS, peerTLS: peerTLS}
}

// config returns the log configuration of node id, listening on ln.
func (c *cluster) config(id string, ln net.Listener, bootstrap bool) Config {
	conf := c.base
	conf.Raft.LocalID = raft.ServerID(id)
	conf.Raft.StreamLayer = NewStreamLayer(ln, c.serverTLS, c.peerTLS)
	conf.Raft.Bootstrap = bootstrap
	conf.Raft.HeartbeatTimeout = testHeartbeatTimeout
	conf.Raft.ElectionTimeout = testElectionTimeout
	conf.Raft.LeaderLeaseTimeout = testLeaseTimeout
	conf.Raft.CommitTimeout = testCommitTimeout
	conf.Raft.SnapshotThreshold = c.snapshotThreshold
	conf.Raft.TrailingLogs = c.trailingLogs
	conf.Raft.Logger = hclog.New(&hclog.LoggerOptions{Name: id, Level: hclog.Warn, Output: c.t.Output()})
	return conf
}

// start starts node id in dir, listening at addr ("127.0.0.1:0" for any
// port); the first node bootstraps the cluster and waits to lead it. The
// node is closed when the test ends, unless the test closed it.
func (c *cluster) start(id, dir, addr string) *testNode {
	c.t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(c.t, err)
	start := time.Now()
	l, err := NewDistributedLog(dir, c.config(id, ln, len(c.nodes) == 0))
	require.NoError(c.t, err)
	if len(c.nodes) == 0 {
		c.t.Logf("election: %s bootstrapped a cluster and led it after %s", id, time.Since(start).Round(time.Millisecond))
	}
	n := &testNode{id: id, dir: dir, addr: ln.Addr().String(), log: l}
	c.t.Cleanup(func() { n.close(c.t) })
	if len(c.nodes) == 0 {
		require.NoError(c.t, l.WaitForLeader(converge))
	}
	c.nodes = append(c.nodes, n)
	return n
}

// close closes the node, once.
func (n *testNode) close(t testing.TB) {
	t.Helper()
	if n.log != nil {
		require.NoError(t, n.log.Close())
		n.log = nil
	}
}

// startCluster starts n nodes; the first bootstraps and joins the others.
func startCluster(t testing.TB, n int) *cluster {
	t.Helper()
	c := newCluster(t)
	for i := range n {
		node := c.start(string(rune('a'+i)), t.TempDir(), "127.0.0.1:0")
		if i > 0 {
			c.join(node)
		}
	}
	return c
}

// join adds n to the cluster through the current leader, trying again
// while leadership changes: Join is idempotent.
func (c *cluster) join(n *testNode) {
	c.t.Helper()
	require.Eventually(c.t, func() bool {
		err := c.leader().log.Join(n.id, n.addr)
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) {
			return false
		}
		require.NoError(c.t, err)
		return true
	}, converge, tick, "no leader took %s in", n.id)
}

// leader returns the node that leads the cluster now, waiting for one.
func (c *cluster) leader() *testNode {
	c.t.Helper()
	var leader *testNode
	require.Eventually(c.t, func() bool {
		for _, n := range c.nodes {
			if n.log != nil && n.log.raft.State() == raft.Leader {
				leader = n
				return true
			}
		}
		return false
	}, converge, tick, "no node became leader")
	return leader
}

// follower returns a node other than the current leader.
func (c *cluster) follower() *testNode {
	c.t.Helper()
	leader := c.leader()
	for _, n := range c.nodes {
		if n != leader {
			return n
		}
	}
	c.t.Fatal("the cluster has no follower")
	return nil
}

// produce appends value through the current leader, trying again while
// leadership changes, and returns its offset.
func (c *cluster) produce(value string) uint64 {
	c.t.Helper()
	var off uint64
	require.Eventually(c.t, func() bool {
		var err error
		off, err = c.leader().log.Append(&api.Record{Value: []byte(value)})
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) {
			return false
		}
		require.NoError(c.t, err)
		return true
	}, converge, tick, "no leader took %q", value)
	return off
}

// requireValues waits until node holds exactly want, from offset 0 on.
func requireValues(t *testing.T, n *testNode, want []string, msg string) {
	t.Helper()
	var got []string
	held := func() bool {
		got = nodeValues(n)
		return slices.Equal(got, want)
	}
	if !waitFor(held) {
		require.Equal(t, want, got, msg)
	}
}

// nodeValues returns the values node holds from offset 0 on.
func nodeValues(n *testNode) []string {
	var got []string
	for off := uint64(0); ; off++ {
		record, err := n.log.Read(off)
		if err != nil {
			return got
		}
		got = append(got, string(record.GetValue()))
	}
}

// waitFor reports whether cond became true within converge, checking it
// every tick. Unlike require.Eventually it lets the caller say what it
// saw last.
func waitFor(cond func() bool) bool {
	deadline := time.NewTimer(converge)
	defer deadline.Stop()
	poll := time.NewTicker(tick)
	defer poll.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-poll.C:
		}
	}
	return true
}
