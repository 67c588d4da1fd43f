package log

import (
	"errors"

	api "github.com/proglog-workshop/proglog/ch09-balancing/api/v1"
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
// write or garbage; returned by store.Read and so by [Log.Read]), a record
// whose checksum does not match or that does not unmarshal ([Log.Read]), and
// segments whose offsets leave a hole between them ([NewLog]). Callers test
// for it with errors.Is.
var ErrCorrupt = errors.New("corrupt log data")
