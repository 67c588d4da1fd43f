package log

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// retentionConfig returns a configuration whose segments hold four records
// each, from offset 10 on: the records appendN makes then all have the
// same size ("record 10" to "record 99").
func retentionConfig() Config {
	c := smallConfig(4)
	c.Segment.InitialOffset = 10
	return c
}

// segmentBytes returns the size of a full segment's store under
// retentionConfig.
func segmentBytes(t *testing.T) uint64 {
	t.Helper()
	l := openLog(t, t.TempDir(), retentionConfig())
	appendN(t, l, 4)
	return l.segments[0].store.size
}

// storeFiles returns the base offsets of the segments in dir, by their
// store files.
func storeFiles(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*"+storeExt))
	require.NoError(t, err)
	var names []string
	for _, m := range matches {
		names = append(names, filepath.Base(m))
	}
	slices.Sort(names)
	return names
}

func TestRetentionBySize(t *testing.T) {
	full := segmentBytes(t)
	c := retentionConfig()
	c.Retention.MaxBytes = 2*full + full/2 // room for two full segments, not three
	dir := t.TempDir()
	l := openLog(t, dir, c)
	appendN(t, l, 40) // offsets 10-49: ten full segments, then an empty one

	lowest, err := l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(42), lowest, "size retention must drop the oldest segments until two full ones are left")
	requireLog(t, l, 42, 49)
	require.Equal(t, []string{"42.store", "46.store", "50.store"}, storeFiles(t, dir), "the dropped segments' files must be gone")

	appendN(t, l, 4)
	requireLog(t, l, 46, 53)
}

func TestRetentionByAge(t *testing.T) {
	now := time.Now()
	c := retentionConfig()
	c.Retention.MaxAge = time.Hour
	c.Retention.Now = func() time.Time { return now }
	l := openLog(t, t.TempDir(), c)
	appendN(t, l, 10) // two full segments, and two records in the active one
	requireLog(t, l, 10, 19)

	now = now.Add(2 * time.Hour)
	require.NoError(t, l.Retain())
	requireLog(t, l, 18, 19)
	lowest, err := l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(18), lowest, "age retention must drop every segment older than MaxAge but the active one, which the log appends to")

	// A roll applies it too: the segment left behind is two hours old by
	// the clock.
	appendN(t, l, 2)
	requireLog(t, l, 22, 21) // nothing left but the new, empty active segment
	lowest, err = l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(22), lowest)
}

func TestRetentionByAgeReadsModificationTime(t *testing.T) {
	c := retentionConfig()
	c.Retention.MaxAge = time.Hour
	dir := t.TempDir()
	l := openLog(t, dir, c)
	appendN(t, l, 10)
	// Only the first segment was written more than an hour ago.
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(segmentFile(dir, 10, storeExt), old, old))
	require.NoError(t, l.Retain())
	requireLog(t, l, 14, 19)
}

func TestRetentionSurvivesRestart(t *testing.T) {
	c := retentionConfig()
	c.Retention.MaxBytes = 1 // only the active segment
	dir := t.TempDir()
	l := openLog(t, dir, c)
	appendN(t, l, 10)
	requireLog(t, l, 18, 19)
	require.NoError(t, l.Close())

	l = openLog(t, dir, c)
	requireLog(t, l, 18, 19)
	require.NoError(t, l.Close())

	// Without retention too: the dropped records do not come back, and the
	// log does not take their absence for damage.
	l = openLog(t, dir, retentionConfig())
	requireLog(t, l, 18, 19)
	appendN(t, l, 1)
	requireLog(t, l, 18, 20)
}

func TestRetentionRejectsNegativeAge(t *testing.T) {
	c := Config{}
	c.Retention.MaxAge = -time.Second
	_, err := NewLog(t.TempDir(), c)
	require.ErrorContains(t, err, "Retention.MaxAge")
}

// TestSnapshotHoldsRetentionBack takes a snapshot of a log that retains
// only its active segment and appends past it before persisting: the
// snapshot's records must still be there to persist, and retention must
// drop them once Raft releases the snapshot.
func TestSnapshotHoldsRetentionBack(t *testing.T) {
	c := smallConfig(2)
	c.Retention.MaxBytes = 1 // only the active segment
	f := &fsm{log: newTestLog(t, c)}
	appendToLog(t, f.log, "a", "b", "c")
	require.Equal(t, []string{"2:c"}, values(t, f.log), "retention must have dropped the full segment")
	snap, err := f.Snapshot()
	require.NoError(t, err)
	appendToLog(t, f.log, "d", "e", "f") // two rolls, while the snapshot waits
	sink := &memorySink{}
	require.NoError(t, snap.Persist(sink), "the records of a snapshot must stay until Raft releases it")
	snap.Release()

	restored := &fsm{log: newTestLog(t, Config{})}
	require.NoError(t, restored.Restore(io.NopCloser(&sink.Buffer)))
	require.Equal(t, []string{"2:c"}, values(t, restored.log), "a snapshot must hold the records retained when it was taken")

	appendToLog(t, f.log, "g")
	require.NoError(t, f.log.Retain())
	require.Equal(t, []string{"6:g"}, values(t, f.log), "once released, the records must go")
}
