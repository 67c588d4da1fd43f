package log

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// damagedLogRecords and damagedLogSegment shape the log every case of
// TestLogOpenDamaged starts from: segments 0 (offsets 0-4) and 5 (5-9),
// closed, and 10 (10-13), active.
const (
	damagedLogRecords = 14
	damagedLogSegment = 5
)

// fileState is what a test compares of a file before and after an open.
type fileState struct {
	size int64
	sum  string // SHA-256 of the contents
}

// filesIn returns the state of every file in dir, by name.
func filesIn(tb testing.TB, dir string) map[string]fileState {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(tb, err)
	files := map[string]fileState{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(tb, err)
		sum := sha256.Sum256(data)
		files[e.Name()] = fileState{size: int64(len(data)), sum: hex.EncodeToString(sum[:])}
	}
	return files
}

// indexEntry returns entry i of the closed segment at base in dir, read
// from its index file.
func indexEntry(tb testing.TB, dir string, base uint64, i uint64) (off uint32, pos uint64) {
	tb.Helper()
	data, err := os.ReadFile(segmentFile(dir, base, indexExt))
	require.NoError(tb, err)
	require.GreaterOrEqual(tb, uint64(len(data)), (i+1)*entWidth, "segment %d has no entry %d", base, i)
	e := data[i*entWidth:]
	return enc.Uint32(e), enc.Uint64(e[offWidth:])
}

// writeAt overwrites the bytes of the file at path from position pos with
// data, behind the log's back.
func writeAt(tb testing.TB, path string, pos uint64, data []byte) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(tb, err)
	_, err = f.WriteAt(data, int64(pos))
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
}

// flipBit flips a bit of the record at offset off, which is in the segment
// at base, past its length and checksum. It returns the record's position.
func flipBit(tb testing.TB, dir string, base, off uint64) uint64 {
	tb.Helper()
	_, pos := indexEntry(tb, dir, base, off-base)
	path := segmentFile(dir, base, storeExt)
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	at := pos + lenWidth + checksumWidth
	writeAt(tb, path, at, []byte{data[at] ^ 0x40})
	return pos
}

// place is where a damage is: the file and byte an error must name, or the
// file a repair changes and the size it leaves it.
type place struct {
	file string // a name in the log's directory
	pos  uint64
}

// damageCase is one way of damaging a closed log, and what opening it must
// do: either fail with an error, leaving the files exactly as they were, or
// repair the active segment's tail, changing nothing else.
type damageCase struct {
	name     string
	checksum bool                                 // the setting the log is written with
	reopen   bool                                 // the setting it is opened with
	damage   func(t *testing.T, dir string) place // damages the closed log in dir
	// wantErr is the error the open must return, leaving the files
	// unchanged; nil means the open repairs the active segment.
	wantErr error
	// wantAt says that the error is a *CorruptError naming the place.
	wantAt bool
	// wantCut says that the repair cuts the store at the place; otherwise
	// it rebuilds the active segment's index from the store.
	wantCut bool
	// wantHighest is the last offset the repaired log holds.
	wantHighest uint64
}

