package log

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// readEncoded returns what l.ReadBatchEncoded hands over, decoded, and
// checks that it returns how many records it handed over.
func readEncoded(t *testing.T, l *Log, off uint64, maxRecords, maxValueBytes int) ([]*api.Record, error) {
	t.Helper()
	var records []*api.Record
	n, err := l.ReadBatchEncoded(off, maxRecords, maxValueBytes, func(encoded []byte) {
		record := &api.Record{}
		require.NoError(t, proto.Unmarshal(encoded, record))
		records = append(records, record)
	})
	require.Equal(t, len(records), n, "ReadBatchEncoded must return how many records it handed over")
	return records, err
}

// TestReadBatchEncoded checks that ReadBatchEncoded hands over, encoded,
// the records ReadBatch returns, within the same limits.
func TestReadBatchEncoded(t *testing.T) {
	l := readTestLog(t, 10) // segments 0-3, 4-7 and 8-9
	for _, c := range []struct {
		name                      string
		off                       uint64
		maxRecords, maxValueBytes int
		want                      int
	}{
		{"across segments up to maxRecords", 2, 7, 1 << 20, 7},
		{"to the end of the log", 6, 100, 1 << 20, 4},
		{"up to the record that reaches maxValueBytes", 3, 100, 9, 2},
		{"one record whatever the limits", 5, 0, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readEncoded(t, l, c.off, c.maxRecords, c.maxValueBytes)
			require.NoError(t, err)
			require.Len(t, got, c.want)
			requireBatch(t, got, c.off)
			want, err := l.ReadBatch(c.off, c.maxRecords, c.maxValueBytes)
			require.NoError(t, err)
			require.Len(t, want, len(got))
			for i := range want {
				require.True(t, proto.Equal(want[i], got[i]), "record %d: ReadBatch read %v, ReadBatchEncoded %v", c.off+uint64(i), want[i], got[i])
			}
		})
	}

	t.Run("past the end is ErrOffsetOutOfRange", func(t *testing.T) {
		_, err := readEncoded(t, l, 10, 4, 1<<20)
		require.ErrorAs(t, err, &api.ErrOffsetOutOfRange{})
	})

	t.Run("allocates nothing", func(t *testing.T) {
		each := func([]byte) {}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := l.ReadBatchEncoded(0, 10, 1<<20, each); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs)
	})
}

// TestReadBatchEncodedStopsBeforeDamage checks that ReadBatchEncoded makes
// the checks a read makes: a batch ends before a record that fails its
// checksum, and the next batch, which starts there, reports it.
func TestReadBatchEncodedStopsBeforeDamage(t *testing.T) {
	l := readTestLog(t, 10)
	flipBit(t, l.Dir, 0, 2)

	records, err := readEncoded(t, l, 0, 10, 1<<20)
	require.NoError(t, err)
	require.Len(t, records, 2)
	requireBatch(t, records, 0)

	_, err = readEncoded(t, l, 2, 10, 1<<20)
	require.ErrorIs(t, err, ErrCorrupt)
}

// TestReadBatchEncodedChecksTheRecordsOffset damages an index entry so that
// it points at the next record: the encoded read must notice that the
// record it finds holds another offset, as a decoded read does.
func TestReadBatchEncodedChecksTheRecordsOffset(t *testing.T) {
	l := readTestLog(t, 10)
	s := l.activeSegment // offsets 8 and 9
	_, next, err := s.index.Read(1)
	require.NoError(t, err)
	copy(s.index.mmap[0:], entry(0, next))

	_, err = readEncoded(t, l, 8, 10, 1<<20)
	require.ErrorIs(t, err, ErrCorrupt)
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt)
	require.Equal(t, next, corrupt.Pos)
}

func TestReadBatchEncodedAfterClose(t *testing.T) {
	l := readTestLog(t, 3)
	require.NoError(t, l.Close())
	_, err := l.ReadBatchEncoded(0, 4, 1<<20, func([]byte) { t.Fatal("a closed log handed a record over") })
	require.ErrorIs(t, err, ErrClosed)
}
