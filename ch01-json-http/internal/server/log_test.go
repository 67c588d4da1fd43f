package server

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLogAppend(t *testing.T) {
	t.Run("gives offsets 0, 1, 2 in order", func(t *testing.T) {
		log := NewLog()
		for want := range uint64(3) {
			got, err := log.Append(Record{Value: []byte("hello")})
			require.NoError(t, err)
			require.Equal(t, want, got, "Append must return the new record's offset: the number of records before it")
		}
	})

	t.Run("ignores the offset the caller set", func(t *testing.T) {
		log := NewLog()
		got, err := log.Append(Record{Value: []byte("hello"), Offset: 42})
		require.NoError(t, err)
		require.Equal(t, uint64(0), got, "the log, not the caller, decides where a record goes")
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
					off, err := log.Append(Record{Value: []byte("x")})
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

	for _, value := range []string{"first", "second"} {
		_, err := log.Append(Record{Value: []byte(value)})
		require.NoError(t, err)
	}

	t.Run("returns the record at an offset, with its offset set", func(t *testing.T) {
		got, err := log.Read(1)
		require.NoError(t, err)
		require.Equal(t, Record{Value: []byte("second"), Offset: 1}, got)
	})

	t.Run("is safe to call while others append", func(t *testing.T) {
		log := NewLog()
		for _, value := range []string{"first", "second"} {
			_, err := log.Append(Record{Value: []byte(value)})
			require.NoError(t, err)
		}
		const readers, writers, each = 4, 4, 100
		errs := make(chan error, readers+writers)
		var wg sync.WaitGroup
		for range writers {
			wg.Go(func() {
				for range each {
					if _, err := log.Append(Record{Value: []byte("more")}); err != nil {
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
					if string(got.Value) != "second" {
						errs <- fmt.Errorf("Read(1) returned %q while others appended, want \"second\"", got.Value)
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