// TestLogOpenDamaged opens logs damaged in the ways a crash, a bad disk or
// a person can damage them, checksums off, and checks each outcome: an
// error that names the file and the byte, with every file left exactly as it
// was, or a repair of the active segment's torn tail that changes nothing
// else. TestLogOpenDamagedWithChecksums adds the damage only checksums see.
func TestLogOpenDamaged(t *testing.T) {
	runDamageCases(t, []damageCase{
		{
			name:   "a log written without checksums, opened with them, is refused",
			reopen: true,
			damage: func(t *testing.T, dir string) place {
				return place{}
			},
			wantErr: ErrConfigMismatch,
		},
		{
			name: "a closed segment's last record holding another offset is reported",
			damage: func(t *testing.T, dir string) place {
				return place{"5.store", setLastOffset(t, dir, 5, 4)}
			},
			wantErr: ErrCorrupt, wantAt: true,
		},
		{
			name: "a closed segment's index entry that points at the next record is reported",
			damage: func(t *testing.T, dir string) place {
				_, next := indexEntry(t, dir, 5, 3)
				writeAt(t, segmentFile(dir, 5, indexExt), 2*entWidth+offWidth, enc.AppendUint64(nil, next))
				// Entries 2 and 3 now hold the same position: the
				// check finds entry 3 out of order.
				return place{"5.index", 3 * entWidth}
			},
			wantErr: ErrCorrupt, wantAt: true,
		},
		{
			name: "a closed segment's index entry with the right offset but a wrong position is reported",
			damage: func(t *testing.T, dir string) place {
				_, prev := indexEntry(t, dir, 5, 1)
				writeAt(t, segmentFile(dir, 5, indexExt), 2*entWidth+offWidth, enc.AppendUint64(nil, prev+3))
				return place{"5.index", 2 * entWidth}
			},
			wantErr: ErrCorrupt, wantAt: true,
		},
		{
			name: "zeros at the end of a closed segment's store are reported",
			damage: func(t *testing.T, dir string) place {
				path := segmentFile(dir, 5, storeExt)
				size := fileSize(t, path)
				appendFile(t, path, make([]byte, 2*lenWidth))
				return place{"5.store", size}
			},
			wantErr: ErrCorrupt, wantAt: true,
		},
		{
			name: "a deleted first segment is reported, not taken for a truncation",
			damage: func(t *testing.T, dir string) place {
				require.NoError(t, os.Remove(segmentFile(dir, 0, storeExt)))
				require.NoError(t, os.Remove(segmentFile(dir, 0, indexExt)))
				return place{}
			},
			wantErr: ErrCorrupt,
		},
		{
			name: "a deleted middle segment is reported",
			damage: func(t *testing.T, dir string) place {
				require.NoError(t, os.Remove(segmentFile(dir, 5, storeExt)))
				return place{}
			},
			wantErr: ErrCorrupt,
		},
		{
			name: "a deleted log.json is reported",
			damage: func(t *testing.T, dir string) place {
				require.NoError(t, os.Remove(filepath.Join(dir, metaFile)))
				return place{}
			},
			wantErr: ErrCorrupt,
		},
		{
			name: "the active segment's last record holding another offset is cut off as a torn write",
			damage: func(t *testing.T, dir string) place {
				return place{"10.store", setLastOffset(t, dir, 10, 3)}
			},
			wantCut: true, wantHighest: 12,
		},
		{
			name: "zeros at the end of the active segment's store are cut off",
			damage: func(t *testing.T, dir string) place {
				path := segmentFile(dir, 10, storeExt)
				size := fileSize(t, path)
				appendFile(t, path, make([]byte, 2*lenWidth))
				return place{"10.store", size}
			},
			wantCut: true, wantHighest: 13,
		},
		{
			name: "a torn last record of the active segment is cut off",
			damage: func(t *testing.T, dir string) place {
				path := segmentFile(dir, 10, storeExt)
				size := fileSize(t, path)
				appendFile(t, path, append(enc.AppendUint64(nil, 100), "only ten b"...))
				return place{"10.store", size}
			},
			wantCut: true, wantHighest: 13,
		},
		{
			name: "an active segment's index entry that points at the next record is rebuilt from the store",
			damage: func(t *testing.T, dir string) place {
				_, next := indexEntry(t, dir, 10, 3)
				writeAt(t, segmentFile(dir, 10, indexExt), 2*entWidth+offWidth, enc.AppendUint64(nil, next))
				return place{"10.index", 0}
			},
			wantHighest: 13,
		},
	})
}

