package log

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tysonmote/gommap"
)

// smallConfig returns a configuration whose segments hold at most
// maxRecords records, so that tests roll over to new segments quickly.
func smallConfig(maxRecords uint64) Config {
	var c Config
	c.Segment.MaxStoreBytes = 1 << 20
	c.Segment.MaxIndexBytes = maxRecords * entWidth
	return c
}

// openFile opens (creating it if needed) the file name in dir the way a
// segment opens its store.
func openFile(tb testing.TB, dir, name string) *os.File {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	require.NoError(tb, err)
	return f
}

// storeBytes returns a store's contents holding the given records.
func storeBytes(records ...[]byte) []byte {
	var b []byte
	for _, p := range records {
		b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// entry returns the bytes of an index entry.
func entry(off uint32, pos uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(nil, off), pos)
}

// fileSize returns the size of the file at path, as the file system sees it.
func fileSize(tb testing.TB, path string) uint64 {
	tb.Helper()
	fi, err := os.Stat(path)
	require.NoError(tb, err)
	return uint64(fi.Size())
}

// appendFile appends data to the file at path, behind the log's back.
func appendFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(tb, err)
	_, err = f.Write(data)
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
}

// crash leaves s's files the way a process that dies without closing s
// leaves them: whatever reached the store's file stays, the store's buffer is
// lost unless flush is true, and the index file keeps its full, mapped
// length. The segment must not be used afterwards.
func crash(tb testing.TB, s *segment, flush bool) {
	tb.Helper()
	if flush {
		require.NoError(tb, s.store.Flush())
	}
	require.NoError(tb, s.store.file.Close())
	require.NoError(tb, s.index.mmap.Sync(gommap.MS_SYNC))
	require.NoError(tb, s.index.mmap.UnsafeUnmap())
	s.index.mmap = nil
	require.NoError(tb, s.index.file.Close())
}

// closeOnCleanup closes c when the test ends.
func closeOnCleanup(tb testing.TB, c interface{ Close() error }) {
	tb.Helper()
	tb.Cleanup(func() {
		_ = c.Close() // the test may have closed it already; its directory goes anyway
	})
}

// allocated returns how many bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
