package log

import "github.com/proglog-workshop/proglog/ch03-log/internal/exercise"

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
	//exercise:3.3 begin: see README.md#33-segment
	return exercise.NotDone("3.3")
	//exercise:3.3 end
}

// indexRecords walks the store from position pos, where record number n of
// the segment should start, to the end of the store, checking each record
// with checkRecord; if write is true it gives each one an index entry. It
// returns where the last good record ends and, if it stopped before the end
// of the store, an error wrapping [ErrCorrupt] for the record it stopped at:
// one that fails a check, or that the index has no room for (a full index
// cannot have taken that record through Append).
func (s *segment) indexRecords(n, pos uint64, write bool) (uint64, error) {
	//exercise:3.3 begin: see README.md#33-segment
	return 0, exercise.NotDone("3.3")
	//exercise:3.3 end
}

// checkRecord returns the position where the record at pos ends, after
// checking that it is whole, that with checksums on it is intact, and that
// it holds offset off. It returns a [*CorruptError] if it does not,
// including when pos is at or past the end of the store.
func (s *segment) checkRecord(pos, off uint64) (uint64, error) {
	//exercise:3.3 begin: see README.md#33-segment
	return 0, exercise.NotDone("3.3")
	//exercise:3.3 end
}
