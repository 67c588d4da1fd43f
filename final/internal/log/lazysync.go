//go:build crashfs && crashfs_lazysync

package log

import (
	"errors"
	"time"
)

// This file is built only with the crashfs and crashfs_lazysync tags: it is
// the fault battery's negative control. It switches off the sync before
// acknowledge of Raft's log and syncs it in the background instead, every
// lazySyncInterval, as a log that trusts a periodic flush does. The
// coordinated crash must then find acknowledged records lost: proof that
// it can see a loss, and that the sync in logStore.StoreLogs is what
// prevents it.

// lazySyncInterval is how often the background sync runs.
const lazySyncInterval = 500 * time.Millisecond

// acknowledgeSync returns a sync that does nothing, and starts syncing l
// every lazySyncInterval until it is closed.
func acknowledgeSync(l *Log) func() error {
	go func() {
		for {
			time.Sleep(lazySyncInterval)
			if err := l.Sync(); errors.Is(err, ErrClosed) {
				return
			}
		}
	}()
	return func() error { return nil }
}
