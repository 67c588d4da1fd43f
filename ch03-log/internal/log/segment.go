package log

import (
	api "github.com/proglog-workshop/proglog/ch03-log/api/v1"
	"github.com/proglog-workshop/proglog/ch03-log/internal/exercise"
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
	marshaled  []byte // Append marshals records here, reusing the memory
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
	//exercise:3.3 begin: see README.md#33-segment
	return nil, exercise.NotDone("3.3")
	//exercise:3.3 end
}

// Append stores record as the segment's next record, sets record.Offset to
// its offset and returns that offset. It returns io.EOF, writing nothing, if
// the segment is full ([segment.IsMaxed]).
func (s *segment) Append(record *api.Record) (offset uint64, err error) {
	//exercise:3.3 begin: see README.md#33-segment
	return 0, exercise.NotDone("3.3")
	//exercise:3.3 end
}

// Read returns the record at offset off. It returns io.EOF if the segment
// does not hold off, and a [*CorruptError] (wrapping [ErrCorrupt]) if the
// record's bytes fail a check or hold another offset than off, which a
// damaged index entry would otherwise serve without a word.
func (s *segment) Read(off uint64) (*api.Record, error) {
	//exercise:3.3 begin: see README.md#33-segment
	return nil, exercise.NotDone("3.3")
	//exercise:3.3 end
}

// IsMaxed reports whether the segment is full: its store has reached
// MaxStoreBytes, or its index has no room for another entry within
// MaxIndexBytes.
func (s *segment) IsMaxed() bool {
	//exercise:3.3 begin: see README.md#33-segment
	return false
	//exercise:3.3 end
}

// Close closes the index and then the store.
func (s *segment) Close() error {
	//exercise:3.3 begin: see README.md#33-segment
	return exercise.NotDone("3.3")
	//exercise:3.3 end
}

// Remove closes the segment and deletes its files.
func (s *segment) Remove() error {
	//exercise:3.3 begin: see README.md#33-segment
	return exercise.NotDone("3.3")
	//exercise:3.3 end
}
