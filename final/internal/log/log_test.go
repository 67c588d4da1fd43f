package log

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// openLog opens the log in dir, closing it when the test ends.
func openLog(tb testing.TB, dir string, c Config) *Log {
	tb.Helper()
	l, err := NewLog(dir, c)
	require.NoError(tb, err)
	closeOnCleanup(tb, l)
	return l
}

// appendN appends n records to l, each valued "record <its offset>", and
// returns the offset of the first.
func appendN(tb testing.TB, l *Log, n int) uint64 {
	tb.Helper()
	first := l.activeSegment.nextOffset
	for i := range uint64(n) {
		off, err := l.Append(&api.Record{Value: fmt.Appendf(nil, "record %d", first+i)})
		require.NoError(tb, err)
		require.Equal(tb, first+i, off, "each Append must return the offset after the previous one")
	}
	return first
}

// requireLog checks that l holds the records appendN made, from offset
// lowest to highest, and nothing around them.
func requireLog(tb testing.TB, l *Log, lowest, highest uint64) {
	tb.Helper()
	for off := lowest; off <= highest; off++ {
		got, err := l.Read(off)
		require.NoError(tb, err, "Read(%d)", off)
		require.Equal(tb, fmt.Sprintf("record %d", off), string(got.Value), "Read(%d) returned another record: check the offset each segment starts at", off)
		require.Equal(tb, off, got.Offset)
	}
	_, err := l.Read(highest + 1)
	require.ErrorAs(tb, err, &ErrOffsetOutOfRange{}, "Read past the last record must return ErrOffsetOutOfRange")
	if lowest > 0 {
		_, err := l.Read(lowest - 1)
		require.ErrorAs(tb, err, &ErrOffsetOutOfRange{}, "Read below the first record must return ErrOffsetOutOfRange")
	}
}

func TestLogAppendRead(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(3))
	_, err := l.Read(0)
	var outOfRange ErrOffsetOutOfRange
	require.ErrorAs(t, err, &outOfRange, "an empty log holds no offset")
	require.Equal(t, uint64(0), outOfRange.Offset, "ErrOffsetOutOfRange must carry the offset asked for")

	for want := range uint64(10) {
		record := &api.Record{Value: fmt.Appendf(nil, "record %d", want)}
		off, err := l.Append(record)
		require.NoError(t, err)
		require.Equal(t, want, off, "offsets must count up by one from 0 across segments")
		require.Equal(t, want, record.Offset, "Append must set record.Offset")
	}
	t.Run("append then read returns the same record across segments", func(t *testing.T) {
		requireLog(t, l, 0, 9)
	})
	t.Run("reads past the end return ErrOffsetOutOfRange", func(t *testing.T) {
		_, err := l.Read(1 << 63)
		require.ErrorAs(t, err, &outOfRange)
		require.Equal(t, uint64(1<<63), outOfRange.Offset)
	})
	t.Run("a reopened log holds the same records and appends after them", func(t *testing.T) {
		require.NoError(t, l.Close())
		l := openLog(t, dir, smallConfig(3))
		requireLog(t, l, 0, 9)
		require.Equal(t, uint64(10), appendN(t, l, 1))
		requireLog(t, l, 0, 10)
	})
}

func TestLogInitialOffset(t *testing.T) {
	c := smallConfig(3)
	c.Segment.InitialOffset = 100
	l := openLog(t, t.TempDir(), c)
	require.Equal(t, uint64(100), appendN(t, l, 5), "the first record of a new log gets InitialOffset")
	requireLog(t, l, 100, 104)
	lowest, err := l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(100), lowest)
	highest, err := l.HighestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(104), highest)
}

func TestLogRollsAfterTheAppendThatFillsASegment(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 3)
	_, err := os.Stat(segmentFile(dir, 3, storeExt))
	require.NoError(t, err, "a full segment must roll right after the append that filled it: 3.store should exist")
	require.Len(t, l.segments, 2)
	require.Equal(t, uint64(3), l.activeSegment.baseOffset)
	require.Equal(t, fileSize(t, segmentFile(dir, 0, storeExt)), l.segments[0].store.size,
		"a full segment must be written out (flushed) before the log rolls past it: its records must all be in its file")
}

// TestLogReopensWithFullLastSegment covers a log whose last segment is full
// when it is opened: after a crash between an append and the roll that
// follows it, or with a smaller configuration than the log was written with.
func TestLogReopensWithFullLastSegment(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(10))
	appendN(t, l, 5)
	require.NoError(t, l.Close())

	l = openLog(t, dir, smallConfig(5))
	off, err := l.Append(&api.Record{Value: []byte("record 5")})
	require.NoError(t, err, "a log reopened with a full last segment must start a new one")
	require.Equal(t, uint64(5), off)
	requireLog(t, l, 0, 5)
}

