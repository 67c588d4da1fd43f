package log

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	api "github.com/proglog-workshop/proglog/final/api/v1"
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
	// dirUnsynced says that a segment's files were created or removed
	// since the last [Log.Sync], which must then sync the directory too.
	dirUnsynced bool
	// holds are the offsets from which retention must keep every record,
	// for the snapshots that asked ([Log.hold]); a multiset.
	holds []uint64
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
	l := &Log{Dir: dir, Config: c, syncs: syncer{every: c.SyncEvery}}
	if err := l.setup(); err != nil {
		return nil, err
	}
	return l, nil
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
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	entries, err := os.ReadDir(l.Dir)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	var bases []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), storeExt)
		if !ok || e.IsDir() {
			continue
		}
		// Only the exact name a segment is given counts: "007.store" or
		// "x.store" are someone else's files.
		base, err := strconv.ParseUint(name, 10, 64)
		if err != nil || strconv.FormatUint(base, 10) != name {
			continue
		}
		bases = append(bases, base)
	}
	slices.Sort(bases)
	if err := l.checkMeta(bases); err != nil {
		return err
	}
	l.segments, l.activeSegment = nil, nil
	for i, base := range bases {
		if prev := l.activeSegment; prev != nil && prev.nextOffset != base {
			_ = l.closeSegments() // the hole is what went wrong
			return fmt.Errorf("%w: segment %d ends before offset %d, but the next segment starts at %d", ErrCorrupt, prev.baseOffset, prev.nextOffset, base)
		}
		s, err := openSegment(l.Dir, base, l.Config, i == len(bases)-1)
		if err != nil {
			_ = l.closeSegments() // err says what went wrong
			return err
		}
		l.segments = append(l.segments, s)
		l.activeSegment = s
	}
	switch {
	case l.activeSegment == nil:
		if err := l.newSegment(l.Config.Segment.InitialOffset); err != nil {
			return err
		}
	case l.activeSegment.IsMaxed():
		if err := l.newSegment(l.activeSegment.nextOffset); err != nil {
			return err
		}
	}
	return l.createMeta()
}

// newSegment opens the segment at baseOffset and makes it the active one.
// Callers must hold l.mu.
func (l *Log) newSegment(baseOffset uint64) error {
	s, err := newSegment(l.Dir, baseOffset, l.Config)
	if err != nil {
		return err
	}
	l.segments = append(l.segments, s)
	l.activeSegment = s
	l.dirUnsynced = true
	return nil
}

// close marks the log closed and closes its segments, unless it is closed
// already: closing twice does nothing the second time. The log counts as
// closed even if closing a segment fails, since its segments can no longer
// be trusted. Callers must hold l.mu.
func (l *Log) close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	return l.closeSegments()
}

// closeSegments closes every segment, stopping at the first error.
// Callers must hold l.mu.
func (l *Log) closeSegments() error {
	for _, s := range l.segments {
		if err := s.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Append adds record at the end of the log, sets record.Offset to its offset
// and returns that offset. When the record fills the active segment, Append
// writes that segment out and rolls over to a new one. If the record was
// stored but a later step failed (a sync, the roll), Append returns its
// offset with the error. It returns [ErrClosed] once the log is closed.
//
// Appends queue for the log's lock, so Append holds it for as little as it
// can: the record is marshalled and checksummed before (see
// [encodedRecord]), and a store buffer that the record filled is written to
// the file after, while the next appends fill the other buffer.
func (l *Log) Append(record *api.Record) (uint64, error) {
	e := getEncoding()
	defer putEncoding(e)
	if err := e.encode(record, l.Config.Segment.Checksum); err != nil {
		return 0, err
	}
	off, full, err := l.appendEncoded(record, e)
	if full.bytes != nil {
		// Past the lock: the other appenders go on meanwhile.
		if werr := full.store.writeFull(full.bytes); werr != nil && err == nil {
			err = werr
		}
	}
	return off, err
}

// pendingWrite is a full store buffer that [Log.appendEncoded] handed over
// and [Log.Append] writes once it has let go of the log's lock.
type pendingWrite struct {
	store *store
	bytes []byte
}

// appendEncoded is the part of [Log.Append] that holds the log's lock: it
// appends the record e holds and returns its offset, and the store buffer
// the append filled, if any, which the caller must write (see
// [store.appendBuffered]).
func (l *Log) appendEncoded(record *api.Record, e *encodedRecord) (off uint64, full pendingWrite, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, full, ErrClosed
	}
	active := l.activeSegment
	off, full.bytes, err = active.appendEncoded(record, e)
	full.store = active.store
	if full.bytes != nil && (err != nil || l.syncs.every != 0 || active.IsMaxed()) {
		// What follows syncs or flushes the store, which waits for this
		// buffer's write: write it now, under the lock. A log that syncs
		// on appends waits for the disk anyway, and a roll is rare.
		werr := full.store.writeFull(full.bytes)
		full.bytes = nil
		if err == nil && werr != nil {
			// The record is stored; the records before it failed to reach
			// the file.
			return off, full, werr
		}
	}
	if err != nil {
		return 0, full, err
	}
	if err := l.syncs.appended(active.store.Sync); err != nil {
		return off, full, err
	}
	if active.IsMaxed() {
		// Write the full segment out before leaving it, so that a crash
		// cannot lose its last records while later ones survive: flush it,
		// for the process dying, and sync it if the sync policy has appends
		// waiting, for the machine losing power.
		// Only the active segment's store keeps a buffer.
		if err := active.store.flushAndFree(); err != nil {
			return off, full, err
		}
		if err := l.syncs.rolled(active.store.Sync); err != nil {
			return off, full, err
		}
		if err := l.newSegment(off + 1); err != nil {
			return off, full, err
		}
		// A roll is when the log grows by a whole segment, and when one
		// more segment can go.
		if err := l.retain(); err != nil {
			return off, full, err
		}
	}
	return off, full, nil
}

// Close closes every segment, after the calls in progress have returned.
// Afterwards every method returns [ErrClosed], except Close, which returns
// nil and does nothing, and [Log.Remove]. The log is closed even when Close
// returns an error.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.close()
}

