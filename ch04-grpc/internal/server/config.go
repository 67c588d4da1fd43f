package server

import (
	"errors"

	api "github.com/proglog-workshop/proglog/ch04-grpc/api/v1"
)

// Config configures the server [NewGRPCServer] makes.
type Config struct {
	// CommitLog is the log the server serves. Required.
	CommitLog CommitLog
}

// validate reports a Config the server cannot run with.
func (c *Config) validate() error {
	if c == nil || c.CommitLog == nil {
		return errors.New("Config.CommitLog is nil: the server needs a log to serve")
	}
	return nil
}

// CommitLog is what the server needs from a log. internal/log's *Log is
// one. The server calls it from many goroutines at once, so an
// implementation must be safe for concurrent use.
type CommitLog interface {
	// Append adds record at the end of the log and returns its offset. It
	// may set record.Offset: the server hands it a copy of the client's.
	Append(record *api.Record) (uint64, error)
	// Read returns the record at offset, or an error that is (or wraps)
	// api.ErrOffsetOutOfRange when the log does not hold that offset.
	Read(offset uint64) (*api.Record, error)
}
