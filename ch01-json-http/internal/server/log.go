package server

import (
	"errors"
	"sync"

	"github.com/proglog-workshop/proglog/ch01-json-http/internal/exercise"
)

// Record is one entry of the log. Value is the payload; Offset is the
// record's position, assigned by [Log.Append]. In JSON, Value is base64.
type Record struct {
	Value  []byte `json:"value"`
	Offset uint64 `json:"offset"`
}

// ErrOffsetNotFound is returned by [Log.Read] for an offset the log does not
// hold yet.
var ErrOffsetNotFound = errors.New("offset not found")

// Log is an append-only list of records kept in memory. It is safe for
// concurrent use. Its zero value is not usable: create one with [NewLog].
type Log struct {
	mu      sync.Mutex // guards records
	records []Record
}

// NewLog returns an empty log.
func NewLog() *Log {
	return &Log{}
}

// Append adds record to the end of the log and returns the offset it was
// given: 0 for the first record, then 1, 2, ... The record's own Offset is
// ignored.
func (l *Log) Append(record Record) (uint64, error) {
	//exercise:1.1 begin: see README.md#11-logappend
	return 0, exercise.NotDone("1.1")
	//exercise:1.1 end
}

// Read returns the record at offset, or [ErrOffsetNotFound] when the log
// has no record there yet.
func (l *Log) Read(offset uint64) (Record, error) {
	//exercise:1.2 begin: see README.md#12-logread
	return Record{}, exercise.NotDone("1.2")
	//exercise:1.2 end
}
