package log

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestRaftLogger(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	raftLog := NewRaftLogger(zap.New(core).Named("raft"))

	raftLog.Named("snapshots").With("path", "/data").Info("snapshot taken", "index", 42)
	raftLog.Trace("heartbeat sent", "peer")
	raftLog.Warn("slow follower")

	entries := logs.AllUntimed()
	require.Len(t, entries, 3)

	require.Equal(t, "snapshot taken", entries[0].Message)
	require.Equal(t, zapcore.InfoLevel, entries[0].Level)
	require.Equal(t, "raft.snapshots", entries[0].LoggerName, "Named must name the zap logger")
	require.Equal(t, map[string]any{"path": "/data", "index": int64(42)}, entries[0].ContextMap(),
		"With's arguments and the call's must become zap fields")

	require.Equal(t, zapcore.DebugLevel, entries[1].Level, "zap has no Trace: Debug is the closest")
	require.Equal(t, map[string]any{hclog.MissingKey: "peer"}, entries[1].ContextMap(), "a value without a key must be kept")

	require.Equal(t, zapcore.WarnLevel, entries[2].Level)
	require.Equal(t, "raft", entries[2].LoggerName)

	t.Run("the zap logger's level decides", func(t *testing.T) {
		core, logs := observer.New(zapcore.WarnLevel)
		raftLog := NewRaftLogger(zap.New(core))
		require.False(t, raftLog.IsInfo())
		require.True(t, raftLog.IsWarn())
		require.Equal(t, hclog.Warn, raftLog.GetLevel())
		raftLog.Info("dropped")
		raftLog.Error("kept")
		require.Equal(t, 1, logs.Len())
	})

	t.Run("ResetNamed replaces the name", func(t *testing.T) {
		core, logs := observer.New(zapcore.InfoLevel)
		raftLog := NewRaftLogger(zap.New(core)).Named("a").ResetNamed("b")
		require.Equal(t, "b", raftLog.Name())
		raftLog.Info("hello")
		require.Equal(t, "b", logs.All()[0].LoggerName)
	})

	t.Run("the standard logger writes to zap", func(t *testing.T) {
		core, logs := observer.New(zapcore.InfoLevel)
		NewRaftLogger(zap.New(core)).StandardLogger(nil).Print("from the standard library")
		require.Equal(t, "from the standard library", logs.All()[0].Message)
	})
}

// TestRaftLoggerQuietensClosedNetwork checks that the errors Raft's
// transport meets while the server shuts down are debug lines, and that
// other errors stay errors.
func TestRaftLoggerQuietensClosedNetwork(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	raftLog := NewRaftLogger(zap.New(core))

	raftLog.Error("failed to accept connection", "error", fmt.Errorf("%w (mux: server closed)", net.ErrClosed))
	raftLog.Error("failed to decode incoming command", "error", &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed})
	raftLog.Error("failed to appendEntries to", "peer", "b", "error", errors.New("connection refused"))

	entries := logs.AllUntimed()
	require.Len(t, entries, 3)
	require.Equal(t, zapcore.DebugLevel, entries[0].Level, "a closed listener at shutdown is not a failure")
	require.Equal(t, zapcore.DebugLevel, entries[1].Level, "a closed connection at shutdown is not a failure")
	require.Equal(t, zapcore.ErrorLevel, entries[2].Level, "other errors stay errors")
}
