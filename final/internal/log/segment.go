package log

import (
	"errors"
	"fmt"
	"io"
	"os"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// segment is a contiguous run of the log's records, [baseOffset, nextOffset),
// held in a store and an index that share the base offset in their names.
//
// A segment is not safe for concurrent use on its own: Append must not run
// alongside anything else. The [Log] ensures that with its lock.
type segment struct {
	store      *store
	index      *index
	baseOffset uint64 // offset of the segment's first record
	nextOffset uint64 // offset the next appended record gets
	config     Config
	encoded    encodedRecord // Append encodes records here, reusing the memory
}

// newSegment opens the segment of dir that starts at baseOffset as the
// log's active segment, creating its files if they do not exist, and
// recovers it so that its index agrees with its store: a torn tail that a
// crash left is repaired (see [segment.recover]). c must have its defaults
// filled in.
func newSegment(dir string, baseOffset uint64, c Config) (*segment, error) {
	return openSegment(dir, baseOffset, c, true)
}

// openSegment opens the segment of dir that starts at baseOffset, creating
// its files if they do not exist, and recovers it (see [segment.recover]):
// active says whether it is the log's last segment, the only one whose
// files recovery may repair. If recovery fails, openSegment puts the index
// file back to its size before the open, so that the files are left as they
// were. c must have its defaults filled in.
func openSegment(dir string, baseOffset uint64, c Config, active bool) (*segment, error) {
	s := &segment{baseOffset: baseOffset, config: c}
	storeFile, err := os.OpenFile(segmentFile(dir, baseOffset, storeExt), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open segment %d: %w", baseOffset, err)
	}
	if s.store, err = newStore(storeFile); err != nil {
		_ = storeFile.Close() // nothing was written: err says what went wrong
		return nil, fmt.Errorf("open segment %d: %w", baseOffset, err)
	}
	indexFile, err := os.OpenFile(segmentFile(dir, baseOffset, indexExt), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		_ = s.store.Close() // nothing was written: err says what went wrong
		return nil, fmt.Errorf("open segment %d: %w", baseOffset, err)
	}
	fi, err := indexFile.Stat()
	if err != nil {
		_ = indexFile.Close() // nothing was written: err says what went wrong
		_ = s.store.Close()
		return nil, fmt.Errorf("open segment %d: %w", baseOffset, err)
	}
	if s.index, err = newIndex(indexFile, c); err != nil {
		_ = indexFile.Close() // nothing was written: err says what went wrong
		_ = s.store.Close()
		return nil, fmt.Errorf("open segment %d: %w", baseOffset, err)
	}
	if err := s.recover(active); err != nil {
		// Not Close, which would cut the index file to the entries
		// recovery kept: put it back as it was.
		_ = s.index.abandon(fi.Size()) // err says what went wrong
		_ = s.store.Close()
		return nil, fmt.Errorf("recover segment %d: %w", baseOffset, err)
	}
	return s, nil
}

// Append stores record as the segment's next record, sets record.Offset to
// its offset and returns that offset. It returns io.EOF, writing nothing, if
// the segment is full ([segment.IsMaxed]). The [Log] encodes outside its
// lock and calls [segment.appendEncoded] instead.
func (s *segment) Append(record *api.Record) (offset uint64, err error) {
	if s.IsMaxed() {
		return 0, io.EOF
	}
	if err := s.encoded.encode(record, s.config.Segment.Checksum); err != nil {
		return 0, err
	}
	offset, full, err := s.appendEncoded(record, &s.encoded)
	if full != nil {
		err = errors.Join(err, s.store.writeFull(full))
	}
	return offset, err
}

// appendEncoded stores the record that e holds, which [encodedRecord.encode]
// made of record, as the segment's next record, sets record.Offset to its
// offset and returns that offset. It fails as [segment.Append] does. A
// store buffer that the record's bytes filled comes back as full, not yet
// written: the caller must pass it to [store.writeFull], even when err is
// not nil (see [store.appendBuffered]).
func (s *segment) appendEncoded(record *api.Record, e *encodedRecord) (offset uint64, full []byte, err error) {
	if s.IsMaxed() {
		return 0, nil, io.EOF
	}
	cur := s.nextOffset
	_, pos, full, err := s.store.appendBuffered(e.seal(cur, s.config.Segment.Checksum))
	if err != nil {
		return 0, full, err
	}
	// Index offsets are relative to the base offset, so that they fit in
	// offWidth bytes.
	if err := s.index.Write(uint32(cur-s.baseOffset), pos); err != nil {
		return 0, full, err
	}
	record.Offset = cur
	s.nextOffset++
	return cur, full, nil
}

// IsMaxed reports whether the segment is full: its store has reached
// MaxStoreBytes, or its index has no room for another entry within
// MaxIndexBytes.
func (s *segment) IsMaxed() bool {
	// Compare with the room for one more entry, not with the maximum itself:
	// when MaxIndexBytes is not a multiple of entWidth, the index is full
	// before its size reaches it.
	return s.store.size >= s.config.Segment.MaxStoreBytes ||
		s.index.size+entWidth > s.config.Segment.MaxIndexBytes
}

// Close closes the index and then the store.
func (s *segment) Close() error {
	if err := s.index.Close(); err != nil {
		return err
	}
	return s.store.Close()
}

// Remove closes the segment and deletes its files.
func (s *segment) Remove() error {
	if err := s.Close(); err != nil {
		return err
	}
	if err := os.Remove(s.index.Name()); err != nil {
		return err
	}
	return os.Remove(s.store.Name())
}
