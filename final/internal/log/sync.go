package log

// syncer applies Config.SyncEvery: it counts appends and syncs after every
// every-th one. Its zero value never syncs. It is not safe for concurrent
// use: [Log.Append] calls it holding the log's lock.
type syncer struct {
	every    uint64 // appends per sync; 0 means never
	unsynced uint64 // appends since the last sync that succeeded
}

// appended counts one append and, when that makes every appends since the
// last sync, calls sync and returns its error. After a failed sync, the next
// append tries again.
func (s *syncer) appended(sync func() error) error {
	if s.every == 0 {
		return nil
	}
	s.unsynced++
	if s.unsynced < s.every {
		return nil
	}
	if err := sync(); err != nil {
		return err
	}
	s.unsynced = 0
	return nil
}

// rolled is called when the log leaves the active segment for a new one. If
// appends since the last sync are waiting, it calls sync now, since the next
// syncs will be of the new segment's store, and returns sync's error.
func (s *syncer) rolled(sync func() error) error {
	if s.every == 0 {
		return nil
	}
	if s.unsynced == 0 {
		return nil
	}
	if err := sync(); err != nil {
		return err
	}
	s.unsynced = 0
	return nil
}
