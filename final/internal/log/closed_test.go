package log

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// callSafely runs call and returns its error, failing the test with a
// message naming what if call panics instead: a log used after Close must
// answer with an error, never crash the process.
func callSafely(tb testing.TB, what string, call func() error) error {
	tb.Helper()
	var err error
	require.NotPanics(tb, func() { err = call() }, "%s after Close must return an error, not crash", what)
	return err
}

// dirContents returns the files of dir and their bytes.
func dirContents(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(tb, err)
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(tb, err)
		files[e.Name()] = data
	}
	return files
}

// TestIndexClosed checks that a closed index refuses calls: its mapping is
// gone, and touching it would crash the process.
func TestIndexClosed(t *testing.T) {
	idx := openIndex(t, t.TempDir(), "0.index", 4)
	for _, e := range indexEntries[:2] {
		require.NoError(t, idx.Write(e.off, e.pos))
	}
	require.NoError(t, idx.Close())

	calls := []struct {
		name string
		call func() error
	}{
		{"index.Write", func() error { return idx.Write(2, 25) }},
		{"index.Read(0)", func() error { _, _, err := idx.Read(0); return err }},
		{"index.Read(-1)", func() error { _, _, err := idx.Read(-1); return err }},
		{"index.Close", idx.Close},
	}
	for _, c := range calls {
		var err error
		require.NotPanics(t, func() { err = c.call() }, "%s after Close must return an error, not crash: the mapping is gone (i.mmap is nil)", c.name)
		require.ErrorIs(t, err, os.ErrClosed, "%s after Close must return an error wrapping os.ErrClosed", c.name)
	}
}

func TestLogClosed(t *testing.T) {
	calls := []struct {
		name string
		call func(l *Log) error
	}{
		{"Append", func(l *Log) error {
			_, err := l.Append(&api.Record{Value: []byte("late")})
			return err
		}},
		{"Read", func(l *Log) error {
			_, err := l.Read(1)
			return err
		}},
		{"LowestOffset", func(l *Log) error {
			_, err := l.LowestOffset()
			return err
		}},
		{"HighestOffset", func(l *Log) error {
			_, err := l.HighestOffset()
			return err
		}},
		{"Truncate", func(l *Log) error { return l.Truncate(3) }},
		{"Reset", func(l *Log) error { return l.Reset() }},
		{"Reader", func(l *Log) error {
			_, err := io.ReadAll(l.Reader())
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name+" after Close returns ErrClosed and changes no file", func(t *testing.T) {
			dir := t.TempDir()
			l := openLog(t, dir, smallConfig(3))
			appendN(t, l, 5) // segments 0-2, 3-4
			require.NoError(t, l.Close())
			before := dirContents(t, dir)

			err := callSafely(t, c.name, func() error { return c.call(l) })
			require.ErrorIs(t, err, ErrClosed, "%s after Close must return ErrClosed: check l.closed before touching the segments", c.name)
			require.Equal(t, before, dirContents(t, dir), "%s after Close must change no file", c.name)
		})
	}
}

func TestLogCloseTwice(t *testing.T) {
	l := openLog(t, t.TempDir(), smallConfig(3))
	appendN(t, l, 2)
	require.NoError(t, l.Close())
	err := callSafely(t, "Close", l.Close)
	require.NoError(t, err, "a second Close must return nil: Close must remember that the log is closed (l.closed) and close nothing again")
}

func TestLogRemoveAfterClose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	l := openLog(t, dir, smallConfig(3))
	appendN(t, l, 4)
	require.NoError(t, l.Close())

	err := callSafely(t, "Remove", l.Remove)
	require.NoError(t, err, "Remove after Close must delete the directory without closing the segments again")
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist, "Remove after Close must delete the log's directory")
	require.NoError(t, l.Remove(), "a second Remove finds nothing to delete and must return nil")
	_, err = l.Append(&api.Record{Value: []byte("late")})
	require.ErrorIs(t, err, ErrClosed, "a removed log is closed")
}

// TestLogCloseWhileInUse closes the log while appends and reads are in
// flight, as a server shutting down does. Every call must either succeed or
// return ErrClosed, and every append that succeeded must be in the log when
// it is opened again: Close waits for the calls in progress.
func TestLogCloseWhileInUse(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, smallConfig(4))
	var (
		wg       sync.WaitGroup
		appended atomic.Uint64
		running  = make(chan struct{})
		once     sync.Once
	)
	// check reports err unless it is nil or ErrClosed, and whether the
	// caller should stop.
	check := func(what string, err error) (stop bool) {
		if err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("%s while Close runs must succeed or return ErrClosed, not: %v", what, err)
		}
		return err != nil
	}
	// safely runs body, turning a panic into a test error: a panic on
	// another goroutine would end the test binary.
	safely := func(what string, body func()) {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s while Close runs must return ErrClosed, not crash: %v", what, r)
			}
		}()
		body()
	}
	for range 3 {
		wg.Go(func() {
			safely("Append", func() {
				for {
					off, err := l.Append(&api.Record{Value: []byte("in flight")})
					if check("Append", err) {
						return
					}
					appended.Add(1)
					once.Do(func() { close(running) })
					_, err = l.Read(off)
					if check("Read", err) {
						return
					}
				}
			})
		})
	}
	wg.Go(func() {
		safely("LowestOffset, HighestOffset and Reader", func() {
			for {
				if _, err := l.LowestOffset(); check("LowestOffset", err) {
					return
				}
				if _, err := l.HighestOffset(); check("HighestOffset", err) {
					return
				}
				// A reader taken before Close finds the stores closed
				// under it: that is an error too, not a crash.
				_, err := io.Copy(io.Discard, l.Reader())
				if errors.Is(err, os.ErrClosed) {
					return
				}
				if check("Reader", err) {
					return
				}
			}
		})
	})
	<-running
	require.NoError(t, l.Close())
	wg.Wait()

	l = openLog(t, dir, smallConfig(4))
	highest, err := l.HighestOffset()
	require.NoError(t, err)
	require.Equal(t, appended.Load(), highest+1, "every append that returned nil before Close must be in the reopened log, and no other")
}
