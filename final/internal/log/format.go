package log

import (
	"encoding/binary"
	"fmt"
	"path/filepath"

	"google.golang.org/protobuf/encoding/protowire"
)

// The on-disk format. A segment whose first offset (its base offset) is B is
// two files in the log's directory, named with B in decimal:
//
// B.store holds the segment's records one after another, each as
//
//	[8-byte big-endian length n][n bytes]
//
// where the n bytes are the record marshalled with protobuf (api.Record) or,
// when Config.Segment.Checksum is on, the 4-byte big-endian CRC-32C
// (Castagnoli) of those protobuf bytes followed by them, so n counts the
// checksum too. A record's position is the offset in the file of its length.
//
// B.index holds one 12-byte entry per record, in offset order:
//
//	[4-byte big-endian offset relative to B][8-byte big-endian position in B.store]
//
// While the segment is open, its index file is Config.Segment.MaxIndexBytes
// long, because it is memory-mapped and a mapping cannot grow; the entries
// past the last one written are zeros. Closing the segment truncates the file
// to its entries. A process that dies without closing leaves the file at full
// length, and the store is then the source of truth: see segment.recover.
//
// log.json, beside the segments, records what the files alone cannot tell
// (see meta.go): whether the records carry checksums, and the lowest offset
// the log holds, which only [Log.Truncate] raises.
const (
	// lenWidth is the size of the length that precedes every record in a
	// store.
	lenWidth = 8
	// offWidth is the size of an index entry's offset, relative to the
	// segment's base offset, so a segment holds at most 2^32 records.
	offWidth = 4
	// posWidth is the size of an index entry's position of the record in the
	// store.
	posWidth = 8
	// entWidth is the size of one index entry.
	entWidth = offWidth + posWidth
	// checksumWidth is the size of the CRC-32C that starts a stored record
	// when Config.Segment.Checksum is on.
	checksumWidth = 4

	// storeExt and indexExt end the names of a segment's two files.
	storeExt = ".store"
	indexExt = ".index"
	// metaFile is the name of the file that records the log's checksum
	// setting and lowest offset.
	metaFile = "log.json"
)

// enc is the byte order of every number in the files: big-endian, the
// network byte order, so the files read the same on every machine.
var enc = binary.BigEndian

// segmentFile returns the path of the file with extension ext (storeExt or
// indexExt) of the segment with the given base offset in dir.
func segmentFile(dir string, baseOffset uint64, ext string) string {
	return filepath.Join(dir, fmt.Sprintf("%d%s", baseOffset, ext))
}

// recordOffset returns the offset a marshalled api.Record holds (field 2;
// absent means 0), without unmarshalling the rest of it. It returns an error
// wrapping [ErrCorrupt] if p is not valid protobuf wire format. Recovery
// uses it to check that a record sits at the place its offset gives it.
func recordOffset(p []byte) (uint64, error) {
	var offset uint64
	for len(p) > 0 {
		num, typ, n := protowire.ConsumeTag(p)
		if n < 0 {
			return 0, fmt.Errorf("%w: not a record: %w", ErrCorrupt, protowire.ParseError(n))
		}
		p = p[n:]
		if num == 2 && typ == protowire.VarintType {
			v, n := protowire.ConsumeVarint(p)
			if n < 0 {
				return 0, fmt.Errorf("%w: not a record: %w", ErrCorrupt, protowire.ParseError(n))
			}
			offset, p = v, p[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, p)
		if n < 0 {
			return 0, fmt.Errorf("%w: not a record: %w", ErrCorrupt, protowire.ParseError(n))
		}
		p = p[n:]
	}
	return offset, nil
}
