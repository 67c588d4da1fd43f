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
// [segment.readRun]), which makes it the way to read the log in order
// into records ([Log.ReadBatchEncoded] hands the same records, encoded,
// to a reader that sends them on).
// The records share memory: keep them, or let them go, together; do not
// modify them.
//
// It returns at least one record, or an error as [Log.Read] would for off:
// [ErrOffsetOutOfRange] when the log does not hold off. A later record that
// cannot be read ends the batch before it, without an error; the next
// batch, which starts there, returns it.
func (l *Log) ReadBatch(off uint64, maxRecords, maxValueBytes int) ([]*api.Record, error) {
	var records []*api.Record
	_, err := l.readAcross(off, maxRecords, maxValueBytes, func(s *segment, off uint64, maxRecords, maxValueBytes int) (int, int, error) {
		before := len(records)
		var err error
		records, err = s.readRun(off, maxRecords, maxValueBytes, records)
		size := 0
		for _, r := range records[before:] {
			size += len(r.Value)
		}
		return len(records) - before, size, err
	})
	if err != nil {
		return nil, err
	}
	return records, nil
}

// ReadBatchEncoded reads the records [Log.ReadBatch] would return, with
// the same limits and every check a read makes (each record's checksum,
// that it parses, that it holds the offset its index entry is for), but
// hands each to each in its protobuf encoding, as the log stores it,
// rather than decoded: a server that sends the records on writes them
// into its message as they are, with no decoding and no encoding again.
// encoded is the log's memory, valid only until each returns, and must
// not be modified: each copies what it keeps. each runs under the log's
// read lock, so it must not call the log.
//
// It returns how many records it handed over: at least one, or an error
// as ReadBatch's.
func (l *Log) ReadBatchEncoded(off uint64, maxRecords, maxValueBytes int, each func(encoded []byte)) (int, error) {
	return l.readAcross(off, maxRecords, maxValueBytes, func(s *segment, off uint64, maxRecords, maxValueBytes int) (int, int, error) {
		return s.readRunEncoded(off, maxRecords, maxValueBytes, each)
	})
}

// readAcross reads a batch from offset off on, under the log's read lock,
// with run reading the part that each segment holds: run returns how many
// records it read and the length of their values, and an error only when
// it read none. It stops at maxRecords (at least one), once the values
// reach maxValueBytes, at the end of the log, or where a run stops inside
// its segment (a limit, or a record the next batch reports). It returns
// how many records the runs read, or the first run's error, or
// [ErrOffsetOutOfRange] if no segment holds off.
func (l *Log) readAcross(off uint64, maxRecords, maxValueBytes int, run func(s *segment, off uint64, maxRecords, maxValueBytes int) (int, int, error)) (int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0, ErrClosed
	}
	maxRecords = max(maxRecords, 1)
	n, size := 0, 0
	for n < maxRecords && size < maxValueBytes || n == 0 {
		s := l.segmentOf(off)
		if s == nil {
			break
		}
		read, bytes, err := run(s, off, maxRecords-n, maxValueBytes-size)
		if err != nil {
			if n == 0 {
				return 0, err
			}
			break
		}
		n, size, off = n+read, size+bytes, off+uint64(read)
		if off < s.nextOffset {
			break
		}
	}
	if n == 0 {
		return 0, ErrOffsetOutOfRange{Offset: off}
	}
	return n, nil
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
