package log

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// readTestLog returns a log with checksums of n records in segments of
// four, record i holding i+1 bytes of value i.
func readTestLog(t *testing.T, n int) *Log {
	t.Helper()
	c := smallConfig(4)
	c.Segment.Checksum = true
	l, err := NewLog(t.TempDir(), c)
	require.NoError(t, err)
	closeOnCleanup(t, l)
	for i := range n {
		_, err := l.Append(&api.Record{Value: bytes.Repeat([]byte{byte(i)}, i+1)})
		require.NoError(t, err)
	}
	return l
}

// requireBatch checks that records are those of readTestLog from
// offset from on.
func requireBatch(t *testing.T, records []*api.Record, from uint64) {
	t.Helper()
	for i, r := range records {
		off := from + uint64(i)
		require.Equal(t, off, r.GetOffset())
		require.Equal(t, bytes.Repeat([]byte{byte(off)}, int(off)+1), r.GetValue())
	}
}

func TestReadInto(t *testing.T) {
	l := readTestLog(t, 10)

	t.Run("reads the record Read reads, into the value's memory", func(t *testing.T) {
		record := &api.Record{Value: make([]byte, 0, 64), Term: 9}
		memory := &record.Value[:1][0]
		for off := range uint64(10) {
			require.NoError(t, l.ReadInto(off, record))
			want, err := l.Read(off)
			require.NoError(t, err)
			require.Equal(t, want.GetValue(), record.GetValue())
			require.Equal(t, off, record.GetOffset())
			require.Zero(t, record.GetTerm(), "fields of the previous record must not survive")
			require.Same(t, memory, &record.Value[0])
		}
	})

	t.Run("allocates nothing when the value fits", func(t *testing.T) {
		record := &api.Record{Value: make([]byte, 0, 64)}
		allocs := testing.AllocsPerRun(100, func() {
			if err := l.ReadInto(7, record); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs)
	})

	t.Run("past the end is ErrOffsetOutOfRange", func(t *testing.T) {
		require.ErrorAs(t, l.ReadInto(10, &api.Record{}), &api.ErrOffsetOutOfRange{})
	})
}

func TestReadBatch(t *testing.T) {
	l := readTestLog(t, 10) // segments 0-3, 4-7 and 8-9

	t.Run("reads across segments up to maxRecords", func(t *testing.T) {
		records, err := l.ReadBatch(2, 7, 1<<20)
		require.NoError(t, err)
		require.Len(t, records, 7)
		requireBatch(t, records, 2)
	})

	t.Run("stops at the end of the log", func(t *testing.T) {
		records, err := l.ReadBatch(6, 100, 1<<20)
		require.NoError(t, err)
		require.Len(t, records, 4)
		requireBatch(t, records, 6)
	})

	t.Run("stops after the record that reaches maxValueBytes", func(t *testing.T) {
		// Values of offsets 3, 4, 5 are 4, 5 and 6 bytes long.
		records, err := l.ReadBatch(3, 100, 9)
		require.NoError(t, err)
		require.Len(t, records, 2)
		requireBatch(t, records, 3)
	})

	t.Run("reads one record whatever the limits", func(t *testing.T) {
		records, err := l.ReadBatch(5, 0, 0)
		require.NoError(t, err)
		require.Len(t, records, 1)
		requireBatch(t, records, 5)
	})

	t.Run("values do not run into each other", func(t *testing.T) {
		records, err := l.ReadBatch(0, 4, 1<<20)
		require.NoError(t, err)
		records[0].Value = append(records[0].Value, 0xff, 0xff)
		requireBatch(t, records[1:], 1)
	})

	t.Run("past the end is ErrOffsetOutOfRange", func(t *testing.T) {
		_, err := l.ReadBatch(10, 4, 1<<20)
		require.ErrorAs(t, err, &api.ErrOffsetOutOfRange{})
	})
}

// TestReadBatchStopsBeforeDamage checks that a batch ends before a record
// that fails its checksum, and that the next batch, which starts there,
// reports it.
func TestReadBatchStopsBeforeDamage(t *testing.T) {
	l := readTestLog(t, 10)
	flipBit(t, l.Dir, 0, 2)

	records, err := l.ReadBatch(0, 10, 1<<20)
	require.NoError(t, err)
	require.Len(t, records, 2)
	requireBatch(t, records, 0)

	_, err = l.ReadBatch(2, 10, 1<<20)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestReadBatchAfterClose(t *testing.T) {
	l := readTestLog(t, 3)
	require.NoError(t, l.Close())
	_, err := l.ReadBatch(0, 4, 1<<20)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, l.ReadInto(0, &api.Record{}), ErrClosed)
}
