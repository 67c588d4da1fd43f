package log

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// tailLog writes the log every case of the tail tests starts from, with
// checksums: damagedLogRecords records in segments of damagedLogSegment,
// so that segment 10, the active one, holds offsets 10 to 13. It returns
// the log's directory, closed, and where each record of segment 10 starts
// in 10.store, with the store's size last.
func tailLog(t *testing.T) (dir string, starts []uint64) {
	t.Helper()
	dir = t.TempDir()
	l := openLog(t, dir, checksumConfig(damagedLogSegment))
	appendN(t, l, damagedLogRecords)
	require.NoError(t, l.Close())
	for i := range uint64(damagedLogRecords - 10) {
		_, pos := indexEntry(t, dir, 10, i)
		starts = append(starts, pos)
	}
	return dir, append(starts, fileSize(t, segmentFile(dir, 10, storeExt)))
}

// copyLog copies the files of the log in dir into a new directory.
func copyLog(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644))
	}
	return dst
}

// requireRecovered opens the damaged log in dir and checks that it holds
// the records 0 to highest, intact, that its active store was cut right
// after the last of them, and that the next append takes the next offset.
func requireRecovered(t *testing.T, dir string, highest, storeSize uint64, what string) {
	t.Helper()
	l, err := NewLog(dir, checksumConfig(damagedLogSegment))
	require.NoError(t, err, "%s: a damaged tail must be repaired, not refused", what)
	defer func() { require.NoError(t, l.Close()) }()
	got, err := l.HighestOffset()
	require.NoError(t, err)
	require.Equal(t, highest, got, "%s: the log must end at the last whole record", what)
	require.NoError(t, l.check(), "%s: every record kept must read back intact", what)
	require.Equal(t, storeSize, l.activeSegment.store.size, "%s: the store must be cut right after the last whole record", what)
	off, err := l.Append(&api.Record{Value: []byte("after")})
	require.NoError(t, err)
	require.Equal(t, highest+1, off, "%s: appends must go on after the last whole record", what)
}

// TestLogRecoversEveryTornTail cuts the active segment's store of a closed
// log at every byte from the start of its second-to-last record to the
// last byte of the last, as a crash in the middle of writing them does:
// each time the log must open, keep every record whose bytes are all
// there and cut the rest.
func TestLogRecoversEveryTornTail(t *testing.T) {
	dir, starts := tailLog(t)
	last := len(starts) - 2 // starts[last] is where record 13 starts
	cases := 0
	for cut := starts[last-1]; cut < starts[last+1]; cut++ {
		damaged := copyLog(t, dir)
		require.NoError(t, os.Truncate(segmentFile(damaged, 10, storeExt), int64(cut)))
		highest, size := uint64(11), starts[last-1]
		if cut >= starts[last] {
			highest, size = 12, starts[last]
		}
		requireRecovered(t, damaged, highest, size, fmt.Sprintf("store cut at byte %d", cut))
		cases++
	}
	t.Logf("%d cuts, each recovered to the last whole record", cases)
}

// TestLogRecoversEveryFlippedBitOfTheLastRecord flips, one at a time, every
// bit of the last record of the active segment, its length and checksum
// included: each time the checksum or the length must give the damage
// away, and the log must open without that record and go on.
func TestLogRecoversEveryFlippedBitOfTheLastRecord(t *testing.T) {
	dir, starts := tailLog(t)
	last := len(starts) - 2
	cases := 0
	for at := starts[last]; at < starts[last+1]; at++ {
		for bit := range 8 {
			damaged := copyLog(t, dir)
			flipBitAt(t, segmentFile(damaged, 10, storeExt), at, bit)
			requireRecovered(t, damaged, 12, starts[last], fmt.Sprintf("bit %d of byte %d flipped", bit, at))
			cases++
		}
	}
	t.Logf("%d bits flipped, each found and cut", cases)
}

// TestLogRefusesEveryFlippedBitOfAnOlderRecord flips, one at a time, every
// bit of a record that is not the last one: of the last record of a closed
// segment, which opening the log checks, and of a record in the middle of
// the active segment, which only the check of every record finds (the one
// a distributed log runs on Raft's log before it starts). Each time the log
// must be refused with a [*CorruptError] naming the file and the record's
// byte, never repaired: cutting there would drop acknowledged records that
// follow it.
func TestLogRefusesEveryFlippedBitOfAnOlderRecord(t *testing.T) {
	dir, starts := tailLog(t)
	_, closedStart := indexEntry(t, dir, 5, 4)
	records := []struct {
		base     uint64
		from, to uint64 // the record's bytes in the store
	}{
		{5, closedStart, fileSize(t, segmentFile(dir, 5, storeExt))},
		{10, starts[1], starts[2]},
	}
	cases := 0
	// A refused log keeps its files as they were: one copy serves every
	// case, the bit flipped back after each.
	damaged := copyLog(t, dir)
	for _, r := range records {
		for at := r.from; at < r.to; at++ {
			for bit := range 8 {
				store := segmentFile(damaged, r.base, storeExt)
				flipBitAt(t, store, at, bit)
				before := filesIn(t, damaged)
				err := openAndCheck(damaged)
				what := fmt.Sprintf("bit %d of byte %d of %s flipped", bit, at, filepath.Base(store))
				var corrupt *CorruptError
				require.ErrorAs(t, err, &corrupt, "%s: the log must be refused", what)
				require.Equal(t, store, corrupt.File, "%s: the error must name the file", what)
				require.Equal(t, r.from, corrupt.Pos, "%s: the error must name the record's byte", what)
				require.Equal(t, before, filesIn(t, damaged), "%s: a refused log must keep its files as they were", what)
				flipBitAt(t, store, at, bit)
				cases++
			}
		}
	}
	t.Logf("%d bits flipped, each refused with the file and byte", cases)
}

// openAndCheck opens the log in dir as a distributed log opens Raft's log,
// reading every record, and closes it.
func openAndCheck(dir string) error {
	l, err := NewLog(dir, checksumConfig(damagedLogSegment))
	if err != nil {
		return err
	}
	return errors.Join(l.check(), l.Close())
}

// flipBitAt flips bit bit of the byte at position at of the file at path.
func flipBitAt(t *testing.T, path string, at uint64, bit int) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	writeAt(t, path, at, []byte{data[at] ^ 1<<bit})
}
