package log

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// allocSlack is what opening and reading a file may allocate besides the
// records themselves: buffers, errors, the test's own bookkeeping.
const allocSlack = 256 << 10

// FuzzOpenStore reads every record of a store made of arbitrary bytes. It
// must not panic, must not allocate more than the store holds, and must end
// with io.EOF exactly at the end of the store, ErrCorrupt anywhere else.
func FuzzOpenStore(f *testing.F) {
	f.Add([]byte{})
	f.Add(storeBytes([]byte("hello"), []byte("world"), nil))
	f.Add(append(storeBytes([]byte("hello")), binary.BigEndian.AppendUint64(nil, 1<<62)...))
	f.Add(binary.BigEndian.AppendUint64(nil, 1<<64-1))
	f.Add(append(storeBytes([]byte("torn")), 0, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0.store"), data, 0o644))
		s, err := newStore(openFile(t, dir, "0.store"))
		require.NoError(t, err)
		closeOnCleanup(t, s)

		var pos uint64
		var readErr error
		alloc := allocated(func() {
			for {
				p, err := s.Read(pos)
				if err != nil {
					readErr = err
					return
				}
				pos += lenWidth + uint64(len(p))
			}
		})
		require.LessOrEqual(t, alloc, uint64(len(data))+allocSlack, "reading a store must not allocate more than it holds")
		if pos == uint64(len(data)) {
			require.ErrorIs(t, readErr, io.EOF)
		} else {
			require.ErrorIs(t, readErr, ErrCorrupt, "at position %d of %d", pos, len(data))
		}
	})
}

// FuzzOpenIndex opens an index made of arbitrary bytes, reads every entry,
// fills it up and reopens it. It must not panic, must map no more than the
// file or MaxIndexBytes, whichever is larger, and must keep its entries.
func FuzzOpenIndex(f *testing.F) {
	f.Add([]byte{})
	f.Add(append(entry(0, 0), entry(1, 10)...))
	f.Add(make([]byte, 10*entWidth))
	f.Add(append(append(entry(0, 0), entry(1, 10)...), make([]byte, 8*entWidth)...))
	f.Add(entry(5, 1<<63)[:7])
	f.Add(bytes.Repeat(entry(1, 2), 20))
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxEntries = 10
		dir := t.TempDir()
		path := filepath.Join(dir, "0.index")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		file, err := os.OpenFile(path, os.O_RDWR, 0)
		require.NoError(t, err)
		var idx *index
		alloc := allocated(func() { idx, err = newIndex(file, smallConfig(maxEntries)) })
		require.NoError(t, err)
		closeOnCleanup(t, idx)
		require.LessOrEqual(t, alloc, uint64(allocSlack), "newIndex must map the file, not read it into memory")
		require.Equal(t, max(len(data), maxEntries*entWidth), len(idx.mmap), "the index maps the file grown to MaxIndexBytes, never more")

		n := int64(idx.size / entWidth)
		for i := range n {
			_, _, err := idx.Read(i)
			require.NoError(t, err)
		}
		_, _, err = idx.Read(n)
		require.ErrorIs(t, err, io.EOF)
		if n > 0 {
			off, pos, err := idx.Read(-1)
			require.NoError(t, err)
			require.False(t, off == 0 && pos == 0, "the last entry of an index is never all zeros")
		}
		written := int64(0)
		for ; idx.Write(uint32(n+written), uint64(n+written+1)) == nil; written++ {
		}
		require.NoError(t, idx.Close())

		reopened, err := newIndex(openFile(t, dir, "0.index"), smallConfig(maxEntries))
		require.NoError(t, err)
		closeOnCleanup(t, reopened)
		require.Equal(t, uint64(n+written)*entWidth, reopened.size, "a reopened index must have the entries it was closed with")
	})
}

// FuzzOpenSegment opens a segment from an arbitrary store and index. It must
// not panic; afterwards every offset it holds reads as a record or as
// ErrCorrupt, appends work, and a reopen finds the same offsets.
func FuzzOpenSegment(f *testing.F) {
	var records [][]byte
	var index []byte
	var pos uint64
	for off := range uint32(3) {
		p, err := proto.Marshal(&api.Record{Value: []byte("value"), Offset: uint64(off)})
		require.NoError(f, err)
		records = append(records, p)
		index = append(index, entry(off, pos)...)
		pos += lenWidth + uint64(len(p))
	}
	store := storeBytes(records...)
	f.Add(store, index, false)
	f.Add(store, append(index, make([]byte, 5*entWidth)...), false)
	f.Add(store, []byte{}, false)
	f.Add(store[:len(store)-3], index, false)
	f.Add(store, append(index, entry(3, pos)...), false)
	f.Add(append(store, binary.BigEndian.AppendUint64(nil, 1<<40)...), index, false)
	f.Add(store, index, true)
	f.Fuzz(func(t *testing.T, storeData, indexData []byte, checksum bool) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(segmentFile(dir, 0, storeExt), storeData, 0o644))
		require.NoError(t, os.WriteFile(segmentFile(dir, 0, indexExt), indexData, 0o644))
		c := smallConfig(16)
		c.Segment.Checksum = checksum
		var s *segment
		var err error
		alloc := allocated(func() { s, err = newSegment(dir, 0, c) })
		require.NoError(t, err)
		closeOnCleanup(t, s)
		// Recovery reads each record past the last good entry once, and at
		// worst every entry's record once while it looks for that entry.
		entries := uint64(len(indexData)/entWidth + 1)
		require.LessOrEqual(t, alloc, entries*uint64(len(storeData))+allocSlack, "recovery must not allocate what garbage lengths claim")
		require.LessOrEqual(t, s.store.size, uint64(len(storeData)), "recovery may cut the store, never grow it")

		for off := s.baseOffset; off < s.nextOffset; off++ {
			if _, err := s.Read(off); err != nil {
				require.ErrorIs(t, err, ErrCorrupt, "Read(%d)", off)
			}
		}
		next := s.nextOffset
		if !s.IsMaxed() {
			off, err := s.Append(&api.Record{Value: []byte("after")})
			require.NoError(t, err)
			got, err := s.Read(off)
			require.NoError(t, err)
			require.Equal(t, "after", string(got.Value))
			next++
		}
		require.NoError(t, s.Close())

		reopened, err := newSegment(dir, 0, c)
		require.NoError(t, err)
		closeOnCleanup(t, reopened)
		require.Equal(t, next, reopened.nextOffset, "a segment must reopen with the records it was closed with")
	})
}
