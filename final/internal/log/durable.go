package log

import (
	"fmt"
	"path/filepath"
)

// Sync makes every append and every cut of the log's end so far durable:
// it syncs (fsync) the store of each segment written or truncated since its
// last sync, and the log's directory if segments were created or removed
// since, so that a new segment's files, or the absence of removed ones,
// survive a power failure too. It syncs nothing that is already durable,
// so calling it after a batch of appends costs one fsync per segment the
// batch touched: the group commit of Raft's log (see logStore.StoreLogs).
// Index files are not synced: after a crash the store is the source of
// truth and recovery rebuilds the index from it. It returns [ErrClosed]
// once the log is closed.
func (l *Log) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	for _, s := range l.segments {
		if err := s.store.syncIfDirty(); err != nil {
			return fmt.Errorf("sync segment %d: %w", s.baseOffset, err)
		}
	}
	if !l.dirUnsynced {
		return nil
	}
	if err := syncDir(l.Dir); err != nil {
		return err
	}
	// A reset removes the directory and creates it again: its entry in
	// the parent must be durable too.
	if err := syncDir(filepath.Dir(l.Dir)); err != nil {
		return err
	}
	l.dirUnsynced = false
	return nil
}

// check reads every record the log holds, from the lowest offset to the
// highest, and returns the first error, a [*CorruptError] naming the file,
// the byte and the record's offset for damaged bytes. Opening a log repairs
// only a torn tail of its active segment; check finds damage anywhere else,
// which must stop a server rather than be served or replicated.
func (l *Log) check() error {
	lowest, next := l.bounds()
	for off := lowest; off < next; off++ {
		if _, err := l.Read(off); err != nil {
			return fmt.Errorf("check log %s: %w", l.Dir, err)
		}
	}
	return nil
}
