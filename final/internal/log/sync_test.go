package log

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSyncPolicy(t *testing.T) {
	s := syncer{every: 3}
	syncs := 0
	for n := 1; n <= 7; n++ {
		require.NoError(t, s.appended(func() error { syncs++; return nil }))
		require.Equal(t, n/3, syncs, "with SyncEvery 3, %d appends make %d syncs", n, n/3)
	}

	t.Run("SyncEvery 0 never syncs", func(t *testing.T) {
		var s syncer
		for range 5 {
			require.NoError(t, s.appended(func() error { return errors.New("synced") }))
		}
	})

	t.Run("a failed sync is tried again on the next append", func(t *testing.T) {
		s := syncer{every: 2}
		failure := errors.New("disk on fire")
		require.NoError(t, s.appended(func() error { return failure }))
		require.ErrorIs(t, s.appended(func() error { return failure }), failure, "appended must return the sync's error")
		tried := false
		require.NoError(t, s.appended(func() error { tried = true; return nil }))
		require.True(t, tried, "after a failed sync, the next append must sync")
	})

	t.Run("a roll syncs the appends that wait for a sync", func(t *testing.T) {
		s := syncer{every: 3}
		synced := 0
		sync := func() error { synced++; return nil }
		require.NoError(t, s.appended(sync))
		require.NoError(t, s.rolled(sync))
		require.Equal(t, 1, synced, "rolled must sync the append that waits")
		require.NoError(t, s.rolled(sync))
		require.Equal(t, 1, synced, "rolled has nothing to sync right after a sync")
		for range 3 {
			require.NoError(t, s.appended(sync))
		}
		require.Equal(t, 2, synced, "after a roll, counting starts again")
	})

	t.Run("a log with SyncEvery 1 has each record in its file when Append returns", func(t *testing.T) {
		c := smallConfig(8)
		c.SyncEvery = 1
		l := openLog(t, t.TempDir(), c)
		for i := range 3 {
			appendN(t, l, 1)
			store := l.activeSegment.store
			require.Equal(t, store.size, fileSize(t, store.Name()),
				"after append %d, the record must be in the file: with SyncEvery set, Log.Append must call l.syncs.appended (and NewLog must give l.syncs the Config's SyncEvery)", i+1)
		}
	})

	t.Run("a log that rolls syncs the appends its full segment holds", func(t *testing.T) {
		c := smallConfig(2)
		c.SyncEvery = 3
		l := openLog(t, t.TempDir(), c)
		appendN(t, l, 2)
		require.Len(t, l.segments, 2, "two records fill a segment of two: the log must have rolled")
		require.Zero(t, l.syncs.unsynced,
			"when a segment fills, Log.Append must call l.syncs.rolled: the appends waiting for a sync are in the segment it leaves")
	})
}
