package discovery

import (
	stdlog "log"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// leveledStdLog returns a standard library logger for Serf and memberlist
// that writes each line to logger at the level the line names. Both
// libraries log through a *log.Logger and put the level in the text
// ("[DEBUG] memberlist: Stream connection from=…"); zap.NewStdLog would
// log every such line at info, so a cluster's output would be mostly
// gossip chatter. Here a [DEBUG] line is a debug entry, which an operator
// sees only when asking for debug.
func leveledStdLog(logger *zap.Logger) *stdlog.Logger {
	return stdlog.New(levelWriter{logger}, "", 0)
}

// levelWriter is the io.Writer behind leveledStdLog: one Write is one line.
type levelWriter struct{ logger *zap.Logger }

func (w levelWriter) Write(p []byte) (int, error) {
	level, msg := splitLevel(strings.TrimSpace(string(p)))
	if entry := w.logger.Check(level, msg); entry != nil {
		entry.Write()
	}
	return len(p), nil
}

// splitLevel reads the "[LEVEL] " that starts a Serf or memberlist line
// and returns the zap level it means and the rest of the line. A line
// without one, or with a level it does not know, is info and kept whole.
func splitLevel(line string) (zapcore.Level, string) {
	rest, ok := strings.CutPrefix(line, "[")
	if !ok {
		return zapcore.InfoLevel, line
	}
	name, msg, ok := strings.Cut(rest, "] ")
	if !ok {
		return zapcore.InfoLevel, line
	}
	switch name {
	case "TRACE", "DEBUG":
		return zapcore.DebugLevel, msg
	case "INFO":
		return zapcore.InfoLevel, msg
	case "WARN":
		return zapcore.WarnLevel, msg
	case "ERR", "ERROR":
		return zapcore.ErrorLevel, msg
	}
	return zapcore.InfoLevel, line
}
