package server

import (
	"errors"

	api "github.com/proglog-workshop/proglog/ch09-balancing/api/v1"
)

// Config configures the server [NewGRPCServer] makes.
type Config struct {
	// CommitLog is the log the server serves. Required.
	CommitLog CommitLog
	// Authorizer decides which client may call which method. Required:
	// there is no default that allows everyone.
	Authorizer Authorizer
	// GetServerer tells GetServers the cluster's servers. Optional: without
	// it, GetServers answers Unimplemented (a server of one log that is not
	// part of a cluster).
	GetServerer GetServerer
}

// validate reports a Config the server cannot run with.
func (c *Config) validate() error {
	switch {
	case c == nil || c.CommitLog == nil:
		return errors.New("Config.CommitLog is nil: the server needs a log to serve")
	case c.Authorizer == nil:
		return errors.New("Config.Authorizer is nil: the server refuses to run without an ACL")
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

// Authorizer is what the server needs from an ACL. internal/auth's
// *Authorizer is one. It must be safe for concurrent use.
type Authorizer interface {
	// Authorize returns nil if subject may perform action on object. The
	// error it returns otherwise goes to the client as it is, so it should
	// be a status with code PermissionDenied.
	Authorize(subject, object, action string) error
}
