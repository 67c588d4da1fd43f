package log

import (
	"sort"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Read returns the record at offset off. It returns [ErrOffsetOutOfRange] if
// the log does not hold off, and an error wrapping [ErrCorrupt] if the
// record's bytes fail a check. It returns [ErrClosed] once the log is
// closed.
func (l *Log) Read(off uint64) (*api.Record, error) {
	record := &api.Record{}
	if err := l.ReadInto(off, record); err != nil {
		return nil, err
	}
	return record, nil
}

// ReadInto reads the record at offset off into record, replacing what
// record held, and copies the value into record.Value's memory when its
// capacity allows: a reader that reuses one record for every read
// allocates nothing. The value must then no longer be in use elsewhere.
// It fails as [Log.Read] does, leaving record in an unspecified state.
func (l *Log) ReadInto(off uint64, record *api.Record) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	s := l.segmentOf(off)
	if s == nil {
		return ErrOffsetOutOfRange{Offset: off}
	}
	return s.readInto(off, record, record.Value[:0])
}

// ReadBatch returns the records from offset off on, in order: as many as
// the log holds now, at most maxRecords (at least one is read whatever
// maxRecords says), stopping after the record whose value brings the
// values read to maxValueBytes or more. It reads them under one lock and
// allocates little per batch rather than per record (see
// [segment.readRun]), which makes it the way to read the log in order:
// ConsumeStream reads with it. The records share memory: keep them, or
// let them go, together; do not modify them.
//
// It returns at least one record, or an error as [Log.Read] would for off:
// [ErrOffsetOutOfRange] when the log does not hold off. A later record that
// cannot be read ends the batch before it, without an error; the next
// batch, which starts there, returns it.
func (l *Log) ReadBatch(off uint64, maxRecords, maxValueBytes int) ([]*api.Record, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, ErrClosed
	}
	maxRecords = max(maxRecords, 1)
	var records []*api.Record
	size := 0
	for len(records) < maxRecords && size < maxValueBytes || len(records) == 0 {
		s := l.segmentOf(off)
		if s == nil {
			break
		}
		before := len(records)
		var err error
		records, err = s.readRun(off, maxRecords-len(records), maxValueBytes-size, records)
		if err != nil {
			if before == 0 {
				return nil, err
			}
			break
		}
		for _, r := range records[before:] {
			size += len(r.Value)
		}
		off += uint64(len(records) - before)
		if off < s.nextOffset {
			// The run stopped inside the segment: a limit, or a record
			// that the next batch reports.
			break
		}
	}
	if len(records) == 0 {
		return nil, ErrOffsetOutOfRange{Offset: off}
	}
	return records, nil
}

// segmentOf returns the segment that holds offset off, or nil if none
// does. Callers must hold l.mu.
func (l *Log) segmentOf(off uint64) *segment {
	// Most reads are of recent records: try the active segment first.
	if s := l.activeSegment; off >= s.baseOffset && off < s.nextOffset {
		return s
	}
	// The segments are in offset order: the one holding off is the first
	// that ends after it.
	i := sort.Search(len(l.segments), func(i int) bool { return l.segments[i].nextOffset > off })
	if i == len(l.segments) || off < l.segments[i].baseOffset {
		return nil
	}
	return l.segments[i]
}
