package log

import (
	"fmt"
	"os"
)

// This file holds the two edits a Raft log store needs that a commit log
// never makes on its own: dropping the end of the log, and starting over at
// another offset. Raft makes both when a follower's log disagrees with the
// leader's, or when a snapshot replaces the start of the log.

// truncateFrom deletes every record at offset off or later, so that the
// next Append gets offset off. Records before off stay as they are. An off
// at or below the lowest offset empties the log (see [Log.resetAt]); an off
// past the end deletes nothing.
func (l *Log) truncateFrom(off uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if off >= l.activeSegment.nextOffset {
		return nil
	}
	if off <= l.segments[0].baseOffset {
		return l.resetAtLocked(off)
	}
	// Whole segments first, from the end: every segment that starts at or
	// after off goes. The segment holding off-1 stays, so at least one does.
	for last := len(l.segments) - 1; l.segments[last].baseOffset >= off; last-- {
		if err := l.segments[last].Remove(); err != nil {
			return fmt.Errorf("truncate log from %d: %w", off, err)
		}
		l.segments = l.segments[:last]
		l.dirUnsynced = true
	}
	l.activeSegment = l.segments[len(l.segments)-1]
	if err := l.activeSegment.truncateFrom(off); err != nil {
		return fmt.Errorf("truncate log from %d: %w", off, err)
	}
	// off may have been the first offset of a removed segment, leaving the
	// full one before it at the end: appends go to a new segment.
	if l.activeSegment.IsMaxed() {
		return l.newSegment(l.activeSegment.nextOffset)
	}
	return nil
}

// resetAt deletes every record and leaves an empty log whose next Append
// gets offset off.
func (l *Log) resetAt(off uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.resetAtLocked(off)
}

// resetAtLocked is resetAt. Callers must hold l.mu.
func (l *Log) resetAtLocked(off uint64) error {
	if err := l.closeSegments(); err != nil {
		return fmt.Errorf("reset log at %d: %w", off, err)
	}
	if err := os.RemoveAll(l.Dir); err != nil {
		return fmt.Errorf("reset log at %d: %w", off, err)
	}
	// The new first segment is created at InitialOffset; a directory that
	// has segments again after a restart ignores it.
	l.Config.Segment.InitialOffset = off
	return l.setup()
}

// truncateFrom deletes the segment's records at offset off or later, off
// between the base offset and the next offset: it cuts the store at the
// record's position and zeroes the index entries after it, so that a crash
// right after cannot bring them back (recover trusts the store anyway).
func (s *segment) truncateFrom(off uint64) error {
	if off >= s.nextOffset {
		return nil
	}
	entry := off - s.baseOffset
	_, pos, err := s.index.Read(int64(entry))
	if err != nil {
		return fmt.Errorf("truncate segment %d from %d: %w", s.baseOffset, off, err)
	}
	if err := s.store.Truncate(pos); err != nil {
		return err
	}
	keep := entry * entWidth
	clear(s.index.mmap[keep:s.index.size])
	s.index.size = keep
	s.nextOffset = off
	return nil
}

// bounds returns the offset of the first record and the offset the next
// Append gets; the log is empty when they are equal.
func (l *Log) bounds() (lowest, next uint64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.segments[0].baseOffset, l.activeSegment.nextOffset
}
