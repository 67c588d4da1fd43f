package log

import (
	"hash/crc32"

	"github.com/proglog-workshop/proglog/ch03-log/internal/exercise"
)

// crcTable is the table for CRC-32C (Castagnoli), the checksum that ext4,
// iSCSI and Kafka use, which current processors compute in hardware.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// seal returns the bytes a segment stores for the marshalled record p. With
// checksum false that is p itself. With checksum true it is a new slice
// holding the CRC-32C of p, big-endian, followed by p (see format.go).
func seal(p []byte, checksum bool) ([]byte, error) {
	if !checksum {
		return p, nil
	}
	//exercise:3.5 begin: see README.md#35-checksums-and-sync
	return nil, exercise.NotDone("3.5")
	//exercise:3.5 end
}

// unseal returns the marshalled record inside the stored bytes sealed, which
// seal made with the same checksum setting. With checksum true it checks the
// checksum and returns an error wrapping [ErrCorrupt] if sealed is too short
// to hold one or if it does not match. The result shares sealed's memory.
func unseal(sealed []byte, checksum bool) ([]byte, error) {
	if !checksum {
		return sealed, nil
	}
	//exercise:3.5 begin: see README.md#35-checksums-and-sync
	return nil, exercise.NotDone("3.5")
	//exercise:3.5 end
}
