package agent

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	logclient "github.com/proglog-workshop/proglog/final/client"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// electionWait is the least a cluster waits for a new leader when the old
// one vanishes: raft's default heartbeat timeout, after which a follower
// only starts to campaign. A leader that hands over is replaced well
// within it.
const electionWait = time.Second

// TestLeaderShutdownHandsOver shuts the leader of a 3-agent cluster down
// while a client produces: every produce succeeds, a new leader is there
// sooner than an election timeout allows, and the old leader leaves Raft's
// configuration.
func TestLeaderShutdownHandsOver(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, false)
	for _, a := range agents[1:] {
		t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	}
	leader, survivors := agents[0], agents[1:]
	for _, a := range survivors {
		require.Eventually(t, func() bool { return len(raftServers(t, a)) == 3 }, converge, tick, "agent %s must join Raft", a.NodeName)
	}

	// A client produces through the leader until told to stop, and keeps
	// going, through its retries, while the leader shuts down.
	c := newClient(t, leader, certs)
	var (
		mu       sync.Mutex // guards acked
		acked    []string
		produced = make(chan error, 1)
		stop     = make(chan struct{})
		started  = make(chan struct{})
	)
	go func() {
		for i := 0; i < 10_000; i++ {
			select {
			case <-stop:
				produced <- nil
				return
			default:
			}
			value := fmt.Sprint("record ", i)
			if _, err := c.Produce(t.Context(), []byte(value)); err != nil {
				produced <- fmt.Errorf("produce %q: %w", value, err)
				return
			}
			mu.Lock()
			acked = append(acked, value)
			mu.Unlock()
			if i == 0 {
				close(started)
			}
		}
		produced <- errors.New("the produce loop ended before it was stopped")
	}()
	<-started

	require.NoError(t, leader.Shutdown())
	shutdownDone := time.Now()
	var newLeader *Agent
	require.Eventually(t, func() bool {
		for _, a := range survivors {
			if a.log.IsLeader() {
				newLeader = a
				return true
			}
		}
		return false
	}, converge, tick/4, "no agent took over from the leader that shut down")
	tookOver := time.Since(shutdownDone)
	t.Logf("a new leader %s after Shutdown returned", tookOver.Round(time.Millisecond))
	require.Less(t, tookOver, electionWait, "the leader must hand over before it stops: without a handover the others wait at least %s", electionWait)

	require.Eventually(t, func() bool { return !slices.Contains(raftServers(t, newLeader), leader.NodeName) }, converge, tick,
		"the leader that shut down must leave Raft's configuration; it holds %v", raftServers(t, newLeader))

	// A few more produces with the new leader, then every acknowledged
	// record must be on both survivors, once.
	mu.Lock()
	ackedAtShutdown := len(acked)
	mu.Unlock()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= ackedAtShutdown+5
	}, converge, tick, "the client must go on producing with the new leader")
	close(stop)
	require.NoError(t, <-produced, "a produce under way while the leader shut down must complete, retried on the new leader")
	require.NoError(t, c.Close())
	mu.Lock()
	defer mu.Unlock()
	for _, a := range survivors {
		requireRecords(t, client(t, a, certs), acked, "agent %s must hold every acknowledged record, once, in order", a.NodeName)
	}
}

// newClient returns a client package client, as root, that finds the
// cluster through a.
func newClient(t *testing.T, a *Agent, certs pki.Files) *logclient.Client {
	t.Helper()
	addr, err := a.RPCAddr()
	require.NoError(t, err)
	c, err := logclient.New(t.Context(), logclient.Config{Addr: addr, TLS: rootTLS(t, certs)})
	require.NoError(t, err)
	return c
}

// TestNewLeaderReconciles makes Raft's configuration lose an agent that
// Serf still sees alive, as when a join reaches the cluster while it has
// no leader, then moves the leadership: the new leader must put the agent
// back.
func TestNewLeaderReconciles(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, true)
	for _, a := range agents {
		require.Eventually(t, func() bool { return len(raftServers(t, a)) == 3 }, converge, tick, "agent %s must see 3 servers", a.NodeName)
	}
	require.NoError(t, agents[0].log.Leave("2"))
	require.NotContains(t, raftServers(t, agents[0]), "2")

	require.NoError(t, agents[0].log.TransferLeadership())
	require.Eventually(t, func() bool {
		for _, a := range agents[:2] {
			if a.log.IsLeader() && slices.Contains(raftServers(t, a), "2") {
				return true
			}
		}
		return false
	}, converge, tick, "the new leader must add the member Serf sees alive and Raft lacks")
}
