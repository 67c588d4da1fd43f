package agent

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// TestRaftLogsGoToZap starts an agent, which bootstraps a cluster and
// leads it: Raft says so, and its lines must be in the agent's logger,
// under the name raft.
func TestRaftLogsGoToZap(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	core, logs := observer.New(zapcore.InfoLevel)
	cfg := newConfig(t, 0, certs, nil)
	cfg.Logger = zap.New(core)
	a, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })

	raftLines := logs.Filter(func(e observer.LoggedEntry) bool {
		return strings.HasSuffix(e.LoggerName, ".raft") || strings.Contains(e.LoggerName, ".raft.")
	})
	require.NotZero(t, raftLines.Len(), "Raft's lines must go to the agent's zap logger, named raft; got loggers %v", loggerNames(logs))
	require.NotEmpty(t, raftLines.FilterMessage("entering leader state").All(), "the bootstrapping agent's Raft must log that it leads")
}

// loggerNames returns the names of the loggers that wrote to logs.
func loggerNames(logs *observer.ObservedLogs) []string {
	seen := map[string]bool{}
	var names []string
	for _, e := range logs.All() {
		if !seen[e.LoggerName] {
			seen[e.LoggerName] = true
			names = append(names, e.LoggerName)
		}
	}
	return names
}

// TestCleanShutdownLogsNoError shuts down a 2-agent cluster that served a
// produce: nothing may be logged at error, since an operator who sees
// ERROR on every clean shutdown learns to ignore ERROR. Raft's transport
// meets a closed port and closed connections while it stops; those are
// debug lines.
func TestCleanShutdownLogsNoError(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	core, logs := observer.New(zapcore.WarnLevel)
	var agents []*Agent
	for i := range 2 {
		var join []string
		if i > 0 {
			join = []string{agents[0].BindAddr}
		}
		cfg := newConfig(t, i, certs, join)
		cfg.Logger = zap.New(core).Named(cfg.NodeName)
		a, err := New(cfg)
		require.NoError(t, err)
		agents = append(agents, a)
	}
	produce(t, client(t, agents[0], certs), "before the shutdown")
	requireRecords(t, client(t, agents[1], certs), []string{"before the shutdown"}, "the follower must have the record")
	for i := len(agents) - 1; i >= 0; i-- {
		require.NoError(t, agents[i].Shutdown())
	}
	errorLines := logs.FilterLevelExact(zapcore.ErrorLevel).All()
	for _, e := range errorLines {
		t.Logf("%s: %s %v", e.LoggerName, e.Message, e.ContextMap())
	}
	require.Empty(t, errorLines, "a clean shutdown must log no error")
}
