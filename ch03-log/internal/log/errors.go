package log

import (
	"errors"
	"fmt"
)

// ErrOffsetOutOfRange is returned by [Log.Read] for an offset the log does
// not hold: below [Log.LowestOffset] because it was truncated away, or past
// [Log.HighestOffset] because it has not been written yet. Offset is the
// offset that was asked for. Callers find it with errors.As.
//
// Chapter 4 moves this type to api/v1, where it learns to become a gRPC
// status; its name and field stay the same.
type ErrOffsetOutOfRange struct {
	Offset uint64
}

// Error says which offset is out of range.
func (e ErrOffsetOutOfRange) Error() string {
	return fmt.Sprintf("offset out of range: %d", e.Offset)
}

// ErrCorrupt is wrapped by the errors that report bytes on disk failing a
// check: a store record whose length runs past the end of the store (a torn
// write or garbage; returned by store.Read and so by [Log.Read]), a record
// whose checksum does not match or that does not unmarshal ([Log.Read]), and
// segments whose offsets leave a hole between them ([NewLog]). Callers test
// for it with errors.Is.
var ErrCorrupt = errors.New("corrupt log data")
