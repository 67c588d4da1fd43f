package log

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// TestEncodedRecordIsWhatTheStoreHeld checks the bytes an append stores
// now that the offset is added after the rest is marshalled: for a record
// of a value alone they are those of proto.Marshal, sealed as before; for
// a record with every field they decode, with both decoders, to the
// record; and the checksum covers the offset.
func TestEncodedRecordIsWhatTheStoreHeld(t *testing.T) {
	for _, offset := range []uint64{0, 1, 300, 1 << 40} {
		for _, checksum := range []bool{false, true} {
			var e encodedRecord
			record := &api.Record{Value: []byte("value"), Offset: 99}
			require.NoError(t, e.encode(record, checksum))
			got := e.seal(offset, checksum)

			marshalled, err := proto.Marshal(&api.Record{Value: []byte("value"), Offset: offset})
			require.NoError(t, err)
			want, err := seal(nil, marshalled, checksum)
			require.NoError(t, err)
			require.Equal(t, want, got, "offset %d, checksum %v: a record of a value alone must be stored as proto.Marshal and seal store it", offset, checksum)

			full := &api.Record{Value: []byte("v"), Term: 7, Type: 2, Origin: "o"}
			require.NoError(t, e.encode(full, checksum))
			p, err := unseal(e.seal(offset, checksum), checksum)
			require.NoError(t, err, "the checksum must cover the offset added last")
			require.Equal(t, offset, mustRecordOffset(t, p))
			var decoded api.Record
			require.NoError(t, unmarshalRecord(p, &decoded, nil))
			require.Equal(t, offset, decoded.Offset)
			require.Equal(t, []byte("v"), decoded.Value)
			require.Equal(t, uint64(7), decoded.Term)
			require.Equal(t, uint32(2), decoded.Type)
			require.Equal(t, "o", decoded.Origin)
		}
	}
}

// mustRecordOffset returns the offset recovery reads from p.
func mustRecordOffset(tb testing.TB, p []byte) uint64 {
	tb.Helper()
	off, err := recordOffset(p)
	require.NoError(tb, err)
	return off
}

// TestLogConcurrentAppendsFillingBuffers appends from several goroutines
// records large enough to fill many store buffers, and segments, while a
// reader follows the log and another goroutine syncs it: full buffers are
// then written outside the log's lock while the next ones fill. Every
// writer must get increasing offsets, the offsets must be dense, and every
// record must read back, before and after a reopen.
func TestLogConcurrentAppendsFillingBuffers(t *testing.T) {
	dir := t.TempDir()
	var c Config
	c.Segment.MaxStoreBytes = 20 * StoreBufferBytes
	c.Segment.Checksum = true
	l, err := NewLog(dir, c)
	require.NoError(t, err)

	const writers, perWriter, size = 8, 300, 1000
	values := make([][]uint64, writers) // the offsets each writer got
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				off, err := l.Append(&api.Record{Value: concurrentValue(w, i, size)})
				if err != nil {
					t.Error(err)
					return
				}
				values[w] = append(values[w], off)
			}
		})
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		// Follows the log, so that reads land on records still in a
		// buffer or in the write in flight.
		for next := uint64(0); ; {
			select {
			case <-done:
				return
			default:
			}
			highest, err := l.HighestOffset()
			if err != nil {
				t.Error(err)
				return
			}
			for ; next <= highest && highest != 0; next++ {
				if _, err := l.Read(next); err != nil {
					t.Errorf("Read(%d): %v", next, err)
					return
				}
			}
		}
	})
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := l.Sync(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	close(done)
	readers.Wait()
	require.Greater(t, len(l.segments), 2, "the records must fill several segments")

	check := func(l *Log) {
		t.Helper()
		seen := make(map[uint64]bool)
		for w, offs := range values {
			require.Len(t, offs, perWriter)
			for i, off := range offs {
				if i > 0 {
					require.Greater(t, off, offs[i-1], "writer %d's offsets must increase", w)
				}
				seen[off] = true
				got, err := l.Read(off)
				require.NoError(t, err, "Read(%d)", off)
				require.Equal(t, concurrentValue(w, i, size), got.Value, "Read(%d)", off)
			}
		}
		highest, err := l.HighestOffset()
		require.NoError(t, err)
		require.Equal(t, uint64(writers*perWriter-1), highest)
		require.Len(t, seen, writers*perWriter, "the offsets must be dense: each one given once")
	}
	check(l)
	require.NoError(t, l.Close())
	reopened := openLog(t, dir, c)
	check(reopened)
}

// concurrentValue is the value writer w appends as its i-th record.
func concurrentValue(w, i, size int) []byte {
	v := make([]byte, size)
	copy(v, fmt.Sprintf("writer %d record %d", w, i))
	return v
}
