package log

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// crcTable is the table for CRC-32C (Castagnoli), the checksum that ext4,
// iSCSI and Kafka use, which current processors compute in hardware.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// seal returns the bytes a segment stores for the marshalled record p,
// appended to dst[:0], whose memory it reuses when large enough. With
// checksum false that is p itself (dst unused). With checksum true it is
// the CRC-32C of p, big-endian, followed by p (see format.go).
func seal(dst, p []byte, checksum bool) ([]byte, error) {
	if !checksum {
		return p, nil
	}
	sealed := binary.BigEndian.AppendUint32(dst[:0], crc32.Checksum(p, crcTable))
	return append(sealed, p...), nil
}

// unseal returns the marshalled record inside the stored bytes sealed, which
// seal made with the same checksum setting. With checksum true it checks the
// checksum and returns an error wrapping [ErrCorrupt] if sealed is too short
// to hold one or if it does not match. The result shares sealed's memory.
func unseal(sealed []byte, checksum bool) ([]byte, error) {
	if !checksum {
		return sealed, nil
	}
	if len(sealed) < checksumWidth {
		return nil, fmt.Errorf("%w: %d bytes cannot hold a %d-byte checksum", ErrCorrupt, len(sealed), checksumWidth)
	}
	p := sealed[checksumWidth:]
	want := binary.BigEndian.Uint32(sealed)
	if got := crc32.Checksum(p, crcTable); got != want {
		return nil, fmt.Errorf("%w: checksum mismatch: the bytes sum to %08x, the record says %08x", ErrCorrupt, got, want)
	}
	return p, nil
}
