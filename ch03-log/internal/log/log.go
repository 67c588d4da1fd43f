package log

import (
	"sync"

	api "github.com/proglog-workshop/proglog/ch03-log/api/v1"
	"github.com/proglog-workshop/proglog/ch03-log/internal/exercise"
)

// Log is a commit log kept in a directory: a list of segments in offset
// order, the last of which, the active segment, takes the appends. It is safe
// for concurrent use, [Log.Close] included: a call that comes after Close,
// or while it runs, returns [ErrClosed]. Create one with [NewLog].
type Log struct {
	// Dir is the directory that holds the segments' files. NewLog sets it;
	// do not change it.
	Dir string
	// Config is the configuration the log runs with, defaults filled in.
	// NewLog sets it; do not change it.
	Config Config

	mu            sync.RWMutex // guards closed, segments, activeSegment, syncs and the segments' state
	closed        bool         // set by Close, Remove, and Reset until it succeeds; every method checks it first
	segments      []*segment   // in offset order, contiguous; never empty while the log is open
	activeSegment *segment     // the last of segments
	syncs         syncer       // applies Config.SyncEvery
}

// NewLog opens the log in dir, creating dir and a first, empty segment if
// there is none, and recovering each segment after a crash. It returns an
// error naming the field if c is out of bounds once its zero fields are
// replaced by defaults, and an error wrapping [ErrCorrupt] if the segments'
// offsets leave a hole.
func NewLog(dir string, c Config) (*Log, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	//exercise:3.4 begin: see README.md#34-log
	return nil, exercise.NotDone("3.4")
	//exercise:3.4 end
}

// setup opens the segments in l.Dir. A segment is known by its store file,
// named after its base offset in decimal; every other file is left alone,
// and an index whose store is gone does not count. Before opening anything
// it checks the directory against its metaFile (see [Log.checkMeta]), and
// before opening each segment that it starts where the previous one ends:
// a log found unsound is reported, its files unchanged. Only the last
// segment, the active one when the log was last used, may be repaired. If
// it is full, which a crash between an append and the roll that follows it
// leaves behind, or if there is no segment, setup starts a new one.
//
// Callers must hold l.mu, or be NewLog.
func (l *Log) setup() error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}

// newSegment opens the segment at baseOffset and makes it the active one.
// Callers must hold l.mu.
func (l *Log) newSegment(baseOffset uint64) error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}

// close marks the log closed and closes its segments, unless it is closed
// already: closing twice does nothing the second time. The log counts as
// closed even if closing a segment fails, since its segments can no longer
// be trusted. Callers must hold l.mu.
func (l *Log) close() error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}

// closeSegments closes every segment, stopping at the first error.
// Callers must hold l.mu.
func (l *Log) closeSegments() error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}

// Append adds record at the end of the log, sets record.Offset to its offset
// and returns that offset. When the record fills the active segment, Append
// writes that segment out and rolls over to a new one. If the record was
// stored but a later step failed (a sync, the roll), Append returns its
// offset with the error. It returns [ErrClosed] once the log is closed.
func (l *Log) Append(record *api.Record) (uint64, error) {
	//exercise:3.4 begin: see README.md#34-log
	return 0, exercise.NotDone("3.4")
	//exercise:3.4 end
}

// Read returns the record at offset off. It returns [ErrOffsetOutOfRange] if
// the log does not hold off, and an error wrapping [ErrCorrupt] if the
// record's bytes fail a check. It returns [ErrClosed] once the log is
// closed.
func (l *Log) Read(off uint64) (*api.Record, error) {
	//exercise:3.4 begin: see README.md#34-log
	return nil, exercise.NotDone("3.4")
	//exercise:3.4 end
}

// Close closes every segment, after the calls in progress have returned.
// Afterwards every method returns [ErrClosed], except Close, which returns
// nil and does nothing, and [Log.Remove]. The log is closed even when Close
// returns an error.
func (l *Log) Close() error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}

// Remove closes the log, if it is not closed yet, and deletes its directory
// with everything in it. It works on a closed log too, whose files nothing
// uses any more; a second Remove finds nothing to delete and returns nil.
func (l *Log) Remove() error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}

// Reset deletes every record and leaves an empty log in the same directory,
// ready for appends from Config.Segment.InitialOffset. It returns
// [ErrClosed] once the log is closed: a closed log stays closed. If Reset
// fails, the log is left closed; open its directory again with [NewLog].
func (l *Log) Reset() error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}

// LowestOffset returns the offset of the first record the log holds, or
// would hold when its first segment is empty: that segment's base offset.
// It returns [ErrClosed] once the log is closed.
func (l *Log) LowestOffset() (uint64, error) {
	//exercise:3.4 begin: see README.md#34-log
	return 0, exercise.NotDone("3.4")
	//exercise:3.4 end
}

// HighestOffset returns the offset of the last record appended. For a log
// that never held a record it returns InitialOffset-1, or 0 when
// InitialOffset is 0, the same as for a log of one record: compare with
// [Log.LowestOffset] or read the offset to tell them apart. It returns
// [ErrClosed] once the log is closed.
func (l *Log) HighestOffset() (uint64, error) {
	//exercise:3.4 begin: see README.md#34-log
	return 0, exercise.NotDone("3.4")
	//exercise:3.4 end
}

// Truncate removes the segments all of whose records have offsets at most
// lowest, to reclaim their space; records at most lowest in the segments it
// keeps stay readable. It never removes the active segment, even when all
// its records are at most lowest: the log goes on appending there. Before
// removing anything it records the new lowest offset in the log's
// metaFile, so that [NewLog] can tell segments Truncate removed from
// segments deleted behind the log's back. It returns [ErrClosed] once the
// log is closed, changing no file.
func (l *Log) Truncate(lowest uint64) error {
	//exercise:3.4 begin: see README.md#34-log
	return exercise.NotDone("3.4")
	//exercise:3.4 end
}
