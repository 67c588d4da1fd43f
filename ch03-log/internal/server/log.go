package server

import (
	"errors"
	"sync"

	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/ch03-log/api/v1"
)

// ErrOffsetNotFound is returned by [Log.Read] for an offset the log does not
// hold yet.
var ErrOffsetNotFound = errors.New("offset not found")

// ErrNilRecord is returned by [Log.Append] when given no record.
var ErrNilRecord = errors.New("record is nil")

// Log is an append-only list of records kept in memory. It is safe for
// concurrent use. Its zero value is not usable: create one with [NewLog].
type Log struct {
	mu      sync.Mutex // guards records
	records []*api.Record
}

// NewLog returns an empty log.
func NewLog() *Log {
	return &Log{}
}

// Append adds a copy of record to the end of the log and returns the offset
// it was given: 0 for the first record, then 1, 2, ... The record's own
// Offset is ignored, and the caller may reuse record afterwards.
func (l *Log) Append(record *api.Record) (uint64, error) {
	if record == nil {
		return 0, ErrNilRecord
	}
	// Keep a copy: a pointer to the caller's message would let the caller
	// change the log after the fact.
	stored := proto.Clone(record).(*api.Record)
	l.mu.Lock()
	defer l.mu.Unlock()
	stored.Offset = uint64(len(l.records))
	l.records = append(l.records, stored)
	return stored.Offset, nil
}

// Read returns a copy of the record at offset, or [ErrOffsetNotFound] when
// the log has no record there yet.
func (l *Log) Read(offset uint64) (*api.Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if offset >= uint64(len(l.records)) {
		return nil, ErrOffsetNotFound
	}
	return proto.Clone(l.records[offset]).(*api.Record), nil
}
