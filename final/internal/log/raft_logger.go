package log

import (
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"

	"github.com/hashicorp/go-hclog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zapio"
)

var _ hclog.Logger = (*raftLogger)(nil)

// NewRaftLogger returns an hclog.Logger, the kind hashicorp/raft logs to,
// that writes to logger: put it in Config.Raft.Logger so that Raft's lines
// go where the rest of the server's go, structured, instead of to stderr.
// Raft's key-value arguments become zap fields; its Trace lines are
// logged at zap's Debug level. logger's level decides what is logged:
// SetLevel does nothing.
func NewRaftLogger(logger *zap.Logger) hclog.Logger {
	return &raftLogger{root: logger, logger: logger}
}

// raftLogger implements hclog.Logger on a zap.Logger. It is immutable: With
// and Named return new ones.
type raftLogger struct {
	root   *zap.Logger // the logger NewRaftLogger was given, for ResetNamed
	logger *zap.Logger // root, named and with the implied arguments
	name   string      // the hclog name, dot-separated
	args   []any       // the implied arguments, as hclog keeps them
}

// zapLevel returns the zap level of an hclog level.
func zapLevel(level hclog.Level) zapcore.Level {
	switch level {
	case hclog.Trace, hclog.Debug:
		return zapcore.DebugLevel
	case hclog.Warn:
		return zapcore.WarnLevel
	case hclog.Error:
		return zapcore.ErrorLevel
	default:
		return zapcore.InfoLevel
	}
}

// aboutClosedNetwork reports whether one of a line's values is an error
// of a closed network connection or listener.
func aboutClosedNetwork(args []any) bool {
	for _, arg := range args {
		if err, ok := arg.(error); ok && errors.Is(err, net.ErrClosed) {
			return true
		}
	}
	return false
}

// fields turns hclog's alternating keys and values into zap fields. A value
// without a key, at the end, is kept under the key hclog gives it.
func fields(args []any) []zap.Field {
	fs := make([]zap.Field, 0, (len(args)+1)/2)
	for i := 0; i < len(args); i += 2 {
		if i+1 == len(args) {
			fs = append(fs, zap.Any(hclog.MissingKey, args[i]))
			break
		}
		fs = append(fs, zap.Any(fmt.Sprint(args[i]), args[i+1]))
	}
	return fs
}

// Log implements hclog.Logger. A warning or an error about a closed
// network connection or listener is logged at debug: Raft's transport
// meets them while the server shuts down ("failed to accept connection",
// "failed to decode incoming command"), and an operator who sees ERROR on
// every clean shutdown learns to ignore ERROR.
func (l *raftLogger) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.Off {
		return
	}
	if level >= hclog.Warn && aboutClosedNetwork(args) {
		level = hclog.Debug
	}
	if ce := l.logger.Check(zapLevel(level), msg); ce != nil {
		ce.Write(fields(args)...)
	}
}

// Trace implements hclog.Logger.
func (l *raftLogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }

// Debug implements hclog.Logger.
func (l *raftLogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }

// Info implements hclog.Logger.
func (l *raftLogger) Info(msg string, args ...any) { l.Log(hclog.Info, msg, args...) }

// Warn implements hclog.Logger.
func (l *raftLogger) Warn(msg string, args ...any) { l.Log(hclog.Warn, msg, args...) }

// Error implements hclog.Logger.
func (l *raftLogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

// IsTrace implements hclog.Logger.
func (l *raftLogger) IsTrace() bool { return l.logger.Core().Enabled(zapcore.DebugLevel) }

// IsDebug implements hclog.Logger.
func (l *raftLogger) IsDebug() bool { return l.logger.Core().Enabled(zapcore.DebugLevel) }

// IsInfo implements hclog.Logger.
func (l *raftLogger) IsInfo() bool { return l.logger.Core().Enabled(zapcore.InfoLevel) }

// IsWarn implements hclog.Logger.
func (l *raftLogger) IsWarn() bool { return l.logger.Core().Enabled(zapcore.WarnLevel) }

// IsError implements hclog.Logger.
func (l *raftLogger) IsError() bool { return l.logger.Core().Enabled(zapcore.ErrorLevel) }

// ImpliedArgs implements hclog.Logger.
func (l *raftLogger) ImpliedArgs() []any { return l.args }

// With implements hclog.Logger.
func (l *raftLogger) With(args ...any) hclog.Logger {
	return &raftLogger{root: l.root, logger: l.logger.With(fields(args)...), name: l.name, args: append(l.args[:len(l.args):len(l.args)], args...)}
}

// Name implements hclog.Logger.
func (l *raftLogger) Name() string { return l.name }

// Named implements hclog.Logger: name is added to the logger's name.
func (l *raftLogger) Named(name string) hclog.Logger {
	full := name
	if l.name != "" {
		full = l.name + "." + name
	}
	return &raftLogger{root: l.root, logger: l.logger.Named(name), name: full, args: l.args}
}

// ResetNamed implements hclog.Logger: name replaces the logger's name.
func (l *raftLogger) ResetNamed(name string) hclog.Logger {
	return &raftLogger{root: l.root, logger: l.root.Named(name).With(fields(l.args)...), name: name, args: l.args}
}

// SetLevel implements hclog.Logger. It does nothing: the zap logger's level
// decides.
func (l *raftLogger) SetLevel(hclog.Level) {}

// GetLevel implements hclog.Logger: the most detailed level the zap logger
// writes.
func (l *raftLogger) GetLevel() hclog.Level {
	for _, level := range []hclog.Level{hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if l.logger.Core().Enabled(zapLevel(level)) {
			return level
		}
	}
	return hclog.Off
}

// StandardLogger implements hclog.Logger: a standard logger whose lines go
// to the zap logger at Info.
func (l *raftLogger) StandardLogger(opts *hclog.StandardLoggerOptions) *stdlog.Logger {
	return stdlog.New(l.StandardWriter(opts), "", 0)
}

// StandardWriter implements hclog.Logger: a writer whose lines go to the
// zap logger at Info.
func (l *raftLogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return &zapio.Writer{Log: l.logger, Level: zapcore.InfoLevel}
}
