package log

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// fuzzLogFiles are the files of the log FuzzOpenLog opens, in the order of
// its arguments: segments 0 and 5 and the metaFile.
var fuzzLogFiles = []string{metaFile, "0.store", "0.index", "5.store", "5.index"}

// FuzzOpenLog opens a log made of two segments and a metaFile of arbitrary
// bytes, with checksums, as Raft's log is. It must not panic. It must
// either refuse the log with an error wrapping [ErrCorrupt] or
// [ErrConfigMismatch], leaving every file exactly as it was, or open it,
// repairing at most the last segment: then every offset it holds reads as
// its record or as [ErrCorrupt], an append takes the next offset, and the
// log reopens with the same offsets.
func FuzzOpenLog(f *testing.F) {
	c := checksumConfig(damagedLogSegment)
	dir := f.TempDir()
	l := openLog(f, dir, c)
	appendN(f, l, 8)
	require.NoError(f, l.Close())
	var valid [][]byte
	for _, name := range fuzzLogFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(f, err)
		valid = append(valid, data)
	}
	f.Add(valid[0], valid[1], valid[2], valid[3], valid[4])
	f.Add(valid[0], valid[1], valid[2], valid[3][:len(valid[3])-3], valid[4])
	f.Add(valid[0], valid[1], []byte{}, valid[3], []byte{})
	f.Add([]byte(`{"checksum":false,"lowest_offset":0}`), valid[1], valid[2], valid[3], valid[4])
	f.Add([]byte(`{"checksum":true,"lowest_offset":5}`), valid[1], valid[2], valid[3], valid[4])
	f.Add([]byte("{"), valid[1], valid[2], []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, meta, store0, index0, store5, index5 []byte) {
		dir := t.TempDir()
		for i, data := range [][]byte{meta, store0, index0, store5, index5} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, fuzzLogFiles[i]), data, 0o644))
		}
		before := filesIn(t, dir)
		l, err := NewLog(dir, c)
		if err != nil {
			require.True(t, errors.Is(err, ErrCorrupt) || errors.Is(err, ErrConfigMismatch), "NewLog must say why it refuses a log: %v", err)
			require.Equal(t, before, filesIn(t, dir), "a log that fails to open must leave its files exactly as they were")
			return
		}
		lowest, next := l.bounds()
		for off := lowest; off < next; off++ {
			record, err := l.Read(off)
			if err != nil {
				require.ErrorIs(t, err, ErrCorrupt, "Read(%d)", off)
				continue
			}
			require.Equal(t, off, record.GetOffset())
		}
		off, err := l.Append(&api.Record{Value: []byte("after")})
		require.NoError(t, err)
		require.Equal(t, next, off, "an append must take the offset after the log's end")
		require.NoError(t, l.Close())

		reopened, err := NewLog(dir, c)
		require.NoError(t, err, "a log that opened and took an append must open again")
		defer func() { require.NoError(t, reopened.Close()) }()
		lowestAgain, nextAgain := reopened.bounds()
		require.Equal(t, []uint64{lowest, next + 1}, []uint64{lowestAgain, nextAgain}, "a log must reopen with the offsets it was closed with")
	})
}