// Remove closes the log, if it is not closed yet, and deletes its directory
// with everything in it. It works on a closed log too, whose files nothing
// uses any more; a second Remove finds nothing to delete and returns nil.
func (l *Log) Remove() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.close(); err != nil {
		return err
	}
	return os.RemoveAll(l.Dir)
}

// Reset deletes every record and leaves an empty log in the same directory,
// ready for appends from Config.Segment.InitialOffset. It returns
// [ErrClosed] once the log is closed: a closed log stays closed. If Reset
// fails, the log is left closed; open its directory again with [NewLog].
func (l *Log) Reset() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	// Closed until setup succeeds: a log that Reset left halfway has no
	// segments that can be trusted.
	if err := l.close(); err != nil {
		return err
	}
	// The metaFile goes first: a crash that stops RemoveAll halfway then
	// leaves segments without it, which setup reports, rather than the
	// metaFile without segments, which it would report as deleted records.
	if err := os.Remove(filepath.Join(l.Dir, metaFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.RemoveAll(l.Dir); err != nil {
		return err
	}
	// setup creates the directory again before it lists it.
	if err := l.setup(); err != nil {
		return err
	}
	l.closed = false
	return nil
}

// LowestOffset returns the offset of the first record the log holds, or
// would hold when its first segment is empty: that segment's base offset.
// It returns [ErrClosed] once the log is closed.
func (l *Log) LowestOffset() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0, ErrClosed
	}
	return l.segments[0].baseOffset, nil
}

// HighestOffset returns the offset of the last record appended. For a log
// that never held a record it returns InitialOffset-1, or 0 when
// InitialOffset is 0, the same as for a log of one record: compare with
// [Log.LowestOffset] or read the offset to tell them apart. It returns
// [ErrClosed] once the log is closed.
func (l *Log) HighestOffset() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0, ErrClosed
	}
	off := l.activeSegment.nextOffset
	if off == 0 {
		return 0, nil
	}
	return off - 1, nil
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
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	return l.truncateLocked(lowest)
}

// truncateLocked is [Log.Truncate]. Callers must hold l.mu.
func (l *Log) truncateLocked(lowest uint64) error {
	// Segments before the active one are never empty: a segment's last
	// offset is nextOffset-1.
	remove := 0
	for remove < len(l.segments)-1 && l.segments[remove].nextOffset-1 <= lowest {
		remove++
	}
	if remove == 0 {
		return nil
	}
	if err := l.recordLowest(l.segments[remove-1].nextOffset); err != nil {
		return err
	}
	for range remove {
		// Drop the segment from the log before removing it: once closed it
		// must not be read, even if deleting its files fails. Files left
		// below the recorded lowest offset are what the next NewLog keeps
		// and the next Truncate removes.
		s := l.segments[0]
		l.segments = l.segments[1:]
		if err := s.Remove(); err != nil {
			return err
		}
	}
	return nil
}
