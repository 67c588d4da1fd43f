package log

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// TestSegmentReopensAfterCrash covers a bug of the book's segment: after a
// crash, its index file is at full length, zeros after the last entry, and
// the book's segment took the last zero entry for its last record. It then
// gave the next record a wrong offset and found the index full.
func TestSegmentReopensAfterCrash(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openTestSegment(t, dir, 16, c)
	appendValues(t, s, "a", "b", "c")
	crash(t, s, true)

	reopened := openTestSegment(t, dir, 16, c)
	require.Equal(t, uint64(19), reopened.nextOffset, "after a crash, reopening must find the real last entry, not a zero entry at the end of the index file")
	requireRecords(t, reopened, "a", "b", "c")
	require.Equal(t, []uint64{19}, appendValues(t, reopened, "d"), "appends must go on after a crash")
	require.NoError(t, reopened.Close())
	requireRecords(t, openTestSegment(t, dir, 16, c), "a", "b", "c", "d")
}

func TestSegmentDropsEntriesTheStoreLacks(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openTestSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.store.Sync())
	// These two reach the index, which is mapped, but stay in the store's
	// buffer, which the crash loses.
	appendValues(t, s, "c", "d")
	crash(t, s, false)

	reopened := openTestSegment(t, dir, 0, c)
	requireRecords(t, reopened, "a", "b")
	require.Equal(t, []uint64{2}, appendValues(t, reopened, "c again"), "the next record must take the first offset the store does not hold")
	requireRecords(t, reopened, "a", "b", "c again")
}

func TestSegmentIndexesRecordsTheIndexLacks(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openTestSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.Close())
	// The process died after writing a record to the store, before writing
	// its entry.
	p, err := proto.Marshal(&api.Record{Value: []byte("c"), Offset: 2})
	require.NoError(t, err)
	appendFile(t, s.store.Name(), storeBytes(p))

	reopened := openTestSegment(t, dir, 0, c)
	requireRecords(t, reopened, "a", "b", "c")
}

// TestSegmentCutsTornLastRecord covers a bug of the book's segment, which
// left a torn last record (its length written, its bytes cut short by a
// crash) in the store: the records appended after it went after the garbage.
func TestSegmentCutsTornLastRecord(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openTestSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.Close())
	size := fileSize(t, s.store.Name())
	torn := append(binary.BigEndian.AppendUint64(nil, 100), "only ten b"...)
	appendFile(t, s.store.Name(), torn)

	reopened := openTestSegment(t, dir, 0, c)
	require.Equal(t, size, reopened.store.size, "the torn record must be cut off the store at open")
	require.Equal(t, size, fileSize(t, s.store.Name()), "the torn record must be cut off the store file at open")
	requireRecords(t, reopened, "a", "b")
	appendValues(t, reopened, "c")
	require.NoError(t, reopened.Close())
	requireRecords(t, openTestSegment(t, dir, 0, c), "a", "b", "c")
}

