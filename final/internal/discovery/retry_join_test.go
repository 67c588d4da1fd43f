package discovery

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/serf/serf"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
)

// The messages of retry_join.go the tests look for.
const (
	joinFailedMessage    = "no member answered the join"
	keyMismatchMessage   = "join refused: a member answered with another gossip key"
	joinedClusterMessage = "joined the cluster"
)

// observedLogger returns a logger that writes to the test's log and keeps
// what it logged, info and above, in the returned observer.
func observedLogger(t *testing.T) (*zap.Logger, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.InfoLevel)
	return zap.New(zapcore.NewTee(zaptest.NewLogger(t).Core(), core)), logs
}

// freeAddr returns an address of 127.0.0.1 where nothing listens, free for
// a member to take later.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// seen reports whether m knows member name as alive.
func seen(m *Membership, name string) bool {
	return statuses(m)[name] == serf.StatusAlive
}

// TestRetryJoinFindsAMemberThatStartsLater starts a member whose join
// address has nobody listening, as when a whole cluster starts at once,
// then a member at that address: the first keeps trying and joins it. The
// first lists its own address too, as every node does when all are given
// one list: joining itself must not count.
func TestRetryJoinFindsAMemberThatStartsLater(t *testing.T) {
	earlyAddr, addr := freeAddr(t), freeAddr(t)
	logger, logs := observedLogger(t)
	earlyHandler, lateHandler := newRecorder(), newRecorder()
	early, err := New(earlyHandler, Config{
		NodeName:       "early",
		BindAddr:       earlyAddr,
		Tags:           map[string]string{RPCAddrTag: "rpc-early"},
		StartJoinAddrs: []string{earlyAddr, addr},
		Logger:         logger,
	})
	require.NoError(t, err, "New must not fail because nobody answers yet: the member retries")
	t.Cleanup(func() { require.NoError(t, early.Leave()) })
	require.Eventually(t, func() bool { return logs.FilterMessageSnippet(joinFailedMessage).Len() >= 2 }, converge, tick,
		"the member must retry, and log each failure")
	require.Equal(t, map[string]serf.MemberStatus{"early": serf.StatusAlive}, statuses(early), "alone until the other starts")

	late, err := New(lateHandler, Config{
		NodeName: "late",
		BindAddr: addr,
		Tags:     map[string]string{RPCAddrTag: "rpc-late"},
		Logger:   zaptest.NewLogger(t),
	})
	require.NoError(t, err, "start a member at %s", addr)
	t.Cleanup(func() { require.NoError(t, late.Leave()) })

	require.Eventually(t, func() bool { return seen(early, "late") && seen(late, "early") }, converge, tick,
		"the members must end up in each other's Members")
	require.Eventually(t, func() bool {
		return earlyHandler.joined()["late"] == "rpc-late" && lateHandler.joined()["early"] == "rpc-early"
	}, converge, tick, "each handler must hear of the other member")
	require.Eventually(t, func() bool { return logs.FilterMessage(joinedClusterMessage).Len() == 1 }, converge, tick,
		"the join that succeeds must be logged")
	joined := logs.FilterMessage(joinedClusterMessage).All()[0]
	require.Equal(t, zapcore.InfoLevel, joined.Level)
	require.Equal(t, addr, joined.ContextMap()["addr"])
	for _, failure := range logs.FilterMessageSnippet(joinFailedMessage).All() {
		require.Equal(t, zapcore.WarnLevel, failure.Level)
		require.Equal(t, []any{addr}, failure.ContextMap()["addrs"], "a failure must name the addresses")
		require.Contains(t, fmt.Sprint(failure.ContextMap()["errors"]), "connection refused")
	}
}

// TestLeaveStopsRetryingJoin calls Leave on members that are retrying
// their join: it must return at once, not after the wait before the next
// attempt, and leave no goroutine behind.
func TestLeaveStopsRetryingJoin(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retryWait time.Duration // zero is the package's backoff
		failures  int           // how many failed attempts to wait for
	}{
		{name: "waiting an hour for the next attempt", retryWait: time.Hour, failures: 1},
		{name: "after a few attempts with the package's backoff", failures: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			logger, logs := observedLogger(t)
			m, err := New(newRecorder(), Config{
				NodeName:       "alone",
				BindAddr:       "127.0.0.1:0",
				StartJoinAddrs: []string{freeAddr(t), freeAddr(t)},
				Logger:         logger,
				retryJoinWait:  tc.retryWait,
			})
			require.NoError(t, err)
			require.Eventually(t, func() bool { return logs.FilterMessageSnippet(joinFailedMessage).Len() >= tc.failures }, converge, tick)

			start := time.Now()
			left := make(chan error, 1)
			go func() { left <- m.Leave() }()
			select {
			case err := <-left:
				require.NoError(t, err)
			case <-time.After(converge):
				t.Fatalf("Leave has not returned after %s: it must not wait for the next join attempt", converge)
			}
			t.Logf("Leave returned in %s (Serf's own leave waits LeavePropagateDelay, 1 s)", time.Since(start).Round(time.Millisecond))
			require.NoError(t, goleak.Find(before), "the join retries must end with Leave")
			require.Zero(t, logs.FilterMessage(joinedClusterMessage).Len())
		})
	}
}

// TestMemberListedAloneDoesNotRetry starts a member whose join list holds
// its own address only, as a cluster of one given every node's address
// does: there is nobody to join, and nothing to retry or warn about.
func TestMemberListedAloneDoesNotRetry(t *testing.T) {
	before := goleak.IgnoreCurrent()
	addr := freeAddr(t)
	logger, logs := observedLogger(t)
	m, err := New(newRecorder(), Config{NodeName: "alone", BindAddr: addr, StartJoinAddrs: []string{addr}, Logger: logger})
	require.NoError(t, err)
	// New logs its join, failed or made, before it returns, and starts
	// retrying only after a failure.
	require.Empty(t, logs.FilterLoggerName("membership").FilterMessageSnippet("join").All(), "no join must be tried")
	require.Equal(t, map[string]serf.MemberStatus{"alone": serf.StatusAlive}, statuses(m))
	require.NoError(t, m.Leave())
	require.NoError(t, goleak.Find(before))
}

func TestDisableRetryJoinFailsNewAtOnce(t *testing.T) {
	before := goleak.IgnoreCurrent()
	_, err := New(newRecorder(), Config{
		NodeName:         "0",
		BindAddr:         "127.0.0.1:0",
		StartJoinAddrs:   []string{freeAddr(t)},
		DisableRetryJoin: true,
	})
	require.ErrorContains(t, err, "connection refused")
	require.NoError(t, goleak.Find(before), "a New that fails must shut down the Serf it created")
}
