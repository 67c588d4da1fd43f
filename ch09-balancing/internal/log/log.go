package log

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	api "github.com/proglog-workshop/proglog/ch09-balancing/api/v1"
)

// Log is a commit log kept in a directory: a list of segments in offset
// order, the last of which, the active segment, takes the appends. It is safe
// for concurrent use. Create one with [NewLog].
type Log struct {
	// Dir is the directory that holds the segments' files. NewLog sets it;
	// do not change it.
	Dir string
	// Config is the configuration the log runs with, defaults filled in.
	// NewLog sets it; do not change it.
	Config Config

	mu            sync.RWMutex // guards segments, activeSegment, syncs and the segments' state
	segments      []*segment   // in offset order, contiguous; never empty once set up
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
	l := &Log{Dir: dir, Config: c, syncs: syncer{every: c.SyncEvery}}
	if err := l.setup(); err != nil {
		return nil, err
	}
	return l, nil
}

// setup opens the segments in l.Dir. A segment is known by its store file,
// named after its base offset in decimal; every other file is left alone,
// and an index whose store is gone does not count. If the last segment is
// full, which a crash between an append and the roll that follows it leaves
// behind, or if there is no segment, setup starts a new one.
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
	l.segments, l.activeSegment = nil, nil
	for _, base := range bases {
		if err := l.newSegment(base); err != nil {
			_ = l.closeSegments() // err says what went wrong
			return err
		}
	}
	for i := 1; i < len(l.segments); i++ {
		if prev, s := l.segments[i-1], l.segments[i]; prev.nextOffset != s.baseOffset {
			_ = l.closeSegments() // the hole is what went wrong
			return fmt.Errorf("%w: segment %d ends before offset %d, but the next segment starts at %d", ErrCorrupt, prev.baseOffset, prev.nextOffset, s.baseOffset)
		}
	}
	switch {
	case l.activeSegment == nil:
		return l.newSegment(l.Config.Segment.InitialOffset)
	case l.activeSegment.IsMaxed():
		return l.newSegment(l.activeSegment.nextOffset)
	}
	return nil
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
	return nil
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
// offset with the error.
func (l *Log) Append(record *api.Record) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	off, err := l.activeSegment.Append(record)
	if err != nil {
		return 0, err
	}
	if err := l.syncs.appended(l.activeSegment.store.Sync); err != nil {
		return off, err
	}
	if l.activeSegment.IsMaxed() {
		// Write the full segment out before leaving it, so that a crash
		// cannot lose its last records while later ones survive: flush it,
		// for the process dying, and sync it if the sync policy has appends
		// waiting, for the machine losing power.
		if err := l.activeSegment.store.Flush(); err != nil {
			return off, err
		}
		if err := l.syncs.rolled(l.activeSegment.store.Sync); err != nil {
			return off, err
		}
		if err := l.newSegment(off + 1); err != nil {
			return off, err
		}
	}
	return off, nil
}

// Read returns the record at offset off. It returns [ErrOffsetOutOfRange] if
// the log does not hold off, and an error wrapping [ErrCorrupt] if the
// record's bytes fail a check.
func (l *Log) Read(off uint64) (*api.Record, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	// The segments are in offset order: the one holding off is the first
	// that ends after it.
	i := sort.Search(len(l.segments), func(i int) bool { return l.segments[i].nextOffset > off })
	if i == len(l.segments) || off < l.segments[i].baseOffset {
		return nil, ErrOffsetOutOfRange{Offset: off}
	}
	return l.segments[i].Read(off)
}

// Close closes every segment. The log cannot be used afterwards.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closeSegments()
}

// Remove closes the log and deletes its directory with everything in it.
func (l *Log) Remove() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.closeSegments(); err != nil {
		return err
	}
	return os.RemoveAll(l.Dir)
}

// Reset deletes every record and leaves an empty log in the same directory,
// ready for appends from Config.Segment.InitialOffset.
func (l *Log) Reset() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.closeSegments(); err != nil {
		return err
	}
	if err := os.RemoveAll(l.Dir); err != nil {
		return err
	}
	// setup creates the directory again before it lists it.
	return l.setup()
}

// LowestOffset returns the offset of the first record the log holds, or
// would hold when its first segment is empty: that segment's base offset.
func (l *Log) LowestOffset() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.segments[0].baseOffset, nil
}

// HighestOffset returns the offset of the last record appended. For a log
// that never held a record it returns InitialOffset-1, or 0 when
// InitialOffset is 0, the same as for a log of one record: compare with
// [Log.LowestOffset] or read the offset to tell them apart.
func (l *Log) HighestOffset() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	off := l.activeSegment.nextOffset
	if off == 0 {
		return 0, nil
	}
	return off - 1, nil
}

// Truncate removes the segments all of whose records have offsets at most
// lowest, to reclaim their space; records at most lowest in the segments it
// keeps stay readable. It never removes the active segment, even when all
// its records are at most lowest: the log goes on appending there.
func (l *Log) Truncate(lowest uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Segments before the active one are never empty: the first one's last
	// offset is nextOffset-1.
	for len(l.segments) > 1 && l.segments[0].nextOffset-1 <= lowest {
		if err := l.segments[0].Remove(); err != nil {
			return err
		}
		l.segments = l.segments[1:]
	}
	return nil
}
