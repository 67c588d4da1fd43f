package log

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tysonmote/gommap"
)

// openIndex opens the index file name in dir with room for maxEntries
// entries, closing it when the test ends.
func openIndex(tb testing.TB, dir, name string, maxEntries uint64) *index {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE, 0o644)
	require.NoError(tb, err)
	idx, err := newIndex(f, smallConfig(maxEntries))
	require.NoError(tb, err)
	closeOnCleanup(tb, idx)
	return idx
}

// indexEntries is what the index tests write: offset i at a position that
// grows the way a store's does.
var indexEntries = []struct {
	off uint32
	pos uint64
}{{0, 0}, {1, 10}, {2, 25}, {3, 40}}

func TestIndexWriteRead(t *testing.T) {
	dir := t.TempDir()
	idx := openIndex(t, dir, "0.index", 4)
	require.Equal(t, filepath.Join(dir, "0.index"), idx.Name(), "Name must return the path of the index file")

	_, _, err := idx.Read(-1)
	require.ErrorIs(t, err, io.EOF, "Read(-1) of an empty index must return io.EOF")

	for _, e := range indexEntries {
		require.NoError(t, idx.Write(e.off, e.pos), "an index of MaxIndexBytes 48 must take 4 entries: Write must check for room for one entry, not more")
	}

	t.Run("Read returns entry number in", func(t *testing.T) {
		for i, e := range indexEntries {
			off, pos, err := idx.Read(int64(i))
			require.NoError(t, err)
			require.Equal(t, e.off, off, "Read(%d) must return the offset Write stored in entry %d", i, i)
			require.Equal(t, e.pos, pos, "Read(%d) must return the position Write stored in entry %d", i, i)
		}
	})

	t.Run("Read(-1) returns the last entry", func(t *testing.T) {
		off, pos, err := idx.Read(-1)
		require.NoError(t, err, "Read(-1) must return the last entry written, not one past it")
		require.Equal(t, uint32(3), off, "Read(-1) must return the last entry written, not one past it")
		require.Equal(t, uint64(40), pos)
	})

	t.Run("Read past the last entry returns io.EOF", func(t *testing.T) {
		_, _, err := idx.Read(int64(len(indexEntries)))
		require.ErrorIs(t, err, io.EOF)
	})

	t.Run("Write to a full index returns io.EOF", func(t *testing.T) {
		require.ErrorIs(t, idx.Write(4, 55), io.EOF, "the index holds MaxIndexBytes/12 entries: Write must check for room")
		off, _, err := idx.Read(-1)
		require.NoError(t, err)
		require.Equal(t, uint32(3), off, "a Write that fails must not change the index")
	})
}

func TestIndexClose(t *testing.T) {
	dir := t.TempDir()
	idx := openIndex(t, dir, "0.index", 16)
	for _, e := range indexEntries {
		require.NoError(t, idx.Write(e.off, e.pos))
	}
	require.NoError(t, idx.Close())
	require.Equal(t, uint64(len(indexEntries)*entWidth), fileSize(t, filepath.Join(dir, "0.index")),
		"Close must truncate the index file to its entries")

	t.Run("a reopened index has the same entries", func(t *testing.T) {
		idx := openIndex(t, dir, "0.index", 16)
		for i, e := range indexEntries[1:] {
			off, pos, err := idx.Read(int64(i + 1))
			require.NoError(t, err)
			require.Equal(t, e.off, off)
			require.Equal(t, e.pos, pos)
		}
		require.NoError(t, idx.Write(4, 55), "a reopened index must take writes after its last entry")
		off, _, err := idx.Read(-1)
		require.NoError(t, err)
		require.Equal(t, uint32(4), off)
	})
}

// TestIndexReopenAfterCrash covers a bug of the book's index, which took the
// file's size for the size of its entries. A process that dies without
// closing the index leaves the file at its full, mapped length, zeros after
// the last entry: the book's index then read a zero entry as the last one and
// had no room for another.
func TestIndexReopenAfterCrash(t *testing.T) {
	dir := t.TempDir()
	idx := openIndex(t, dir, "0.index", 16)
	for _, e := range indexEntries {
		require.NoError(t, idx.Write(e.off, e.pos))
	}
	// What the dying process leaves: the entries on disk, the file at full
	// length, no truncation.
	require.NoError(t, idx.mmap.Sync(gommap.MS_SYNC))
	require.NoError(t, idx.mmap.UnsafeUnmap())
	idx.mmap = nil
	require.NoError(t, idx.file.Close())
	require.Equal(t, uint64(16*entWidth), fileSize(t, idx.Name()))

	reopened := openIndex(t, dir, "0.index", 16)
	off, pos, err := reopened.Read(-1)
	require.NoError(t, err)
	require.Equal(t, uint32(3), off, "newIndex must skip the zero entries a crash leaves at the end of the file")
	require.Equal(t, uint64(40), pos)
	require.NoError(t, reopened.Write(4, 55), "after a crash the index must still have room for the entries it lacks")
}

func TestIndexOpen(t *testing.T) {
	t.Run("a file larger than MaxIndexBytes keeps all its entries", func(t *testing.T) {
		dir := t.TempDir()
		var data []byte
		for _, e := range indexEntries {
			data = append(data, entry(e.off, e.pos)...)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0.index"), data, 0o644))
		idx := openIndex(t, dir, "0.index", 2)
		off, _, err := idx.Read(-1)
		require.NoError(t, err)
		require.Equal(t, uint32(3), off, "a smaller MaxIndexBytes must not cut entries off an existing index")
		require.ErrorIs(t, idx.Write(4, 55), io.EOF)
	})

	t.Run("a partial entry at the end of the file is ignored", func(t *testing.T) {
		dir := t.TempDir()
		data := append(entry(0, 0), entry(1, 10)...)
		data = append(data, entry(2, 25)[:5]...)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0.index"), data, 0o644))
		idx := openIndex(t, dir, "0.index", 16)
		off, _, err := idx.Read(-1)
		require.NoError(t, err)
		require.Equal(t, uint32(1), off, "an index holds whole entries only")
	})
}

// TestIndexReadRejectsNegativeEntries checks the numbers below -1, which
// name no entry: computed as an array index they would read before the
// mapping and panic.
func TestIndexReadRejectsNegativeEntries(t *testing.T) {
	idx := openIndex(t, t.TempDir(), "0.index", 4)
	for _, e := range indexEntries {
		require.NoError(t, idx.Write(e.off, e.pos))
	}
	for _, in := range []int64{-2, -5, math.MinInt64} {
		var err error
		require.NotPanics(t, func() { _, _, err = idx.Read(in) }, "index.Read(%d) must return an error, not panic: only -1 may be negative", in)
		require.Error(t, err, "index.Read(%d) must return an error: only -1 may be negative", in)
		require.NotErrorIs(t, err, io.EOF, "index.Read(%d) must say that the number is invalid, not that the index ends (io.EOF)", in)
	}
}
