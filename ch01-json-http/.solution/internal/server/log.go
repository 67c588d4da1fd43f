package server

import (
	"errors"
	"sync"
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
	//exercise:1.1 begin
	l.mu.Lock()
	defer l.mu.Unlock()
	record.Offset = uint64(len(l.records))
	l.records = append(l.records, record)
	return record.Offset, nil
	//exercise:1.1 stub
	// return 0, exercise.NotDone("1.1")
	//exercise:1.1 end
}

// Read returns the record at offset, or [ErrOffsetNotFound] when the log
// has no record there yet.
func (l *Log) Read(offset uint64) (Record, error) {
	//exercise:1.2 begin
	l.mu.Lock()
	defer l.mu.Unlock()
	// Compare as uint64: converting offset to int could wrap to a negative
	// index on a huge offset.
	if offset >= uint64(len(l.records)) {
		return Record{}, ErrOffsetNotFound
	}
	return l.records[offset], nil
	//exercise:1.2 stub
	// return Record{}, exercise.NotDone("1.2")
	//exercise:1.2 end
}
