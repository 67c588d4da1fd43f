package log

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// raftLogDir returns the directory of n's Raft log.
func raftLogDir(n *testNode) string {
	return filepath.Join(n.dir, "raft", "log")
}

// lastStoreFile returns the path of the store of the last segment in dir:
// the one with the highest base offset.
func lastStoreFile(t testing.TB, dir string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*"+storeExt))
	require.NoError(t, err)
	require.NotEmpty(t, matches, "%s holds no segment", dir)
	base := func(path string) uint64 {
		b, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(path), storeExt), 10, 64)
		require.NoError(t, err)
		return b
	}
	return slices.MaxFunc(matches, func(a, b string) int { return cmp.Compare(base(a), base(b)) })
}

// raftLastIndex opens the Raft log in dir, which repairs a torn tail, and
// returns its last index.
func raftLastIndex(t testing.TB, dir string) uint64 {
	t.Helper()
	s, err := newLogStore(dir, Config{})
	require.NoError(t, err)
	last, err := s.LastIndex()
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return last
}

// TestDistributedLogRepairsDamagedTail stops a follower, damages the last
// record of its Raft log the way a crash in the middle of a write can, and
// restarts it: it must drop the damaged entry and get it back from the
// leader, ending with every record.
func TestDistributedLogRepairsDamagedTail(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, store string)
	}{
		{"a torn last record", func(t *testing.T, store string) {
			require.NoError(t, os.Truncate(store, int64(fileSize(t, store)-5)))
		}},
		{"a bit flipped in the last record", func(t *testing.T, store string) {
			last := fileSize(t, store) - 1
			data, err := os.ReadFile(store)
			require.NoError(t, err)
			writeAt(t, store, last, []byte{data[last] ^ 0x10})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCluster(t, 3)
			want := []string{"a", "b", "c"}
			for _, v := range want {
				c.produce(v)
			}
			follower := c.follower()
			requireValues(t, follower, want, "every server must hold the records the leader took")
			follower.close(t)

			dir := raftLogDir(follower)
			before := raftLastIndex(t, dir)
			tt.damage(t, lastStoreFile(t, dir))
			require.Equal(t, before-1, raftLastIndex(t, dir), "opening the damaged log must drop its last entry, and only that one")

			back := c.restart(follower)
			requireValues(t, back, want, "a follower must get back from the leader the entry it dropped")
			c.produce("d")
			requireValues(t, back, append(want, "d"), "a repaired follower must go on replicating")
		})
	}
}

// TestDistributedLogRefusesDamagedRaftLog flips a bit in an entry in the
// middle of a stopped server's Raft log: the server must refuse to start,
// with an error naming the file and the byte, rather than serve or
// replicate the damaged entry, and must release its listener.
func TestDistributedLogRefusesDamagedRaftLog(t *testing.T) {
	c := newCluster(t)
	n := c.start("a", t.TempDir(), "127.0.0.1:0")
	for _, v := range []string{"a", "b", "c", "d", "e", "f"} {
		c.produce(v)
	}
	n.close(t)
	dir := raftLogDir(n)
	last := raftLastIndex(t, dir)
	// Raft's log is one segment, starting at index 1; the damaged entry
	// is followed by three good ones.
	damaged := last - 3
	pos := flipBit(t, dir, 1, damaged)

	ln, err := listenAgain(n.addr)
	require.NoError(t, err)
	l, err := NewDistributedLog(n.dir, c.config("a", ln, false))
	if err == nil {
		require.NoError(t, l.Close())
	}
	require.ErrorIs(t, err, ErrCorrupt, "a server whose Raft log is damaged before its tail must not start")
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt, "the error must say where the damage is")
	require.Equal(t, segmentFile(dir, 1, storeExt), corrupt.File)
	require.Equal(t, pos, corrupt.Pos)
	require.ErrorContains(t, err, "record "+strconv.FormatUint(damaged, 10), "the error must name the entry's index")

	ln, err = listenAgain(n.addr)
	require.NoError(t, err, "a server that failed to start must release its listener")
	require.NoError(t, ln.Close())
}
