package log

import (
	"errors"
	"fmt"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// ErrOffsetOutOfRange is returned by [Log.Read] for an offset the log does
// not hold: below [Log.LowestOffset] because it was truncated away, or past
// [Log.HighestOffset] because it has not been written yet. Offset is the
// offset that was asked for. Callers find it with errors.As.
//
// The type lives in api/v1 as [api.ErrOffsetOutOfRange], where it knows how
// to become a gRPC status; this name is an alias for it, so the log and its
// callers can go on writing ErrOffsetOutOfRange.
type ErrOffsetOutOfRange = api.ErrOffsetOutOfRange

// ErrCorrupt is wrapped by the errors that report bytes on disk failing a
// check: a store record whose length runs past the end of the store (a torn
// write or garbage), a record whose checksum does not match, that does not
// unmarshal or that holds another offset than the one its place gives it, an
// index entry that breaks the index's order ([Log.Read], [NewLog]), and
// segments missing from the directory, between two others or before the
// first ([NewLog]). Callers test for it with errors.Is; a [*CorruptError]
// says where the bytes are.
var ErrCorrupt = errors.New("corrupt log data")

// CorruptError reports bytes of a file of the log that fail a check, and
// where they are. Its Err wraps [ErrCorrupt], so errors.Is(err, ErrCorrupt)
// holds for every CorruptError; callers that want the place use errors.As.
type CorruptError struct {
	File string // path of the store or index file
	Pos  uint64 // byte position in File where the bad bytes start
	Err  error  // what is wrong; wraps ErrCorrupt
}

// Error names the file, the position and what is wrong.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s: byte %d: %v", e.File, e.Pos, e.Err)
}

// Unwrap returns e.Err, for errors.Is and errors.As.
func (e *CorruptError) Unwrap() error {
	return e.Err
}

// corruptAt returns a [*CorruptError] for the bytes at pos in file, saying
// what is wrong with them in format and args.
func corruptAt(file string, pos uint64, format string, args ...any) error {
	return &CorruptError{File: file, Pos: pos, Err: fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)}
}

// ErrClosed is returned by the methods of a [Log] after [Log.Close] or
// [Log.Remove] (and after a [Log.Reset] that failed): by [Log.Append],
// [Log.Read], [Log.Truncate], [Log.Reset], [Log.LowestOffset] and
// [Log.HighestOffset], and by the reader [Log.Reader] returns. A server that
// is shutting down can still receive a call after its log closed: the call
// gets this error, never a crash. Callers test for it with errors.Is.
var ErrClosed = errors.New("the log is closed")

// ErrConfigMismatch is returned by [NewLog] when Config.Segment.Checksum is
// not the setting the log's directory was written with: its records would
// be read wrongly, so the log is not opened and nothing is changed.
var ErrConfigMismatch = errors.New("configuration does not match the log on disk")

// NotLeaderError is returned by [DistributedLog.Append] on a server that
// cannot take the append: it is not the leader (Err is raft.ErrNotLeader,
// and nothing was appended), or it lost the leadership while the append was
// under way (Err is raft.ErrLeadershipLost, and the record may or may not
// be committed). Either way the append can go to the leader instead.
// LeaderID and LeaderAddr name the leader this server knows of, and are
// empty during an election. Callers find it with errors.As; errors.Is(err,
// raft.ErrNotLeader) still holds through [NotLeaderError.Unwrap].
type NotLeaderError struct {
	LeaderID   string // the leader's Raft server ID, or ""
	LeaderAddr string // the address the leader's Raft and gRPC share, or ""
	Err        error  // raft.ErrNotLeader, raft.ErrLeadershipLost or raft.ErrLeadershipTransferInProgress
}

// Error says why the append was refused and who the leader is, if known.
func (e *NotLeaderError) Error() string {
	if e.LeaderID == "" {
		return fmt.Sprintf("%v; no leader is known (an election may be under way)", e.Err)
	}
	return fmt.Sprintf("%v; the leader is %s at %s", e.Err, e.LeaderID, e.LeaderAddr)
}

// Unwrap returns e.Err, for errors.Is and errors.As.
func (e *NotLeaderError) Unwrap() error {
	return e.Err
}
