package log

import (
	"fmt"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
)

// newTestLogStore returns a log store in dir whose segments hold two
// entries each, so that every case crosses segment boundaries. It is
// closed when the test ends.
func newTestLogStore(t testing.TB, dir string) *logStore {
	t.Helper()
	s, err := newLogStore(dir, smallConfig(2))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() }) // a test may have closed it; Close twice only fails
	return s
}

// entries returns entries first..last with the given term, each with data
// naming its index and term.
func entries(first, last, term uint64) []*raft.Log {
	var logs []*raft.Log
	for i := first; i <= last; i++ {
		logs = append(logs, &raft.Log{Index: i, Term: term, Type: raft.LogCommand, Data: fmt.Appendf(nil, "entry %d of term %d", i, term)})
	}
	return logs
}

// step is one call of the raft.LogStore contract.
type step func(raft.LogStore) error

func storeLogs(first, last, term uint64) step {
	return func(s raft.LogStore) error { return s.StoreLogs(entries(first, last, term)) }
}

func storeLog(index, term uint64) step {
	return func(s raft.LogStore) error { return s.StoreLog(entries(index, index, term)[0]) }
}

func deleteRange(min, max uint64) step {
	return func(s raft.LogStore) error { return s.DeleteRange(min, max) }
}

// TestLogStoreMatchesInmemStore runs the same calls on raft's InmemStore,
// the reference for raft.LogStore's contract, and on the log store, and
// checks after every call that both hold the same entries. The cases are
// raft-boltdb's store tests (empty store, one entry, a batch, deleting a
// prefix) and the edits Raft makes to a follower's log: deleting a
// conflicting suffix and storing the leader's entries in its place,
// deleting everything.
func TestLogStoreMatchesInmemStore(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"an empty store", nil},
		{"one entry", []step{storeLog(1, 1)}},
		{"a batch", []step{storeLogs(1, 3, 1)}},
		{"a batch, then one entry", []step{storeLogs(1, 3, 1), storeLog(4, 1)}},
		{"a prefix deleted", []step{storeLogs(1, 3, 1), deleteRange(1, 2)}},
		{"a prefix deleted mid-segment", []step{storeLogs(1, 7, 1), deleteRange(1, 4), storeLog(8, 1)}},
		{"a conflicting suffix replaced", []step{storeLogs(1, 5, 1), deleteRange(3, 5), storeLogs(3, 4, 2)}},
		{"a suffix across segments replaced", []step{storeLogs(1, 9, 1), deleteRange(2, 9), storeLogs(2, 6, 3)}},
		{"a suffix longer than the store", []step{storeLogs(1, 4, 1), deleteRange(3, 100)}},
		{"everything deleted", []step{storeLogs(1, 3, 1), deleteRange(1, 3)}},
		{"everything deleted, then entries from later on", []step{storeLogs(1, 3, 1), deleteRange(1, 3), storeLogs(10, 12, 2)}},
		{"a prefix, then a suffix deleted", []step{storeLogs(1, 8, 1), deleteRange(1, 3), deleteRange(6, 8), storeLog(6, 2)}},
		{"deleting what is not there", []step{storeLogs(3, 4, 1), deleteRange(1, 2), deleteRange(5, 9)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oracle := raft.NewInmemStore()
			store := newTestLogStore(t, t.TempDir())
			requireSameEntries(t, oracle, store, "at the start")
			for i, step := range tt.steps {
				require.NoError(t, step(oracle))
				require.NoError(t, step(store), "step %d", i+1)
				requireSameEntries(t, oracle, store, fmt.Sprintf("after step %d", i+1))
			}
		})
	}
}

// requireSameEntries checks that store answers FirstIndex, LastIndex and
// GetLog for indexes 0 to 20 as oracle does.
func requireSameEntries(t *testing.T, oracle raft.LogStore, store *logStore, when string) {
	t.Helper()
	wantFirst, _ := oracle.FirstIndex()
	first, err := store.FirstIndex()
	require.NoError(t, err)
	wantLast, _ := oracle.LastIndex()
	last, err := store.LastIndex()
	require.NoError(t, err)
	require.Equal(t, [2]uint64{wantFirst, wantLast}, [2]uint64{first, last},
		"%s: FirstIndex and LastIndex differ from raft's InmemStore (an empty store has 0 and 0)", when)
	for i := uint64(0); i <= 20; i++ {
		var want, got raft.Log
		wantErr := oracle.GetLog(i, &want)
		err := store.GetLog(i, &got)
		if wantErr != nil {
			require.ErrorIs(t, err, raft.ErrLogNotFound, "%s: GetLog(%d) differs from raft's InmemStore, which does not hold it", when, i)
			continue
		}
		require.NoError(t, err, "%s: GetLog(%d) differs from raft's InmemStore, which holds it", when, i)
		require.Equal(t, want, got, "%s: GetLog(%d) differs from raft's InmemStore", when, i)
	}
}

