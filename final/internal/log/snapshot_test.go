package log

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// memorySink is a raft.SnapshotSink that keeps the snapshot in memory.
type memorySink struct {
	bytes.Buffer
	closed, cancelled bool
}

func (s *memorySink) ID() string    { return "memory" }
func (s *memorySink) Close() error  { s.closed = true; return nil }
func (s *memorySink) Cancel() error { s.cancelled = true; return nil }

var _ raft.SnapshotSink = (*memorySink)(nil)

// appendToLog appends the values to l.
func appendToLog(t testing.TB, l *Log, values ...string) {
	t.Helper()
	for _, v := range values {
		_, err := l.Append(&api.Record{Value: []byte(v)})
		require.NoError(t, err)
	}
}

// values returns the values of every record of l, with their offsets.
func values(t testing.TB, l *Log) []string {
	t.Helper()
	lowest, next := l.bounds()
	var got []string
	for off := lowest; off < next; off++ {
		record, err := l.Read(off)
		require.NoError(t, err)
		got = append(got, fmt.Sprintf("%d:%s", record.GetOffset(), record.GetValue()))
	}
	return got
}

// persist takes a snapshot of f and persists it.
func persist(t testing.TB, f *fsm) *memorySink {
	t.Helper()
	snap, err := f.Snapshot()
	require.NoError(t, err)
	sink := &memorySink{}
	require.NoError(t, snap.Persist(sink))
	require.True(t, sink.closed, "Persist must close the sink when the snapshot is written")
	snap.Release()
	return sink
}

func TestSnapshotRestore(t *testing.T) {
	c := smallConfig(2) // several segments
	source := &fsm{log: newTestLog(t, c)}
	appendToLog(t, source.log, "a", "b", "c", "d", "e")
	require.NoError(t, source.log.Truncate(1)) // a snapshot of a log that starts at offset 2
	sink := persist(t, source)

	target := &fsm{log: newTestLog(t, c)}
	appendToLog(t, target.log, "stale", "records")
	woken := target.appended.wait()
	require.NoError(t, target.Restore(io.NopCloser(&sink.Buffer)))
	require.Equal(t, []string{"2:c", "3:d", "4:e"}, values(t, target.log), "Restore must replace the log's records with the snapshot's, at their offsets")
	require.True(t, isClosed(woken), "Restore must wake the streams waiting for a record")

	// The restored log goes on where the snapshot ends.
	appendToLog(t, target.log, "f")
	require.Equal(t, []string{"2:c", "3:d", "4:e", "5:f"}, values(t, target.log))
}

func TestSnapshotIsFixedWhenTaken(t *testing.T) {
	// Raft takes a snapshot between two Applies, then persists it while
	// Apply goes on: what Persist writes must be the log at Snapshot time.
	f := &fsm{log: newTestLog(t, Config{})}
	appendToLog(t, f.log, "a", "b")
	snap, err := f.Snapshot()
	require.NoError(t, err)
	appendToLog(t, f.log, "applied after the snapshot")
	sink := &memorySink{}
	require.NoError(t, snap.Persist(sink))

	restored := &fsm{log: newTestLog(t, Config{})}
	require.NoError(t, restored.Restore(io.NopCloser(&sink.Buffer)))
	require.Equal(t, []string{"0:a", "1:b"}, values(t, restored.log),
		"a snapshot must hold only the records the log had when Snapshot was called: Raft applies the later ones again after a restore")
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestRestoreRejectsGarbage(t *testing.T) {
	var valid memorySink
	{
		f := &fsm{log: newTestLog(t, Config{})}
		appendToLog(t, f.log, "a", "b")
		valid = *persist(t, f)
	}
	header := func(first, count uint64) []byte {
		return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, first), count)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"a short header", []byte{0, 0, 0}},
		{"a count with no records", header(0, 1<<62)},
		{"a record cut short", valid.Bytes()[:valid.Len()-1]},
		{"bytes after the records", append(bytes.Clone(valid.Bytes()), 0)},
		{"a record at the wrong offset", append(header(7, 2), valid.Bytes()[snapshotHeaderWidth:]...)},
		{"a record that is not protobuf", append(header(0, 1), 0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0xff)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fsm{log: newTestLog(t, Config{})}
			err := f.Restore(io.NopCloser(bytes.NewReader(tt.data)))
			require.ErrorIs(t, err, ErrCorrupt, "Restore must reject a snapshot that is not in the format Persist writes")
		})
	}

	t.Run("a huge length, before an endless stream", func(t *testing.T) {
		// The length is the bound plus one; the bytes that follow never
		// end. Restore must stop at the length, not read 1 GiB first.
		data := binary.BigEndian.AppendUint64(header(0, 1), maxSnapshotRecordBytes+1)
		counted := &countingReader{r: io.MultiReader(bytes.NewReader(data), io.LimitReader(zeros{}, 64<<20))}
		f := &fsm{log: newTestLog(t, Config{})}
		err := f.Restore(io.NopCloser(counted))
		require.ErrorIs(t, err, ErrCorrupt)
		require.LessOrEqual(t, counted.n, int64(1<<20), "Restore must reject a record length over its bound before reading the record")
	})
}

// failingSink is a raft.SnapshotSink whose writes fail.
type failingSink struct{ memorySink }

func (s *failingSink) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestPersistCancelsOnError(t *testing.T) {
	f := &fsm{log: newTestLog(t, Config{})}
	appendToLog(t, f.log, "a")
	snap, err := f.Snapshot()
	require.NoError(t, err)
	sink := &failingSink{}
	err = snap.Persist(sink)
	require.Error(t, err)
	require.True(t, sink.cancelled, "Persist must cancel the sink when it cannot write the snapshot, so that Raft drops it")
	require.False(t, sink.closed, "Persist must not close a sink it could not write: Close keeps the snapshot")
}
