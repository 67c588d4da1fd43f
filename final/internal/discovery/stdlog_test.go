package discovery

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestLeveledStdLog(t *testing.T) {
	core, logged := observer.New(zapcore.DebugLevel)
	std := leveledStdLog(zap.New(core))
	lines := []struct {
		line  string
		level zapcore.Level
		msg   string
	}{
		{"[DEBUG] memberlist: Stream connection from=127.0.0.1:5000", zapcore.DebugLevel, "memberlist: Stream connection from=127.0.0.1:5000"},
		{"[INFO] serf: EventMemberJoin: a 127.0.0.1", zapcore.InfoLevel, "serf: EventMemberJoin: a 127.0.0.1"},
		{"[WARN] memberlist: Refuting a suspect message", zapcore.WarnLevel, "memberlist: Refuting a suspect message"},
		{"[ERR] memberlist: Failed to send ping", zapcore.ErrorLevel, "memberlist: Failed to send ping"},
		{"no level at all", zapcore.InfoLevel, "no level at all"},
		{"[NOTICE] an unknown level", zapcore.InfoLevel, "[NOTICE] an unknown level"},
		{"[DEBUG]without a space", zapcore.InfoLevel, "[DEBUG]without a space"},
	}
	for _, l := range lines {
		std.Print(l.line)
	}
	entries := logged.AllUntimed()
	require.Len(t, entries, len(lines), "every line must be logged once")
	for i, l := range lines {
		require.Equal(t, l.level, entries[i].Level, "the level of %q", l.line)
		require.Equal(t, l.msg, entries[i].Message, "the message of %q", l.line)
	}
}

func TestLeveledStdLogDropsDebugAtInfo(t *testing.T) {
	core, logged := observer.New(zapcore.InfoLevel)
	std := leveledStdLog(zap.New(core))
	std.Print("[DEBUG] memberlist: Initiating push/pull sync with: 127.0.0.1:5000")
	std.Print("[INFO] serf: EventMemberJoin: a 127.0.0.1")
	require.Equal(t, 1, logged.Len(), "a logger at info must keep the info line and drop the debug one")
}
