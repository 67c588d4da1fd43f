package log

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/ch09-balancing/api/v1"
)

// TestSegmentReopensAfterCrash covers a bug of the book's segment: after a
// crash, its index file is at full length, zeros after the last entry, and
// the book's segment took the last zero entry for its last record. It then
// gave the next record a wrong offset and found the index full.
func TestSegmentReopensAfterCrash(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openSegment(t, dir, 16, c)
	appendValues(t, s, "a", "b", "c")
	crash(t, s, true)

	reopened := openSegment(t, dir, 16, c)
	require.Equal(t, uint64(19), reopened.nextOffset, "after a crash, reopening must find the real last entry, not a zero entry at the end of the index file")
	requireRecords(t, reopened, "a", "b", "c")
	require.Equal(t, []uint64{19}, appendValues(t, reopened, "d"), "appends must go on after a crash")
	require.NoError(t, reopened.Close())
	requireRecords(t, openSegment(t, dir, 16, c), "a", "b", "c", "d")
}

func TestSegmentDropsEntriesTheStoreLacks(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.store.Sync())
	// These two reach the index, which is mapped, but stay in the store's
	// buffer, which the crash loses.
	appendValues(t, s, "c", "d")
	crash(t, s, false)

	reopened := openSegment(t, dir, 0, c)
	requireRecords(t, reopened, "a", "b")
	require.Equal(t, []uint64{2}, appendValues(t, reopened, "c again"), "the next record must take the first offset the store does not hold")
	requireRecords(t, reopened, "a", "b", "c again")
}

func TestSegmentIndexesRecordsTheIndexLacks(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.Close())
	// The process died after writing a record to the store, before writing
	// its entry.
	p, err := proto.Marshal(&api.Record{Value: []byte("c"), Offset: 2})
	require.NoError(t, err)
	appendFile(t, s.store.Name(), storeBytes(p))

	reopened := openSegment(t, dir, 0, c)
	requireRecords(t, reopened, "a", "b", "c")
}

// TestSegmentCutsTornLastRecord covers a bug of the book's segment, which
// left a torn last record (its length written, its bytes cut short by a
// crash) in the store: the records appended after it went after the garbage.
func TestSegmentCutsTornLastRecord(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.Close())
	size := fileSize(t, s.store.Name())
	torn := append(binary.BigEndian.AppendUint64(nil, 100), "only ten b"...)
	appendFile(t, s.store.Name(), torn)

	reopened := openSegment(t, dir, 0, c)
	require.Equal(t, size, reopened.store.size, "the torn record must be cut off the store at open")
	require.Equal(t, size, fileSize(t, s.store.Name()), "the torn record must be cut off the store file at open")
	requireRecords(t, reopened, "a", "b")
	appendValues(t, reopened, "c")
	require.NoError(t, reopened.Close())
	requireRecords(t, openSegment(t, dir, 0, c), "a", "b", "c")
}

func TestSegmentRebuildsZeroedIndexEntries(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b", "c")
	require.NoError(t, s.Close())
	// A power failure can leave a page of the index unwritten: zeros in the
	// middle of the entries.
	f, err := os.OpenFile(s.index.Name(), os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(make([]byte, entWidth), entWidth)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	requireRecords(t, openSegment(t, dir, 0, c), "a", "b", "c")
}

func TestSegmentRecoversWithFullIndex(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(2)
	s := openSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.Close())
	// A record the index has no room for cannot have been appended: it is
	// cut like a torn one.
	p, err := proto.Marshal(&api.Record{Value: []byte("c"), Offset: 2})
	require.NoError(t, err)
	size := fileSize(t, s.store.Name())
	appendFile(t, s.store.Name(), storeBytes(p))

	reopened := openSegment(t, dir, 0, c)
	requireRecords(t, reopened, "a", "b")
	require.Equal(t, size, reopened.store.size)
}
