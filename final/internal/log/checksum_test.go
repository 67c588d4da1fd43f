package log

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// checksumConfig returns smallConfig with checksums on.
func checksumConfig(maxRecords uint64) Config {
	c := smallConfig(maxRecords)
	c.Segment.Checksum = true
	return c
}

func TestChecksum(t *testing.T) {
	p := []byte("a marshalled record")
	sealed, err := seal(nil, p, true)
	require.NoError(t, err)
	require.Len(t, sealed, checksumWidth+len(p), "a sealed record is a 4-byte checksum followed by the record")
	require.Equal(t, crc32.Checksum(p, crcTable), binary.BigEndian.Uint32(sealed), "the checksum is the record's CRC-32C (crcTable), big-endian, in front of it")
	require.Equal(t, p, sealed[checksumWidth:])
	got, err := unseal(sealed, true)
	require.NoError(t, err, "unseal must accept what seal made: it reads the checksum the way seal wrote it")
	require.Equal(t, p, got, "unseal must return what seal sealed")

	t.Run("unseal detects every flipped bit", func(t *testing.T) {
		for bit := range 8 * len(sealed) {
			damaged := append([]byte(nil), sealed...)
			damaged[bit/8] ^= 1 << (bit % 8)
			_, err := unseal(damaged, true)
			require.ErrorIs(t, err, ErrCorrupt, "unseal must compare the checksum: a flipped bit in byte %d went unnoticed", bit/8)
		}
	})

	t.Run("unseal rejects bytes too short to hold a checksum", func(t *testing.T) {
		_, err := unseal([]byte{1, 2, 3}, true)
		require.ErrorIs(t, err, ErrCorrupt)
	})

	t.Run("without checksums seal and unseal return their input", func(t *testing.T) {
		sealed, err := seal(nil, p, false)
		require.NoError(t, err)
		require.Equal(t, p, sealed)
		got, err := unseal(sealed, false)
		require.NoError(t, err)
		require.Equal(t, p, got)
	})
}

func TestSegmentChecksum(t *testing.T) {
	dir := t.TempDir()
	s := openTestSegment(t, dir, 0, checksumConfig(8))
	appendValues(t, s, "a", "b", "c")

	t.Run("the store holds each record's checksum in front of it", func(t *testing.T) {
		_, pos, err := s.index.Read(1)
		require.NoError(t, err)
		stored, err := s.store.Read(pos)
		require.NoError(t, err)
		want, err := proto.Marshal(&api.Record{Value: []byte("b"), Offset: 1})
		require.NoError(t, err)
		require.Equal(t, want, stored[min(checksumWidth, len(stored)):], "with Segment.Checksum on, segment.Append must store seal(record), not the record")
		require.Equal(t, crc32.Checksum(want, crcTable), binary.BigEndian.Uint32(stored))
	})

	t.Run("Read checks and strips the checksum", func(t *testing.T) {
		requireRecords(t, s, "a", "b", "c")
	})

	require.NoError(t, s.Close())

	t.Run("a damaged record reads as ErrCorrupt", func(t *testing.T) {
		dir := damagedSegment(t, 1)
		s := openTestSegment(t, dir, 0, checksumConfig(8))
		require.Equal(t, uint64(3), s.nextOffset, "recover cut the segment at the damaged record 1 and lost record 2 with it: recover must keep the index entries up to the last one whose record checks out, and walk the store only past that record")
		_, err := s.Read(1)
		require.ErrorIs(t, err, ErrCorrupt, "segment.Read must unseal the stored bytes, which checks the checksum")
		for _, off := range []uint64{0, 2} {
			_, err := s.Read(off)
			require.NoError(t, err, "only the damaged record fails")
		}
	})

	t.Run("a damaged last record is cut off at open like a torn one", func(t *testing.T) {
		dir := damagedSegment(t, 2)
		s := openTestSegment(t, dir, 0, checksumConfig(8))
		require.Equal(t, uint64(2), s.nextOffset, "recovery must check the last record's checksum: segment.checkRecord must unseal")
	})
}

// damagedSegment writes a closed segment of three records, with checksums,
// and flips a bit in the record at offset off, past its checksum. It returns
// the segment's directory.
func damagedSegment(tb testing.TB, off int64) string {
	tb.Helper()
	dir := tb.TempDir()
	s := openTestSegment(tb, dir, 0, checksumConfig(8))
	appendValues(tb, s, "a", "b", "c")
	_, pos, err := s.index.Read(off)
	require.NoError(tb, err)
	require.NoError(tb, s.Close())

	f, err := os.OpenFile(s.store.Name(), os.O_RDWR, 0)
	require.NoError(tb, err)
	at := int64(pos) + lenWidth + checksumWidth
	b := []byte{0}
	_, err = f.ReadAt(b, at)
	require.NoError(tb, err)
	_, err = f.WriteAt([]byte{b[0] ^ 0x40}, at)
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
	return dir
}
