package log

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// openStore opens the store file name in dir, closing it when the test ends.
func openStore(tb testing.TB, dir, name string) *store {
	tb.Helper()
	f := openFile(tb, dir, name)
	s, err := newStore(f)
	require.NoError(tb, err)
	closeOnCleanup(tb, s)
	return s
}

func TestStoreAppendRead(t *testing.T) {
	storeRecords := [][]byte{[]byte("hello"), []byte("distributed"), {}, []byte("log")}
	s := openStore(t, t.TempDir(), "0.store")
	var positions []uint64
	var size uint64
	for _, p := range storeRecords {
		n, pos, err := s.Append(p)
		require.NoError(t, err)
		require.Equal(t, uint64(lenWidth+len(p)), n, "Append must return the bytes it added: the 8-byte length plus the record")
		require.Equal(t, size, pos, "each record must start where the previous one ended: pos is the store's size before the append")
		positions = append(positions, pos)
		size += n
	}

	t.Run("Read returns the bytes Append wrote at pos", func(t *testing.T) {
		for i, pos := range positions {
			got, err := s.Read(pos)
			require.NoError(t, err, "Read of a record Append just wrote: Append buffers its writes, so Read must flush the buffer first")
			require.Equal(t, storeRecords[i], got, "Read(pos) must return the bytes Append wrote at pos")
		}
	})

	t.Run("Read at the end of the store returns io.EOF", func(t *testing.T) {
		_, err := s.Read(size)
		require.ErrorIs(t, err, io.EOF)
	})

	t.Run("records survive closing and reopening the store", func(t *testing.T) {
		require.NoError(t, s.Close())
		reopened := openStore(t, filepath.Dir(s.Name()), filepath.Base(s.Name()))
		require.Equal(t, size, reopened.size, "a reopened store must start as large as its file")
		for i, pos := range positions {
			got, err := reopened.Read(pos)
			require.NoError(t, err)
			require.Equal(t, storeRecords[i], got, "Read(pos) must return the bytes Append wrote at pos")
		}
	})
}

func TestStoreReadAt(t *testing.T) {
	s := openStore(t, t.TempDir(), "0.store")
	_, pos, err := s.Append([]byte("hello"))
	require.NoError(t, err)

	length := make([]byte, lenWidth)
	n, err := s.ReadAt(length, int64(pos))
	require.NoError(t, err, "ReadAt of a record Append just wrote: ReadAt must flush the buffer first")
	require.Equal(t, lenWidth, n)
	require.Equal(t, uint64(5), binary.BigEndian.Uint64(length), "a record starts with its length, 8 bytes big-endian")

	value := make([]byte, 5)
	_, err = s.ReadAt(value, int64(pos+lenWidth))
	require.NoError(t, err)
	require.Equal(t, "hello", string(value))
}

func TestStoreClose(t *testing.T) {
	s := openStore(t, t.TempDir(), "0.store")
	n, _, err := s.Append([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.Equal(t, n, fileSize(t, s.Name()), "Close must write the buffered records to the file")
}

func TestStoreFlush(t *testing.T) {
	s := openStore(t, t.TempDir(), "0.store")
	n, _, err := s.Append([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, s.Flush())
	require.Equal(t, n, fileSize(t, s.Name()), "Flush must write the buffered records to the file")
}

func TestStoreSync(t *testing.T) {
	s := openStore(t, t.TempDir(), "0.store")
	n, _, err := s.Append([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, s.Sync())
	require.Equal(t, n, fileSize(t, s.Name()), "Sync must write the buffered records to the file")

	_, pos, err := s.Append([]byte("world"))
	require.NoError(t, err, "the store must stay usable after Sync")
	got, err := s.Read(pos)
	require.NoError(t, err)
	require.Equal(t, "world", string(got))
}

func TestStoreTruncate(t *testing.T) {
	s := openStore(t, t.TempDir(), "0.store")
	n, _, err := s.Append([]byte("kept"))
	require.NoError(t, err)
	_, _, err = s.Append([]byte("cut"))
	require.NoError(t, err)

	require.NoError(t, s.Truncate(n))
	require.Equal(t, n, s.size, "Truncate must set the store's size")
	require.Equal(t, n, fileSize(t, s.Name()), "Truncate must cut the file")
	_, err = s.Read(n)
	require.ErrorIs(t, err, io.EOF, "the cut record must be gone")

	_, pos, err := s.Append([]byte("after"))
	require.NoError(t, err)
	require.Equal(t, n, pos, "appends must continue where the store was cut")
	got, err := s.Read(pos)
	require.NoError(t, err)
	require.Equal(t, "after", string(got))

	require.Error(t, s.Truncate(s.size+1), "Truncate must not grow the store")
}

// TestStoreReadRejectsGarbageLength covers a bug of the book's store, which
// allocated whatever a record's length said: a torn write or a damaged file
// could make it ask for exabytes.
func TestStoreReadRejectsGarbageLength(t *testing.T) {
	t.Run("a length past the end of the store is ErrCorrupt, not an allocation", func(t *testing.T) {
		dir := t.TempDir()
		garbage := binary.BigEndian.AppendUint64(nil, 64<<20)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0.store"), append(garbage, "short"...), 0o644))
		s := openStore(t, dir, "0.store")
		var err error
		alloc := allocated(func() { _, err = s.Read(0) })
		require.Less(t, alloc, uint64(1<<20), "Read must not allocate what a corrupt length claims: check it against the store's size first")
		require.ErrorIs(t, err, ErrCorrupt)
	})

	t.Run("the largest length is ErrCorrupt", func(t *testing.T) {
		dir := t.TempDir()
		garbage := binary.BigEndian.AppendUint64(nil, 1<<64-1)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0.store"), garbage, 0o644))
		s := openStore(t, dir, "0.store")
		_, err := s.Read(0)
		require.ErrorIs(t, err, ErrCorrupt)
	})

	t.Run("a length cut short is ErrCorrupt", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0.store"), []byte{0, 0, 0}, 0o644))
		s := openStore(t, dir, "0.store")
		_, err := s.Read(0)
		require.ErrorIs(t, err, ErrCorrupt)
	})
}

// TestOnlyTheActiveStoreHasABuffer checks that a log keeps one store
// buffer, the active segment's, however many segments it has, and that
// a rewind into an earlier segment, which makes it active again, gives it
// a buffer again for its appends.
func TestOnlyTheActiveStoreHasABuffer(t *testing.T) {
	var c Config
	c.Segment.MaxIndexBytes = 3 * entWidth
	l, err := NewLog(t.TempDir(), c)
	require.NoError(t, err)
	closeOnCleanup(t, l)
	for i := range 10 {
		_, err := l.Append(&api.Record{Value: []byte{byte(i)}})
		require.NoError(t, err)
	}
	require.Greater(t, len(l.segments), 2)
	for _, s := range l.segments[:len(l.segments)-1] {
		require.Nil(t, s.store.buf, "segment %d is not the active one", s.baseOffset)
	}

	require.NoError(t, l.truncateFrom(4))
	_, err = l.Append(&api.Record{Value: []byte{40}})
	require.NoError(t, err)
	for off := range uint64(5) {
		r, err := l.Read(off)
		require.NoError(t, err)
		want := byte(off)
		if off == 4 {
			want = 40
		}
		require.Equal(t, []byte{want}, r.Value)
	}
}