// TestLogSetupIgnoresStrayFiles covers a bug of the book's setup, which
// took every file name in the directory for a base offset and then opened
// every other one, assuming a store and an index per offset: a stray file or
// a missing index shifted every segment after it.
func TestLogSetupIgnoresStrayFiles(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 8)
	require.NoError(t, l.Close())
	for _, name := range []string{"notes.txt", "1.index", "abc.store", "0003.store", "7"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("stray"), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "9.store"), 0o755))
	require.NoError(t, os.Remove(segmentFile(dir, 3, indexExt)))

	l, err := NewLog(dir, smallConfig(3))
	require.NoError(t, err, "setup must open one segment per store file named <base>.store, and nothing else")
	closeOnCleanup(t, l)
	requireLog(t, l, 0, 7)
	require.Len(t, l.segments, 3, "setup must open one segment per store file named <base>.store, and nothing else")
}

func TestLogSetupReportsMissingOffsets(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 8)
	require.NoError(t, l.Close())
	require.NoError(t, os.Remove(segmentFile(dir, 3, storeExt)))

	_, err := NewLog(dir, smallConfig(3))
	require.ErrorIs(t, err, ErrCorrupt, "a log whose segments leave a hole must not open as if nothing were missing")
}

// TestLogReset covers a bug of the book's Reset, which deleted the log's
// directory and then failed to list it.
func TestLogReset(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(3)
	c.Segment.InitialOffset = 7
	l := openLog(t, dir, c)
	appendN(t, l, 5)

	require.NoError(t, l.Reset(), "Reset must leave an empty, usable log: recreate the directory before listing it")
	lowest, err := l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(7), lowest, "after Reset the log starts again at InitialOffset")
	_, err = l.Read(7)
	require.ErrorAs(t, err, &ErrOffsetOutOfRange{}, "Reset must delete every record")
	require.Equal(t, uint64(7), appendN(t, l, 1))
	require.Len(t, l.segments, 1, "Reset must forget the segments it closed")
}

func TestLogRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 4)
	require.NoError(t, l.Remove())
	_, err := os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist, "Remove must delete the log's directory")
}

func TestLogTruncate(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 8) // segments 0-2, 3-5, 6-7

	require.NoError(t, l.Truncate(4))
	lowest, err := l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(3), lowest, "Truncate(4) removes the segment of offsets 0-2 and keeps the one holding 4")
	requireLog(t, l, 3, 7)
	_, err = os.Stat(segmentFile(dir, 0, storeExt))
	require.ErrorIs(t, err, os.ErrNotExist, "Truncate must delete the files of the segments it removes")

	require.NoError(t, l.Close())
	l, err = NewLog(dir, smallConfig(3))
	require.NoError(t, err, "a truncated log must reopen: Truncate must record its new lowest offset (l.recordLowest) before removing segments")
	closeOnCleanup(t, l)
	requireLog(t, l, 3, 7)
}

// TestLogReopensAfterInterruptedTruncate leaves what a crash inside
// Truncate leaves: the new lowest offset recorded, the segments below it not
// yet removed. They are still whole, so the log keeps them.
func TestLogReopensAfterInterruptedTruncate(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 8) // segments 0-2, 3-5, 6-7
	require.NoError(t, l.recordLowest(3))
	require.NoError(t, l.Close())

	l = openLog(t, dir, smallConfig(3))
	requireLog(t, l, 0, 7)
	require.NoError(t, l.Truncate(4))
	requireLog(t, l, 3, 7)
}

// TestLogTruncateKeepsActiveSegment covers a bug of the book's Truncate,
// which removed the active segment too when all its records were at most
// lowest, leaving the log without a segment to append to.
func TestLogTruncateKeepsActiveSegment(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 5) // segments 0-2, 3-4

	require.NoError(t, l.Truncate(100))
	require.Len(t, l.segments, 1, "Truncate must never remove the active segment")
	requireLog(t, l, 3, 4)
	require.Equal(t, uint64(5), appendN(t, l, 1))
	require.NoError(t, l.Close())
	requireLog(t, openLog(t, dir, smallConfig(3)), 3, 5)
}

func TestLogReader(t *testing.T) {
	l := openLog(t, t.TempDir(), smallConfig(3))
	appendN(t, l, 7)

	data, err := io.ReadAll(l.Reader())
	require.NoError(t, err)
	for off := range uint64(7) {
		require.GreaterOrEqual(t, len(data), lenWidth)
		n := binary.BigEndian.Uint64(data)
		require.GreaterOrEqual(t, uint64(len(data)-lenWidth), n)
		var got api.Record
		require.NoError(t, proto.Unmarshal(data[lenWidth:lenWidth+n], &got))
		require.Equal(t, fmt.Sprintf("record %d", off), string(got.Value), "Reader must return every segment's store, in offset order")
		data = data[lenWidth+n:]
	}
	require.Empty(t, data, "Reader must return the records and nothing more")
}

func TestLogConcurrentAppendRead(t *testing.T) {
	l := openLog(t, t.TempDir(), smallConfig(16))
	const writers, perWriter = 4, 50
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range perWriter {
				off, err := l.Append(&api.Record{Value: []byte("concurrent")})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := l.Read(off); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		_, _ = io.Copy(io.Discard, l.Reader()) // only the race detector judges this
	})
	wg.Wait()
	highest, err := l.HighestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(writers*perWriter-1), highest, "concurrent appends must each get their own offset")
}
