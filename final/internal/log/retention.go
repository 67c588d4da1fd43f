package log

import (
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"time"
)

// Retention bounds how much of its history a [Log] keeps. The log drops
// its oldest segments, whole, while they break a bound; it never drops the
// active segment, so a log may hold more than the bounds say by up to one
// segment (Config.Segment.MaxStoreBytes). It applies the bounds each time
// it rolls over to a new segment, and when [Log.Retain] is called; a read
// of an offset below the lowest one kept returns [ErrOffsetOutOfRange], and
// [Log.LowestOffset] says where the log starts.
//
// A [DistributedLog] applies Retention to the log each server applies
// Raft's commands to, each server on its own: there is no Raft command for
// it. The bounds are met on every server, but the lowest offset may differ
// between servers by a few segments (their segments start where their last
// snapshot did). Raft's own log is not cut by Retention: Raft deletes its
// entries once a snapshot holds them (Config.Raft.SnapshotThreshold and
// TrailingLogs), and a snapshot holds only the records the server retained,
// which retention keeps until Raft has persisted the snapshot.
type Retention struct {
	// MaxBytes bounds the size in bytes of the log's records as stored
	// (lengths and checksums included; the index adds 12 bytes a record):
	// the oldest segments are dropped while the log is larger. 0 means no
	// bound.
	MaxBytes uint64
	// MaxAge is how long a segment is kept after its last record was
	// written: a segment all of whose records are older is dropped. 0 means
	// no bound.
	//
	// A segment's age is the modification time of its store file. Once the
	// log has rolled past a segment nothing writes its file again, so the
	// time is that of its newest record, and it is kept by the file system
	// with the data: no timestamp of ours has to be written, synced and
	// kept in step with the records, which a crash between the two could
	// leave disagreeing. A log whose files are written again from scratch
	// (the applied log of a [DistributedLog], rebuilt when its server
	// starts) counts ages from then on: it keeps records longer, never
	// shorter.
	MaxAge time.Duration
	// Now returns the current time, against which ages are measured; nil
	// means time.Now. Tests set it to age segments without waiting.
	Now func() time.Time
}

// Retain drops the oldest segments that break Config.Retention's bounds
// now; the log does it on its own each time it rolls over to a new segment.
// It returns [ErrClosed] once the log is closed.
func (l *Log) Retain() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	return l.retain()
}

// retain drops the oldest segments, never the active one, while the log is
// larger than Retention.MaxBytes or the oldest segment is older than
// Retention.MaxAge. Callers must hold l.mu.
func (l *Log) retain() error {
	r := l.Config.Retention
	if r.MaxBytes == 0 && r.MaxAge == 0 {
		return nil
	}
	var total uint64
	for _, s := range l.segments {
		total += s.store.size
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	held := uint64(math.MaxUint64)
	if len(l.holds) > 0 {
		held = slices.Min(l.holds)
	}
	drop := 0
	for ; drop < len(l.segments)-1; drop++ {
		s := l.segments[drop]
		if s.nextOffset > held {
			break // it holds records a reader still needs
		}
		tooOld := false
		if r.MaxAge > 0 {
			written, err := modTime(s.store.Name())
			if err != nil {
				return fmt.Errorf("retain segment %d: %w", s.baseOffset, err)
			}
			tooOld = now().Sub(written) > r.MaxAge
		}
		if !tooOld && (r.MaxBytes == 0 || total <= r.MaxBytes) {
			break
		}
		total -= s.store.size
	}
	if drop == 0 {
		return nil
	}
	return l.truncateLocked(l.segments[drop-1].nextOffset - 1)
}

// modTime returns when the file at path was last written.
func modTime(path string) (time.Time, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}

// hold keeps retention from dropping any of the records the log holds
// now, [first, next), until release is called (once): a snapshot that Raft
// persists in the background reads its records after Apply has gone on
// appending, and rolling over to new segments, meanwhile. Truncate is not
// held back. It returns [ErrClosed] once the log is closed.
func (l *Log) hold() (first, next uint64, release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, 0, nil, ErrClosed
	}
	first, next = l.segments[0].baseOffset, l.activeSegment.nextOffset
	l.holds = append(l.holds, first)
	var once sync.Once
	release = func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			i := slices.Index(l.holds, first)
			l.holds = slices.Delete(l.holds, i, i+1)
		})
	}
	return first, next, release, nil
}
