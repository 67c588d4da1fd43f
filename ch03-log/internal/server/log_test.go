package server

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

func TestLogAppend(t *testing.T) {
	t.Run("gives offsets 0, 1, 2 in order", func(t *testing.T) {
		log := NewLog()
		for want := range uint64(3) {
			got, err := log.Append(record(t, `{"value":"aGVsbG8="}`))
			require.NoError(t, err)
			require.Equal(t, want, got, "Append must return the new record's offset: the number of records before it")
		}
	})

	t.Run("ignores the offset the caller set", func(t *testing.T) {
		got, err := NewLog().Append(record(t, `{"value":"aGVsbG8=","offset":42}`))
		require.NoError(t, err)
		require.Equal(t, uint64(0), got, "the log, not the caller, decides where a record goes")
	})

	t.Run("keeps its own copy of the record", func(t *testing.T) {
		log := NewLog()
		mine := record(t, `{"value":"aGVsbG8=","offset":42}`)
		_, err := log.Append(mine)
		require.NoError(t, err)
		requireRecord(t, `{"value":"aGVsbG8=","offset":42}`, mine, "Append must not change the caller's record: store a proto.Clone and set the offset on the copy")
		proto.Reset(mine)
		got, err := log.Read(0)
		require.NoError(t, err)
		requireRecord(t, `{"value":"aGVsbG8=","offset":0}`, got, "changing the caller's record after Append must not change the log: store a proto.Clone")
	})

	t.Run("refuses a nil record", func(t *testing.T) {
		_, err := NewLog().Append(nil)
		require.ErrorIs(t, err, ErrNilRecord)
	})

	t.Run("is safe for concurrent use", func(t *testing.T) {
		log := NewLog()
		const writers, each = 8, 100
		offsets := make(chan uint64, writers*each)
		errs := make(chan error, writers)
		var wg sync.WaitGroup
		for range writers {
			wg.Go(func() {
				for range each {
					off, err := log.Append(record(t, `{"value":"eA=="}`))
					if err != nil {
						errs <- err
						return
					}
					offsets <- off
				}
			})
		}
		wg.Wait()
		close(offsets)
		close(errs)
		require.NoError(t, <-errs)
		seen := map[uint64]bool{}
		for off := range offsets {
			require.False(t, seen[off], "offset %d was given twice: guard the records with the mutex", off)
			seen[off] = true
		}
		require.Len(t, seen, writers*each)
	})
}

func TestLogRead(t *testing.T) {
	log := NewLog()
	_, err := log.Read(0)
	require.ErrorIs(t, err, ErrOffsetNotFound, "an empty log has no record at offset 0")
	for _, r := range []string{`{"value":"Zmlyc3Q="}`, `{"value":"c2Vjb25k"}`} {
		_, err := log.Append(record(t, r))
		require.NoError(t, err)
	}

	t.Run("returns the record at an offset, with its offset set", func(t *testing.T) {
		got, err := log.Read(1)
		require.NoError(t, err)
		requireRecord(t, `{"value":"c2Vjb25k","offset":1}`, got, "Read(1) must return the second record")
	})

	t.Run("returns a copy the caller may change", func(t *testing.T) {
		got, err := log.Read(0)
		require.NoError(t, err)
		proto.Reset(got)
		again, err := log.Read(0)
		require.NoError(t, err)
		requireRecord(t, `{"value":"Zmlyc3Q=","offset":0}`, again, "changing a record returned by Read must not change the log")
	})

	t.Run("is safe to call while others append", func(t *testing.T) {
		log := NewLog()
		for _, r := range []string{`{"value":"Zmlyc3Q="}`, `{"value":"c2Vjb25k"}`} {
			_, err := log.Append(record(t, r))
			require.NoError(t, err)
		}
		more, second := record(t, `{"value":"bW9yZQ=="}`), record(t, `{"value":"c2Vjb25k","offset":1}`)
		const readers, writers, each = 4, 4, 100
		errs := make(chan error, readers+writers)
		var wg sync.WaitGroup
		for range writers {
			wg.Go(func() {
				for range each {
					if _, err := log.Append(more); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		for range readers {
			wg.Go(func() {
				for range each {
					got, err := log.Read(1)
					if err != nil {
						errs <- err
						return
					}
					if !proto.Equal(second, got) {
						errs <- fmt.Errorf("Read(1) returned %v while others appended, want %v", got, second)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		require.NoError(t, <-errs, "Read must take the mutex too: the race detector (go test -race) reports a Read that does not")
	})

	t.Run("returns ErrOffsetNotFound past the end", func(t *testing.T) {
		for _, off := range []uint64{2, 3, 1 << 63, ^uint64(0)} {
			_, err := log.Read(off)
			require.ErrorIs(t, err, ErrOffsetNotFound, "offset %d is past the end of a 2-record log", off)
		}
	})
}
