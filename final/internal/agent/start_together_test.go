package agent

import (
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// TestClusterStartsAllAtOnce starts three agents at the same instant, each
// listing the other two in StartJoinAddrs, as a docker compose up or a
// StatefulSet with parallel pods does: some start before any other
// listens, and must keep trying to join rather than fail. It does so with
// fresh data directories (agent 0 bootstraps the cluster), then again with
// the directories the first run left. Each time the cluster must form,
// elect a leader with all three as voters, and take a produce.
func TestClusterStartsAllAtOnce(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	configs := make([]Config, 3)
	serfAddrs := make([]string, len(configs))
	for i := range configs {
		serfAddrs[i] = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	}
	for i := range configs {
		others := slices.Delete(slices.Clone(serfAddrs), i, i+1)
		configs[i] = newConfig(t, i, certs, others)
		configs[i].BindAddr = serfAddrs[i]
		// Raft's configuration holds each agent's RPC address: the
		// restart needs the same.
		configs[i].RPCPort = freePort(t)
	}

	var acked []string
	for _, run := range []string{"fresh data directories", "the data directories of the first run"} {
		agents := startTogether(t, configs)
		leader := requireLeaderOfAll(t, agents)
		value := "produced with " + run
		produce(t, client(t, leader, certs), value)
		acked = append(acked, value)
		for i, a := range agents {
			requireRecords(t, client(t, a, certs), acked, "agent %d, started at once with %s, must hold every record", i, run)
		}
		for i := len(agents) - 1; i >= 0; i-- {
			require.NoError(t, agents[i].Shutdown(), "shut agent %d down", i)
		}
	}
}

// startTogether starts an agent of each of configs, all at once, and
// returns them once every New has returned.
func startTogether(t *testing.T, configs []Config) []*Agent {
	t.Helper()
	agents := make([]*Agent, len(configs))
	errs := make([]error, len(configs))
	start := make(chan struct{})
	var started sync.WaitGroup
	for i, cfg := range configs {
		started.Add(1)
		go func() {
			defer started.Done()
			<-start
			agents[i], errs[i] = New(cfg)
		}()
	}
	close(start)
	started.Wait()
	for i, err := range errs {
		if agents[i] != nil {
			t.Cleanup(func() { require.NoError(t, agents[i].Shutdown()) })
		}
		require.NoError(t, err, "agent %d must start though the others may not listen yet", i)
	}
	return agents
}

// requireLeaderOfAll waits until one of agents leads a Raft configuration
// that holds all of them, and returns it.
func requireLeaderOfAll(t *testing.T, agents []*Agent) *Agent {
	t.Helper()
	var names []string
	for _, a := range agents {
		names = append(names, a.NodeName)
	}
	slices.Sort(names)
	var leader *Agent
	require.Eventually(t, func() bool {
		for _, a := range agents {
			if a.log.IsLeader() && slices.Equal(raftServers(t, a), names) {
				leader = a
				return true
			}
		}
		return false
	}, converge, tick, "no agent came to lead a configuration of all of %v", names)
	return leader
}

// freePort returns a port of 127.0.0.1 where nothing listens, free for an
// agent to take later.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}
