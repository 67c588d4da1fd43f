package log

import (
	"fmt"
	"io"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Read returns the record at offset off. It returns io.EOF if the segment
// does not hold off, and a [*CorruptError] (wrapping [ErrCorrupt]) if the
// record's bytes fail a check or hold another offset than off, which a
// damaged index entry would otherwise serve without a word.
func (s *segment) Read(off uint64) (*api.Record, error) {
	record := &api.Record{}
	if err := s.readInto(off, record, nil); err != nil {
		return nil, err
	}
	return record, nil
}

// readInto decodes the record at offset off into record, its value into
// the memory of into when it fits there (see [unmarshalRecord]); it fails
// as [segment.Read] does.
func (s *segment) readInto(off uint64, record *api.Record, into []byte) error {
	if off < s.baseOffset || off >= s.nextOffset {
		return io.EOF
	}
	return s.decode(off, record, into)
}

// readRun reads the records from offset off on, at most maxRecords of them
// and no further than the segment's end, and appends them to records. It
// stops after the record whose value brings the values read to
// maxValueBytes or more, so a run is never empty. The whole run costs two
// allocations: every record's struct comes from
// one slice, and every value from one buffer as large as the run's bytes
// in the store. A record the caller keeps so keeps the memory of the
// whole run. It returns io.EOF, and records unchanged, if the segment does
// not hold off; a record that fails a check ends the run before it, and
// the error comes back only if that record is the first (the next run
// starts there and meets it).
func (s *segment) readRun(off uint64, maxRecords, maxValueBytes int, records []*api.Record) ([]*api.Record, error) {
	if off < s.baseOffset || off >= s.nextOffset || maxRecords < 1 {
		return records, io.EOF
	}
	n := min(uint64(maxRecords), s.nextOffset-off)
	// The values are inside the run's bytes in the store, which go from
	// the first record's position to the next record's (or the store's
	// end): a buffer that large holds them all.
	_, first, err := s.index.Read(int64(off - s.baseOffset))
	if err != nil {
		return records, err
	}
	end := s.store.size
	if last := off + n; last < s.nextOffset {
		if _, end, err = s.index.Read(int64(last - s.baseOffset)); err != nil {
			return records, err
		}
	}
	if end < first {
		return records, corruptAt(s.index.Name(), 0, "entry %d points before entry %d", off+n-s.baseOffset, off-s.baseOffset)
	}
	values := make([]byte, end-first)
	structs := make([]api.Record, n)
	size := 0
	for i := range structs {
		record := &structs[i]
		if err := s.decode(off+uint64(i), record, values); err != nil {
			if i == 0 {
				return records, err
			}
			break
		}
		// Capped at its length: an append to the value must not run into
		// the next record's.
		record.Value = record.Value[:len(record.Value):len(record.Value)]
		records = append(records, record)
		// A value that did not fit (proto.Unmarshal's path) took memory
		// of its own; one that did took the front of values.
		values = values[min(len(record.Value), len(values)):]
		if size += len(record.Value); size >= maxValueBytes {
			break
		}
	}
	return records, nil
}

// decode decodes the record at offset off, which the segment holds, into
// record, as [segment.readInto] does.
func (s *segment) decode(off uint64, record *api.Record, into []byte) error {
	p, pos, err := s.stored(off)
	if err != nil {
		return err
	}
	// The record is decoded straight from the store's memory:
	// unmarshalRecord copies the bytes it keeps, so nothing refers to that
	// memory once the read returns.
	if err := unmarshalRecord(p, record, into); err != nil {
		return corruptAt(s.store.Name(), pos, "record %d: %w", off, err)
	}
	return s.checkOffset(off, record.Offset, pos)
}

// stored returns the marshalled record at offset off, which the segment
// holds, and its position in the store, once its checksum has matched.
// The bytes are the store's memory.
func (s *segment) stored(off uint64) ([]byte, uint64, error) {
	_, pos, err := s.index.Read(int64(off - s.baseOffset))
	if err != nil {
		return nil, 0, err
	}
	sealed, err := s.store.record(pos)
	if err != nil {
		return nil, 0, err
	}
	p, err := unseal(sealed, s.config.Segment.Checksum)
	if err != nil {
		return nil, 0, &CorruptError{File: s.store.Name(), Pos: pos, Err: fmt.Errorf("record %d: %w", off, err)}
	}
	return p, pos, nil
}

// checkOffset returns an error if the record at pos, which the index entry
// for offset off points at, holds another offset (got).
func (s *segment) checkOffset(off, got, pos uint64) error {
	if got != off {
		return corruptAt(s.store.Name(), pos, "index entry %d points at record %d, not %d", off-s.baseOffset, got, off)
	}
	return nil
}