func TestLogStoreDeleteSuffix(t *testing.T) {
	// Raft calls DeleteRange(min, max) with max the last index when a
	// follower's entries conflict with the leader's: only they may go.
	store := newTestLogStore(t, t.TempDir())
	require.NoError(t, store.StoreLogs(entries(1, 6, 1)))
	require.NoError(t, store.DeleteRange(4, 6))
	first, err := store.FirstIndex()
	require.NoError(t, err)
	last, err := store.LastIndex()
	require.NoError(t, err)
	require.Equal(t, [2]uint64{1, 3}, [2]uint64{first, last}, "DeleteRange(min, max) must delete exactly the suffix min..max and keep the entries before it")
	for i := uint64(1); i <= 3; i++ {
		var entry raft.Log
		require.NoError(t, store.GetLog(i, &entry), "DeleteRange(min, max) must delete exactly the suffix min..max and keep entry %d", i)
		require.Equal(t, *entries(i, i, 1)[0], entry)
	}
	// The leader's entries take the deleted ones' place.
	require.NoError(t, store.StoreLogs(entries(4, 5, 2)))
	var entry raft.Log
	require.NoError(t, store.GetLog(4, &entry))
	require.Equal(t, uint64(2), entry.Term, "the entry stored after the delete must be the leader's")
}

func TestLogStoreGetMissing(t *testing.T) {
	store := newTestLogStore(t, t.TempDir())
	var entry raft.Log
	require.ErrorIs(t, store.GetLog(1, &entry), raft.ErrLogNotFound, "GetLog of an empty store must return raft.ErrLogNotFound")
	require.NoError(t, store.StoreLogs(entries(1, 3, 1)))
	require.ErrorIs(t, store.GetLog(4, &entry), raft.ErrLogNotFound, "GetLog past the last entry must return raft.ErrLogNotFound: Raft takes it as \"send a snapshot\"")
	require.NoError(t, store.DeleteRange(1, 1))
	require.ErrorIs(t, store.GetLog(1, &entry), raft.ErrLogNotFound, "GetLog of a deleted entry must return raft.ErrLogNotFound")
}

func TestLogStoreHonoursIndex(t *testing.T) {
	store := newTestLogStore(t, t.TempDir())
	// A new follower's first entries come after the snapshot it installed.
	require.NoError(t, store.StoreLogs(entries(5, 6, 1)), "StoreLogs must store each entry at its Index, not at the end of the log")
	var entry raft.Log
	require.NoError(t, store.GetLog(5, &entry), "StoreLogs must store each entry at its Index, not at the end of the log")
	require.Equal(t, *entries(5, 5, 1)[0], entry)
	first, err := store.FirstIndex()
	require.NoError(t, err)
	require.Equal(t, uint64(5), first, "StoreLogs must store each entry at its Index: the store starts at the first one")

	// After a gap (another snapshot installed), the store starts over.
	require.NoError(t, store.StoreLogs(entries(20, 21, 2)), "StoreLogs must store each entry at its Index, after a gap too")
	first, err = store.FirstIndex()
	require.NoError(t, err)
	last, err := store.LastIndex()
	require.NoError(t, err)
	require.Equal(t, [2]uint64{20, 21}, [2]uint64{first, last}, "StoreLogs must store each entry at its Index: after a gap the store holds the new entries only")
}

func TestLogStoreReopens(t *testing.T) {
	dir := t.TempDir()
	store := newTestLogStore(t, dir)
	require.NoError(t, store.StoreLogs(entries(1, 7, 1)))
	require.NoError(t, store.DeleteRange(5, 7))
	require.NoError(t, store.StoreLogs(entries(5, 6, 2)))
	require.NoError(t, store.Close())

	reopened := newTestLogStore(t, dir)
	last, err := reopened.LastIndex()
	require.NoError(t, err)
	require.Equal(t, uint64(6), last, "a reopened store must hold what was stored, and not what was deleted")
	for i, term := range map[uint64]uint64{1: 1, 4: 1, 5: 2, 6: 2} {
		var entry raft.Log
		require.NoError(t, reopened.GetLog(i, &entry))
		require.Equal(t, *entries(i, i, term)[0], entry)
	}
}
