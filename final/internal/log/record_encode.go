package log

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// encodedRecord is a record marshalled, and its checksum begun, before the
// log's lock is taken: everything of an append that does not need the
// record's offset. Under the lock, [encodedRecord.seal] adds the offset and
// finishes the checksum, a few bytes of work, so that appenders queue for
// the lock only as long as it takes to copy the record into the store's
// buffer.
//
// The offset goes last: protobuf lets fields come in any order (the last
// occurrence of a field wins, and there is one), and both decoders of the
// log read them so (see record_decode.go, recordOffset). For a record of
// a value alone, what the server stores, the bytes are those proto.Marshal
// writes, which orders fields by number. CRC-32C reads its input in order,
// so the checksum of the bytes before the offset carries on over it.
type encodedRecord struct {
	// sealed is what the store will hold: the checksum's room when the log
	// has checksums (see format.go), then the record marshalled without
	// its offset; seal appends the offset and fills the checksum in.
	sealed []byte
	// body is where the protobuf bytes start in sealed: checksumWidth with
	// checksums, 0 without.
	body int
	// crc is the CRC-32C of sealed[body:] as encode left it.
	crc uint32
}

// encode marshals record, its offset cleared (seal adds the real one),
// and begins its checksum when checksum is on. It resets record.Offset to
// 0: the log sets it when it appends.
func (e *encodedRecord) encode(record *api.Record, checksum bool) error {
	e.sealed, e.body = e.sealed[:0], 0
	if checksum {
		// Room for the checksum, which seal writes.
		e.sealed = binary.BigEndian.AppendUint32(e.sealed, 0)
		e.body = checksumWidth
	}
	record.Offset = 0
	var err error
	if e.sealed, err = (proto.MarshalOptions{}).MarshalAppend(e.sealed, record); err != nil {
		return fmt.Errorf("marshal record: %w", err)
	}
	if checksum {
		e.crc = crc32.Checksum(e.sealed[e.body:], crcTable)
	}
	return nil
}

// seal adds offset to the record encode marshalled, as field 2 of
// api.Record (absent when 0, as proto.Marshal leaves it), finishes the
// checksum, and returns the bytes the store holds for the record (see
// format.go). They stay valid until the next encode.
func (e *encodedRecord) seal(offset uint64, checksum bool) []byte {
	tail := len(e.sealed)
	if offset != 0 {
		e.sealed = append(e.sealed, tagOffset)
		e.sealed = protowire.AppendVarint(e.sealed, offset)
	}
	if checksum {
		crc := crc32.Update(e.crc, crcTable, e.sealed[tail:])
		binary.BigEndian.PutUint32(e.sealed[:checksumWidth], crc)
	}
	return e.sealed
}

// maxPooledEncoding is the largest buffer encodings keeps: an append of a
// large record should not leave its memory behind in the pool.
const maxPooledEncoding = 64 << 10

// encodings holds the encodedRecords of appends in progress, so that
// marshalling outside the lock reuses memory, as the segment's single
// buffer did when marshalling happened under it.
var encodings = sync.Pool{New: func() any { return new(encodedRecord) }}

// getEncoding returns an encodedRecord for one append; give it back with
// putEncoding once the store has copied the sealed bytes.
func getEncoding() *encodedRecord {
	return encodings.Get().(*encodedRecord)
}

// putEncoding returns e to encodings, unless its buffer grew too large to
// keep.
func putEncoding(e *encodedRecord) {
	if cap(e.sealed) > maxPooledEncoding {
		return
	}
	encodings.Put(e)
}
