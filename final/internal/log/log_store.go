package log

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/raft"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

var _ raft.LogStore = (*logStore)(nil)

// logStore is Raft's log kept in a [Log]: the entry at Raft index i is the
// record at offset i, with the entry's data as the record's value and its
// term and type in the record's fields of those names. Raft's indexes start
// at 1, and 0 means "no entry": an empty store has FirstIndex and LastIndex
// 0. The entries' Extensions and AppendedAt are not kept.
//
// Raft edits its log in three ways a commit log does not: it deletes a
// prefix after a snapshot, it deletes a suffix when a follower's log
// disagrees with the leader's, and it stores an entry after a gap once a
// snapshot has been installed. logStore supports all three.
//
// It is durable before it returns: Raft acknowledges an entry to the
// leader, and the leader counts it towards a majority, once StoreLogs has
// returned, so StoreLogs syncs the entries it wrote, and DeleteRange the
// suffix it cut, whatever Config.SyncEvery says. Raft hands StoreLogs its
// entries in batches (up to raft.Config.MaxAppendEntries), and StoreLogs
// syncs once per batch: a group commit, one fsync for many entries.
//
// It is safe for concurrent use: Raft reads entries from its replication
// goroutines while it stores new ones.
type logStore struct {
	log *Log
	// sync makes what the log wrote durable: [Log.Sync] (see
	// acknowledgeSync). Tests wrap it to count the syncs.
	sync func() error

	mu sync.RWMutex // guards first, and makes each call's edits one step
	// first is the lowest index not deleted by DeleteRange. A prefix is
	// deleted by whole segments; the entries before first that share a
	// segment with it stay on disk but are hidden. 0 means the log's lowest
	// offset. It is not saved: after a restart those entries come back,
	// which is harmless, since Raft deletes only entries a snapshot holds.
	first uint64
}

// newLogStore opens Raft's log in dir with c's segment sizes. The rest of c
// is overridden: Raft's log syncs once per StoreLogs rather than every
// SyncEvery appends; it always checksums its records, so that a bit flipped
// on disk is found (and a damaged tail repaired) instead of replicated; and
// it is never cut by Config.Retention, since only Raft may delete its
// entries, once a snapshot holds them.
func newLogStore(dir string, c Config) (*logStore, error) {
	c.Segment.InitialOffset = 1
	c.Segment.Checksum = true
	c.SyncEvery = 0
	c.Retention = Retention{}
	l, err := NewLog(dir, c)
	if err != nil {
		return nil, err
	}
	return &logStore{log: l, sync: acknowledgeSync(l)}, nil
}

// span returns the first index held and the index the next entry would
// get in order. The store is empty when they are equal. Callers must hold
// s.mu.
func (s *logStore) span() (first, next uint64) {
	first, next = s.log.bounds()
	return max(first, s.first), next
}

// FirstIndex implements raft.LogStore: the index of the first entry, or 0
// when there is none.
func (s *logStore) FirstIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	first, next := s.span()
	if first >= next {
		return 0, nil
	}
	return first, nil
}

// LastIndex implements raft.LogStore: the index of the last entry, or 0
// when there is none.
func (s *logStore) LastIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	first, next := s.span()
	if first >= next {
		return 0, nil
	}
	return next - 1, nil
}

// GetLog implements raft.LogStore: it fills out with the entry at index. It
// returns raft.ErrLogNotFound if the store does not hold index, which Raft
// takes as "send a snapshot instead".
func (s *logStore) GetLog(index uint64, out *raft.Log) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if first, _ := s.span(); index < first {
		return raft.ErrLogNotFound
	}
	record, err := s.log.Read(index)
	var outOfRange ErrOffsetOutOfRange
	if errors.As(err, &outOfRange) {
		return raft.ErrLogNotFound
	}
	if err != nil {
		return fmt.Errorf("get raft entry %d: %w", index, err)
	}
	*out = raft.Log{
		Index: record.GetOffset(),
		Term:  record.GetTerm(),
		Type:  raft.LogType(record.GetType()),
		Data:  record.GetValue(),
	}
	return nil
}

// StoreLog implements raft.LogStore: it stores one entry, as StoreLogs.
func (s *logStore) StoreLog(entry *raft.Log) error {
	return s.StoreLogs([]*raft.Log{entry})
}

// StoreLogs implements raft.LogStore: it stores the entries, each at its
// own Index. An entry just after the last one is appended. An entry at or
// before the last one first deletes the entries from its index on (Raft
// overwrites a conflicting suffix). An entry after a gap, or before the
// first entry, starts the log over at its index: Raft does that after it
// installs a snapshot, which holds everything before. It syncs once, after
// the last entry, before it returns.
func (s *logStore) StoreLogs(entries []*raft.Log) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, entry := range entries {
		first, next := s.span()
		empty := first >= next
		switch {
		case entry.Index == next:
			// The next one in order: append it.
		case empty || entry.Index > next || entry.Index < first:
			if err := s.log.resetAt(entry.Index); err != nil {
				return err
			}
			s.first = 0
		default: // first <= entry.Index < next
			if err := s.log.truncateFrom(entry.Index); err != nil {
				return err
			}
		}
		off, err := s.log.Append(&api.Record{
			Value: entry.Data,
			Term:  entry.Term,
			Type:  uint32(entry.Type),
		})
		if err != nil {
			return fmt.Errorf("store raft entry %d: %w", entry.Index, err)
		}
		if off != entry.Index {
			return fmt.Errorf("store raft entry %d: the log put it at offset %d", entry.Index, off)
		}
	}
	if err := s.sync(); err != nil {
		return fmt.Errorf("store %d raft entries: %w", len(entries), err)
	}
	return nil
}

// DeleteRange implements raft.LogStore: it deletes the entries from min to
// max, both included. Raft deletes a prefix after a snapshot and a suffix
// when a follower's entries conflict with the leader's; a range in the
// middle, which would leave a hole, is an error. A deleted suffix is
// durable before DeleteRange returns: entries that come back after a crash
// would be entries the leader replaced. A deleted prefix need not be: what
// comes back is what a snapshot holds already.
func (s *logStore) DeleteRange(min, max uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	first, next := s.span()
	if first >= next || min > max || max < first || min >= next {
		return nil // nothing held in the range
	}
	switch {
	case max >= next-1 && min <= first:
		// Everything goes; the next entry stored says where to start.
		s.first = 0
		if err := s.log.resetAt(next); err != nil {
			return fmt.Errorf("delete raft entries %d-%d: %w", min, max, err)
		}
		return s.sync()
	case max >= next-1:
		if err := s.log.truncateFrom(min); err != nil {
			return fmt.Errorf("delete raft entries %d-%d: %w", min, max, err)
		}
		return s.sync()
	case min <= first:
		// Whole segments are removed; the rest of the prefix is hidden.
		if err := s.log.Truncate(max); err != nil {
			return fmt.Errorf("delete raft entries %d-%d: %w", min, max, err)
		}
		s.first = max + 1
		return nil
	}
	return fmt.Errorf("delete raft entries %d-%d: a log deletes only a prefix or a suffix, and entries %d-%d are held", min, max, first, next-1)
}

// Close closes the log.
func (s *logStore) Close() error {
	return s.log.Close()
}
