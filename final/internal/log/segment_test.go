package log

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// openTestSegment opens the segment at base in dir, closing it when the test
// ends.
func openTestSegment(tb testing.TB, dir string, base uint64, c Config) *segment {
	tb.Helper()
	s, err := newSegment(dir, base, c)
	require.NoError(tb, err)
	closeOnCleanup(tb, s)
	return s
}

// appendValues appends a record for each value to s and returns their
// offsets.
func appendValues(tb testing.TB, s *segment, values ...string) []uint64 {
	tb.Helper()
	var offsets []uint64
	for _, v := range values {
		off, err := s.Append(&api.Record{Value: []byte(v)})
		require.NoError(tb, err)
		offsets = append(offsets, off)
	}
	return offsets
}

// requireRecords checks that s holds exactly the values, from its base
// offset on.
func requireRecords(tb testing.TB, s *segment, values ...string) {
	tb.Helper()
	require.Equal(tb, s.baseOffset+uint64(len(values)), s.nextOffset, "the segment must hold %d records after its base offset", len(values))
	for i, v := range values {
		off := s.baseOffset + uint64(i)
		got, err := s.Read(off)
		require.NoError(tb, err, "Read(%d): a segment finds offset off at index entry off-baseOffset", off)
		require.Equal(tb, v, string(got.Value), "Read(%d) must return the record appended at offset %d", off, off)
		require.Equal(tb, off, got.Offset, "a record must carry its own offset")
	}
}

func TestSegmentAppendRead(t *testing.T) {
	dir := t.TempDir()
	s := openTestSegment(t, dir, 16, smallConfig(8))
	require.Equal(t, uint64(16), s.nextOffset, "a new segment's next offset is its base offset")

	record := &api.Record{Value: []byte("first")}
	off, err := s.Append(record)
	require.NoError(t, err)
	require.Equal(t, uint64(16), off, "the first record of a segment gets its base offset")
	require.Equal(t, uint64(16), record.Offset, "Append must set record.Offset")
	require.Equal(t, []uint64{17, 18}, appendValues(t, s, "second", "third"), "each Append must return the next offset")

	t.Run("Read returns the record stored at the offset", func(t *testing.T) {
		requireRecords(t, s, "first", "second", "third")
	})

	t.Run("index entries hold offsets relative to the base offset", func(t *testing.T) {
		off, pos, err := s.index.Read(1)
		require.NoError(t, err)
		require.Equal(t, uint32(1), off, "index entries hold offsets relative to the base offset: the entry for offset 17 in the segment based at 16 must hold 1")
		p, err := s.store.Read(pos)
		require.NoError(t, err)
		want, err := proto.Marshal(&api.Record{Value: []byte("second"), Offset: 17})
		require.NoError(t, err)
		require.Equal(t, want, p, "the store must hold the record marshalled with protobuf")
	})

	t.Run("Read of an offset the segment does not hold returns io.EOF", func(t *testing.T) {
		for _, off := range []uint64{15, 19, 1 << 63} {
			_, err := s.Read(off)
			require.ErrorIs(t, err, io.EOF, "Read(%d)", off)
		}
	})

	t.Run("a reopened segment holds the same records", func(t *testing.T) {
		require.NoError(t, s.Close())
		reopened := openTestSegment(t, dir, 16, smallConfig(8))
		requireRecords(t, reopened, "first", "second", "third")
		appendValues(t, reopened, "fourth")
		requireRecords(t, reopened, "first", "second", "third", "fourth")
	})
}

func TestSegmentIsMaxed(t *testing.T) {
	t.Run("a segment is full when its store reaches MaxStoreBytes", func(t *testing.T) {
		c := smallConfig(100)
		c.Segment.MaxStoreBytes = 30
		s := openTestSegment(t, t.TempDir(), 0, c)
		appendValues(t, s, "0123456789")
		require.False(t, s.IsMaxed(), "%d bytes of %d stored", s.store.size, c.Segment.MaxStoreBytes)
		appendValues(t, s, "0123456789")
		require.True(t, s.IsMaxed(), "%d bytes of %d stored: the store is full", s.store.size, c.Segment.MaxStoreBytes)
	})

	t.Run("a segment is full when its index has no room for another entry", func(t *testing.T) {
		s := openTestSegment(t, t.TempDir(), 0, smallConfig(3))
		appendValues(t, s, "a", "b")
		require.False(t, s.IsMaxed())
		appendValues(t, s, "c")
		require.True(t, s.IsMaxed(), "3 entries fill an index of MaxIndexBytes 36")
	})

	t.Run("Append to a full segment returns io.EOF and writes nothing", func(t *testing.T) {
		s := openTestSegment(t, t.TempDir(), 0, smallConfig(1))
		appendValues(t, s, "a")
		size := s.store.size
		_, err := s.Append(&api.Record{Value: []byte("b")})
		require.ErrorIs(t, err, io.EOF)
		require.Equal(t, size, s.store.size, "a full segment must not store the record")
		require.Equal(t, uint64(1), s.nextOffset)
	})
}

// TestSegmentIndexSizeNotAMultipleOfEntWidth covers a bug of the book's
// segment, which was full only once the index's size reached
// MaxIndexBytes. With MaxIndexBytes 1024, which is not a multiple of 12, the
// index filled up at 1020 bytes; the next append wrote its record to the
// store, failed to write the entry, and every later append failed too.
func TestSegmentIndexSizeNotAMultipleOfEntWidth(t *testing.T) {
	c := smallConfig(3)
	c.Segment.MaxIndexBytes += entWidth / 2
	s := openTestSegment(t, t.TempDir(), 0, c)
	appendValues(t, s, "a", "b", "c")
	require.True(t, s.IsMaxed(), "with MaxIndexBytes %d the index has room for 3 entries: IsMaxed must say so after the third", c.Segment.MaxIndexBytes)
}

func TestSegmentRemove(t *testing.T) {
	dir := t.TempDir()
	s := openTestSegment(t, dir, 5, smallConfig(8))
	appendValues(t, s, "a")
	require.NoError(t, s.Remove())
	for _, ext := range []string{storeExt, indexExt} {
		_, err := os.Stat(segmentFile(dir, 5, ext))
		require.ErrorIs(t, err, os.ErrNotExist, "Remove must delete the %s file", ext)
	}
}

// TestSegmentReadChecksTheRecordsOffset damages an index entry of an open
// segment so that it points at the next record: Read must notice that the
// record it finds holds another offset, rather than serve it.
func TestSegmentReadChecksTheRecordsOffset(t *testing.T) {
	s := openTestSegment(t, t.TempDir(), 20, smallConfig(8))
	appendValues(t, s, "a", "b", "c", "d")
	_, next, err := s.index.Read(3)
	require.NoError(t, err)
	copy(s.index.mmap[2*entWidth:], entry(2, next))

	got, err := s.Read(22)
	require.ErrorIs(t, err, ErrCorrupt, "segment.Read(22) must check that the record found holds offset 22, not serve record %v", got)
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt)
	require.Equal(t, s.store.Name(), corrupt.File)
	require.Equal(t, next, corrupt.Pos)
}