// TestLogOpenDamagedWithChecksums is TestLogOpenDamaged for the damage that
// only checksums reveal: a flipped bit in a record's value.
func TestLogOpenDamagedWithChecksums(t *testing.T) {
	runDamageCases(t, []damageCase{
		{
			name:     "a log written with checksums, opened without them, is refused",
			checksum: true,
			damage: func(t *testing.T, dir string) place {
				return place{}
			},
			wantErr: ErrConfigMismatch,
		},
		{
			name:     "a flipped bit in a closed segment's last record is reported",
			checksum: true, reopen: true,
			damage: func(t *testing.T, dir string) place {
				return place{"5.store", flipBit(t, dir, 5, 9)}
			},
			wantErr: ErrCorrupt, wantAt: true,
		},
		{
			name:     "a closed segment's index entry that points at the next record is reported",
			checksum: true, reopen: true,
			damage: func(t *testing.T, dir string) place {
				_, next := indexEntry(t, dir, 5, 3)
				writeAt(t, segmentFile(dir, 5, indexExt), 2*entWidth+offWidth, enc.AppendUint64(nil, next))
				return place{"5.index", 3 * entWidth}
			},
			wantErr: ErrCorrupt, wantAt: true,
		},
		{
			name:     "a flipped bit in the active segment's last record is cut off as a torn write",
			checksum: true, reopen: true,
			damage: func(t *testing.T, dir string) place {
				return place{"10.store", flipBit(t, dir, 10, 13)}
			},
			wantCut: true, wantHighest: 12,
		},
	})
}

// runDamageCases writes, for each case, a log of damagedLogRecords records
// in segments of damagedLogSegment, closes it, damages it and opens it again.
func runDamageCases(t *testing.T, tests []damageCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := smallConfig(damagedLogSegment)
			c.Segment.Checksum = tt.checksum
			l := openLog(t, dir, c)
			appendN(t, l, damagedLogRecords)
			require.NoError(t, l.Close())
			at := tt.damage(t, dir)
			before := filesIn(t, dir)

			c.Segment.Checksum = tt.reopen
			l, err := NewLog(dir, c)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr, "NewLog must report this damage, before it opens (and may repair) a segment")
				if tt.wantAt {
					var corrupt *CorruptError
					require.ErrorAs(t, err, &corrupt, "the error must say which file and byte are damaged")
					require.Equal(t, at, place{filepath.Base(corrupt.File), corrupt.Pos}, "the error must name the damaged file and byte: %v", err)
				}
				require.Equal(t, before, filesIn(t, dir), "a log that fails to open must leave its files exactly as they were")
				_, again := NewLog(dir, c)
				require.Equal(t, err.Error(), again.Error(), "a failed open must fail the same way the next time")
				return
			}
			require.NoError(t, err, "the damage is in the active segment's tail, which recovery repairs")
			requireLog(t, l, 0, tt.wantHighest)
			require.NoError(t, l.Close())
			after := filesIn(t, dir)
			if tt.wantCut {
				require.Equal(t, int64(at.pos), after[at.file].size, "recovery must cut %s where the damage starts", at.file)
			}
			for name, state := range before {
				if name == at.file || name == "10.index" {
					continue
				}
				require.Equal(t, state, after[name], "a repair of the active segment must not change %s", name)
			}
		})
	}
}

// setLastOffset rewrites the offset that the last record of the closed
// segment at base holds, its protobuf field 2 in the record's last bytes, to
// the one-byte varint wrong. It returns the record's position.
func setLastOffset(tb testing.TB, dir string, base uint64, wrong byte) uint64 {
	tb.Helper()
	data, err := os.ReadFile(segmentFile(dir, base, storeExt))
	require.NoError(tb, err)
	require.Equal(tb, byte(2<<3), data[len(data)-2], "the last record must end with its offset, a one-byte varint")
	entries := fileSize(tb, segmentFile(dir, base, indexExt)) / entWidth
	_, pos := indexEntry(tb, dir, base, entries-1)
	writeAt(tb, segmentFile(dir, base, storeExt), uint64(len(data)-1), []byte{wrong})
	return pos
}