func TestSegmentRebuildsZeroedIndexEntries(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openTestSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b", "c")
	require.NoError(t, s.Close())
	// A power failure can leave a page of the index unwritten: zeros in the
	// middle of the entries.
	f, err := os.OpenFile(s.index.Name(), os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(make([]byte, entWidth), entWidth)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	requireRecords(t, openTestSegment(t, dir, 0, c), "a", "b", "c")
}

func TestSegmentRecoversWithFullIndex(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(2)
	s := openTestSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b")
	require.NoError(t, s.Close())
	// A record the index has no room for cannot have been appended: it is
	// cut like a torn one.
	p, err := proto.Marshal(&api.Record{Value: []byte("c"), Offset: 2})
	require.NoError(t, err)
	size := fileSize(t, s.store.Name())
	appendFile(t, s.store.Name(), storeBytes(p))

	reopened := openTestSegment(t, dir, 0, c)
	requireRecords(t, reopened, "a", "b")
	require.Equal(t, size, reopened.store.size)
}

// TestSegmentRecoverChecksEntryPositions gives the index an entry with the
// right offset but a position inside the previous record: the offsets alone
// look fine, only the positions show that the entry is wrong. Recovery must
// rebuild the entries from there, from the store.
func TestSegmentRecoverChecksEntryPositions(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(8)
	s := openTestSegment(t, dir, 0, c)
	appendValues(t, s, "a", "b", "c", "d")
	_, prev, err := s.index.Read(1)
	require.NoError(t, err)
	crash(t, s, true)
	f, err := os.OpenFile(s.index.Name(), os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(entry(2, prev+3), 2*entWidth)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	reopened := openTestSegment(t, dir, 0, c)
	_, pos, err := reopened.index.Read(2)
	require.NoError(t, err)
	require.NotEqual(t, prev+3, pos, "recover must check each entry's position, not only its offset: entry 2 points inside record 1")
	requireRecords(t, reopened, "a", "b", "c", "d")
}

// TestSegmentRecoverChecksRecordOffsets covers damage that looks like
// records: with checksums off, zeros at the end of a store read as empty
// records, and an index entry that points at the next record reads as a
// record. Each holds another offset than its place gives it.
func TestSegmentRecoverChecksRecordOffsets(t *testing.T) {
	t.Run("zeros after the last record are cut off", func(t *testing.T) {
		dir := t.TempDir()
		c := smallConfig(16)
		s := openTestSegment(t, dir, 0, c)
		appendValues(t, s, "a", "b", "c")
		require.NoError(t, s.Close())
		size := fileSize(t, s.store.Name())
		appendFile(t, s.store.Name(), make([]byte, 6*lenWidth))

		reopened := openTestSegment(t, dir, 0, c)
		require.Equal(t, uint64(3), reopened.nextOffset, "recover must check that each record it finds holds the offset of its place: zeros are empty records of offset 0")
		require.Equal(t, size, fileSize(t, s.store.Name()), "the zeros must be cut off the store")
		requireRecords(t, reopened, "a", "b", "c")
	})

	t.Run("an entry that points at the next record is rebuilt", func(t *testing.T) {
		dir := t.TempDir()
		c := smallConfig(16)
		s := openTestSegment(t, dir, 0, c)
		appendValues(t, s, "a", "b", "c", "d")
		_, next, err := s.index.Read(3)
		require.NoError(t, err)
		crash(t, s, true)
		f, err := os.OpenFile(s.index.Name(), os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteAt(entry(2, next), 2*entWidth)
		require.NoError(t, err)
		require.NoError(t, f.Close())

		reopened := openTestSegment(t, dir, 0, c)
		requireRecords(t, reopened, "a", "b", "c", "d")
	})
}

// TestSegmentLeavesClosedSegmentsAlone opens damaged segments as a log opens
// the segments before its last one: recovery must report the damage, naming
// the file and the byte, and leave the files exactly as they were.
func TestSegmentLeavesClosedSegmentsAlone(t *testing.T) {
	c := smallConfig(8)
	tests := []struct {
		name   string
		damage func(t *testing.T, s *segment) (file string, pos uint64)
	}{
		{
			name: "a last record holding another offset",
			damage: func(t *testing.T, s *segment) (string, uint64) {
				_, pos := indexEntry(t, filepath.Dir(s.store.Name()), 0, 2)
				// The record ends with its offset, 2, as a one-byte
				// varint.
				writeAt(t, s.store.Name(), fileSize(t, s.store.Name())-1, []byte{7})
				return s.store.Name(), pos
			},
		},
		{
			name: "a record past the last entry",
			damage: func(t *testing.T, s *segment) (string, uint64) {
				size := fileSize(t, s.store.Name())
				appendFile(t, s.store.Name(), make([]byte, lenWidth))
				return s.store.Name(), size
			},
		},
		{
			name: "an entry out of order",
			damage: func(t *testing.T, s *segment) (string, uint64) {
				writeAt(t, s.index.Name(), entWidth, entry(1, 1))
				return s.index.Name(), entWidth
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openTestSegment(t, dir, 0, c)
			appendValues(t, s, "a", "b", "c")
			require.NoError(t, s.Close())
			file, pos := tt.damage(t, s)
			before := filesIn(t, dir)

			_, err := openSegment(dir, 0, c, false)
			var corrupt *CorruptError
			require.ErrorAs(t, err, &corrupt, "recover must report damage in a segment that is not active")
			require.Equal(t, file, corrupt.File, "the error must name the damaged file: %v", err)
			require.Equal(t, pos, corrupt.Pos, "the error must name the damaged byte: %v", err)
			require.Equal(t, before, filesIn(t, dir), "recover must not change a segment that is not active: check everything before writing")
		})
	}
}
