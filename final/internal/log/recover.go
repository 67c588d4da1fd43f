package log

import (
	"errors"
	"io"
)

// recover checks that the index agrees with the store, which is the source
// of truth, and sets nextOffset. After a crash the two files can disagree;
// only the active segment, the one appends went to, may be repaired. It
// works in three steps:
//
//  1. It keeps the longest run of well-formed entries: entry i must hold
//     relative offset i, and its position must be 0 for the first entry and
//     at least a length's width past the previous one for the others. An
//     all-zero entry, which an index the operating system had not written
//     back when the power failed can contain, ends the run. In a segment that
//     is not active any other entry that breaks the run is damage: recover
//     returns a [*CorruptError] naming the index file and the entry's byte.
//  2. It drops entries from the end until the last one points at a whole,
//     valid record that holds the offset of its entry. Entries for records
//     the store lacks happen when the process dies: the index is written
//     through its mapping at once, the store through a buffer that is lost.
//     In a segment that is not active, the last entry's record must pass:
//     if not, recover returns the record's [*CorruptError].
//  3. It walks the store from the end of that record, checking each record
//     it finds (whole, valid, holding the next offset) and giving it an entry
//     (the process died between writing a record and its entry). In the
//     active segment it cuts the store at the first record that fails a
//     check or that the index has no room for: a torn write, or zeros that
//     a power failure left. In a segment that is not active such a record is
//     damage: recover returns its error, having written nothing.
//
// Only openSegment calls it, before anyone else sees the segment.
func (s *segment) recover(active bool) error {
	n := s.index.size / entWidth
	var prev uint64
	for i := range n {
		off, pos, err := s.index.Read(int64(i))
		if err != nil {
			return err
		}
		if off == uint32(i) && ((i == 0 && pos == 0) || (i > 0 && pos >= prev+lenWidth)) {
			prev = pos
			continue
		}
		if !active && (off != 0 || pos != 0) {
			return corruptAt(s.index.Name(), i*entWidth, "entry %d holds offset %d and position %d, out of order", i, off, pos)
		}
		n = i
		break
	}
	end := uint64(0) // where the store's last indexed record ends
	for ; n > 0; n-- {
		_, pos, err := s.index.Read(int64(n - 1))
		if err != nil {
			return err
		}
		next, err := s.checkRecord(pos, s.baseOffset+n-1)
		if err == nil {
			end = next
			break
		}
		if !active || !errors.Is(err, ErrCorrupt) {
			return err
		}
	}
	if !active {
		// Check the records past the last entry before writing their
		// entries: a segment that is not active is either sound or left
		// alone.
		if _, err := s.indexRecords(n, end, false); err != nil {
			return err
		}
	}
	s.index.size = n * entWidth
	end, err := s.indexRecords(n, end, true)
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return err
	}
	// What is left past end is the torn tail of the active segment.
	if end < s.store.size {
		if err := s.store.Truncate(end); err != nil {
			return err
		}
	}
	s.nextOffset = s.baseOffset + s.index.size/entWidth
	return nil
}

// indexRecords walks the store from position pos, where record number n of
// the segment should start, to the end of the store, checking each record
// with checkRecord; if write is true it gives each one an index entry. It
// returns where the last good record ends and, if it stopped before the end
// of the store, an error wrapping [ErrCorrupt] for the record it stopped at:
// one that fails a check, or that the index has no room for (a full index
// cannot have taken that record through Append).
func (s *segment) indexRecords(n, pos uint64, write bool) (uint64, error) {
	for ; pos < s.store.size; n++ {
		if (n+1)*entWidth > uint64(len(s.index.mmap)) {
			return pos, corruptAt(s.store.Name(), pos, "a record past the %d entries the index has room for", n)
		}
		next, err := s.checkRecord(pos, s.baseOffset+n)
		if err != nil {
			return pos, err
		}
		if write {
			if err := s.index.Write(uint32(n), pos); err != nil {
				return pos, err
			}
		}
		pos = next
	}
	return pos, nil
}

// checkRecord returns the position where the record at pos ends, after
// checking that it is whole, that with checksums on it is intact, and that
// it holds offset off. It returns a [*CorruptError] if it does not,
// including when pos is at or past the end of the store.
func (s *segment) checkRecord(pos, off uint64) (uint64, error) {
	p, err := s.store.Read(pos)
	if errors.Is(err, io.EOF) {
		return 0, corruptAt(s.store.Name(), pos, "no record: the store ends at byte %d", s.store.size)
	}
	if err != nil {
		return 0, err
	}
	end := pos + lenWidth + uint64(len(p))
	if p, err = unseal(p, s.config.Segment.Checksum); err != nil {
		return 0, &CorruptError{File: s.store.Name(), Pos: pos, Err: err}
	}
	got, err := recordOffset(p)
	if err != nil {
		return 0, &CorruptError{File: s.store.Name(), Pos: pos, Err: err}
	}
	if got != off {
		return 0, corruptAt(s.store.Name(), pos, "the record holds offset %d where offset %d belongs", got, off)
	}
	return end, nil
}
