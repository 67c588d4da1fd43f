package log

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
)

// countSyncs makes s count its syncs in the returned counter.
func countSyncs(s *logStore) *int {
	syncs := 0
	sync := s.sync
	s.sync = func() error {
		syncs++
		return sync()
	}
	return &syncs
}

// requireAllSynced checks that nothing s's log wrote waits for a sync.
func requireAllSynced(t *testing.T, s *logStore, msg string) {
	t.Helper()
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	for _, seg := range s.log.segments {
		require.False(t, seg.store.dirty, "%s: segment %d has writes that were not synced", msg, seg.baseOffset)
	}
	require.False(t, s.log.dirUnsynced, "%s: the directory has entries that were not synced", msg)
}

// TestLogStoreSyncsOncePerCall makes the calls through which Raft changes
// its log, in the order a follower's log sees them, and checks after each
// that the store synced exactly once for StoreLogs and for a deleted
// suffix, and that nothing written was left unsynced: Raft acknowledges
// entries as soon as the call returns. Segments hold two entries, so a
// batch spans several.
func TestLogStoreSyncsOncePerCall(t *testing.T) {
	s := newTestLogStore(t, t.TempDir())
	syncs := countSyncs(s)
	steps := []struct {
		name  string
		call  step
		syncs int // how many syncs the call makes
	}{
		{"a batch across three segments", storeLogs(1, 5, 1), 1},
		{"one entry", storeLog(6, 1), 1},
		{"a batch that overwrites a conflicting suffix", storeLogs(4, 8, 2), 1},
		{"a deleted suffix", deleteRange(7, 8), 1},
		{"a deleted prefix, which a snapshot holds", deleteRange(1, 3), 0},
		{"a batch after a gap, as after a snapshot install", storeLogs(20, 22, 3), 1},
		{"everything deleted", deleteRange(20, 22), 1},
	}
	for _, st := range steps {
		before := *syncs
		require.NoError(t, st.call(s), st.name)
		require.Equal(t, st.syncs, *syncs-before, "%s: syncs", st.name)
		requireAllSynced(t, s, st.name)
	}
}

// logStoreCrashConfig is the configuration of the log store crash test:
// small segments, so that batches often span a roll.
func logStoreCrashConfig() Config {
	var c Config
	c.Segment.MaxStoreBytes = 8 << 10
	return c
}

// TestLogStoreCrashChild is the process TestLogStoreCrash kills. It
// stores batches of 1 to 16 entries in the Raft log store in
// $PROGLOG_CRASH_DIR, the next index after the store's last on, and prints
// "ack <index> <data in hex>" for each entry once StoreLogs has returned,
// until it is killed or a minute has passed. It skips unless
// TestLogStoreCrash runs it.
func TestLogStoreCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("TestLogStoreCrash runs this in a child process")
	}
	seed, err := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	require.NoError(t, err)
	s, err := newLogStore(dir, logStoreCrashConfig())
	require.NoError(t, err)
	last, err := s.LastIndex()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, last))
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		var batch []*raft.Log
		for range 1 + rng.IntN(16) {
			last++
			batch = append(batch, &raft.Log{Index: last, Term: 1, Type: raft.LogCommand, Data: crashValue(seed, last)})
		}
		require.NoError(t, s.StoreLogs(batch))
		for _, entry := range batch {
			_, err = fmt.Printf("ack %d %x\n", entry.Index, entry.Data)
			require.NoError(t, err)
		}
	}
}

// TestLogStoreCrash kills a process that stores batches of entries in a
// Raft log store, at a random moment, many times over, and checks after
// each kill that every entry StoreLogs acknowledged is in the reopened
// store, intact: Raft counts an entry as held once StoreLogs returns.
func TestLogStoreCrash(t *testing.T) {
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skipf("the crash test kills a child process, which %s cannot start", runtime.GOOS)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	next := uint64(1) // the store holds indexes [1, next)
	acked := 0
	for cycle := range 10 {
		acks := runCrashChild(t, "TestLogStoreCrashChild", dir, seed, 1+rng.IntN(100))
		for i, index := range acks {
			require.Equal(t, next+uint64(i), index, "cycle %d: the child must store the entries right after the reopened store's", cycle)
		}
		acked += len(acks)
		lastAck := acks[len(acks)-1]

		s, err := newLogStore(dir, logStoreCrashConfig())
		require.NoError(t, err, "cycle %d: a store killed mid-batch must reopen", cycle)
		last, err := s.LastIndex()
		require.NoError(t, err)
		require.GreaterOrEqual(t, last, lastAck, "cycle %d: entry %d was acknowledged, but the reopened store ends at %d", cycle, lastAck, last)
		for index := uint64(1); index <= last; index++ {
			var entry raft.Log
			require.NoError(t, s.GetLog(index, &entry), "cycle %d: entry %d", cycle, index)
			require.Equal(t, crashValue(seed, index), entry.Data, "cycle %d: entry %d is not what was stored", cycle, index)
		}
		require.NoError(t, s.Close())
		next = last + 1
	}
	t.Logf("%d entries acknowledged, %d recovered", acked, next-1)
}

// TestLogStoreIgnoresRetention opens a log store with a retention that
// would keep nothing but the active segment: Raft's log must keep every
// entry anyway, since only Raft may delete its entries.
func TestLogStoreIgnoresRetention(t *testing.T) {
	c := smallConfig(2)
	c.Retention.MaxBytes = 1
	s, err := newLogStore(t.TempDir(), c)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() }) // closed once; Close twice only fails
	require.NoError(t, s.StoreLogs(entries(1, 9, 1)))
	first, err := s.FirstIndex()
	require.NoError(t, err)
	require.Equal(t, uint64(1), first, "retention must not cut Raft's log")
}
