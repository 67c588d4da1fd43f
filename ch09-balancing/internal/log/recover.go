package log

import (
	"errors"
	"fmt"
	"io"
)

// recover makes the index agree with the store, which is the source of
// truth, and sets nextOffset. After a crash the two files can disagree, and
// it repairs them in three steps:
//
//  1. It keeps the longest run of well-formed entries: entry i must hold
//     relative offset i, and its position must be 0 for the first entry and
//     at least a length's width past the previous one for the others.
//     Zeroed entries, which an index the operating system had not written
//     back when the power failed can contain, end the run.
//  2. It drops entries from the end until the last one points at a whole,
//     valid record of the store. Entries for records the store lacks happen
//     when the process dies: the index is written through its mapping at
//     once, the store through a buffer that is lost.
//  3. It walks the store from the end of that record, gives each whole, valid
//     record it finds an entry (the process died between writing a record and
//     its entry), and cuts the store at the first torn or invalid record: one
//     whose length runs past the end of the store or, with checksums on,
//     whose checksum fails.
//
// Only newSegment calls it, before anyone else sees the segment.
func (s *segment) recover() error {
	n := s.index.size / entWidth
	var prev uint64
	for i := range n {
		off, pos, err := s.index.Read(int64(i))
		if err != nil {
			return err
		}
		if off != uint32(i) || (i == 0 && pos != 0) || (i > 0 && pos < prev+lenWidth) {
			n = i
			break
		}
		prev = pos
	}
	end := uint64(0) // where the store's last indexed record ends
	for ; n > 0; n-- {
		_, pos, err := s.index.Read(int64(n - 1))
		if err != nil {
			return err
		}
		next, err := s.recordEnd(pos)
		if errors.Is(err, ErrCorrupt) {
			continue
		}
		if err != nil {
			return err
		}
		end = next
		break
	}
	s.index.size = n * entWidth
	for end < s.store.size {
		next, err := s.recordEnd(end)
		if errors.Is(err, ErrCorrupt) {
			break
		}
		if err != nil {
			return err
		}
		// A full index has no room for the record: it cannot have come
		// through Append, which checks first, so it is cut too.
		if err := s.index.Write(uint32(n), end); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		n++
		end = next
	}
	if end < s.store.size {
		if err := s.store.Truncate(end); err != nil {
			return err
		}
	}
	s.nextOffset = s.baseOffset + n
	return nil
}

// recordEnd returns the position where the record at pos ends, after checking
// that it is whole and, with checksums on, intact. It returns an error
// wrapping [ErrCorrupt] if it is not, including when pos is at or past the
// end of the store.
func (s *segment) recordEnd(pos uint64) (uint64, error) {
	p, err := s.store.Read(pos)
	if errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("%w: no record at position %d", ErrCorrupt, pos)
	}
	if err != nil {
		return 0, err
	}
	if _, err := unseal(p, s.config.Segment.Checksum); err != nil {
		return 0, err
	}
	return pos + lenWidth + uint64(len(p)), nil
}
