package log

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// unmarshalRecord decodes the marshalled record p into record, which it
// resets first, as proto.Unmarshal does, with the same result. Reads are
// the log's hot path: the fields a record of the log carries (value,
// offset, term, type) are decoded here directly, without the reflection
// proto.Unmarshal goes through, which costs more than the rest of a read.
// Anything else (another field, another wire type, bytes that do not
// parse) goes to proto.Unmarshal, which keeps unknown fields and words
// the errors.
//
// into is memory the record's value may take, from its start, when it has
// the capacity: a reader that reuses its records, or carves their values
// from one allocation, passes it; nil allocates a new value.
func unmarshalRecord(p []byte, record *api.Record, into []byte) error {
	if decodeRecord(p, record, into) {
		return nil
	}
	return proto.Unmarshal(p, record)
}

// decodeRecord decodes p into record if p holds only fields 1 to 4 of
// api.Record, each with its wire type and a one-byte tag (as proto.Marshal
// writes them), and reports whether it did. Like proto.Unmarshal, it
// copies the value (into into, when it fits there, as unmarshalRecord
// says), leaves it nil when empty, and lets the last of repeated fields
// win.
func decodeRecord(p []byte, record *api.Record, into []byte) bool {
	var fields recordFields
	if !scanRecord(p, &fields) {
		return false
	}
	// proto.Unmarshal leaves an empty value nil.
	var copied []byte
	switch {
	case len(fields.value) == 0:
	case cap(into) >= len(fields.value):
		copied = into[:len(fields.value)]
		copy(copied, fields.value)
	default:
		copied = make([]byte, len(fields.value))
		copy(copied, fields.value)
	}
	// What proto.Reset does, without its indirections.
	*record = api.Record{
		Value:  copied,
		Offset: fields.offset,
		Term:   fields.term,
		Type:   uint32(fields.typ),
	}
	return true
}

// recordFields are the fields of a marshalled api.Record that scanRecord
// found. value is p's memory, not a copy.
type recordFields struct {
	value             []byte
	offset, term, typ uint64
}

// scanRecord finds the fields of the marshalled record p if p holds only
// fields 1 to 4 of api.Record, each with its wire type and a one-byte tag,
// and reports whether it does: the fields decodeRecord decodes, and those
// a reader that passes p on as it is checks (see [recordHeader]). It
// fills the caller's f rather than returning the fields: returned, they
// were copied through memory on every read, which made a sequential read
// a quarter slower.
func scanRecord(p []byte, f *recordFields) bool {
	// i walks p: an index rather than p re-sliced at every field, which
	// keeps the loop in registers.
	for i := 0; i < len(p); {
		// The tags of fields 1 to 4 are one byte each: field number << 3 |
		// wire type. Anything else is proto.Unmarshal's to decode.
		tag := p[i]
		// Every field has a varint after its tag: its value, or its
		// length. One or two bytes are the common cases (a value shorter
		// than 16 KiB, an offset below 16,384), decoded here inline.
		var v uint64
		next := i + 1
		switch {
		case next < len(p) && p[next] < 0x80:
			v, next = uint64(p[next]), next+1
		case next+1 < len(p) && p[next+1] < 0x80:
			v, next = uint64(p[next]&0x7f)|uint64(p[next+1])<<7, next+2
		default:
			if v, next = varintAt(p, next); next < 0 {
				return false
			}
		}
		switch tag {
		case tagValue:
			if v > uint64(len(p)-next) {
				return false
			}
			i = next + int(v)
			f.value = p[next:i]
			continue
		case tagOffset:
			f.offset = v
		case tagTerm:
			f.term = v
		case tagType:
			f.typ = v
		default:
			return false
		}
		i = next
	}
	return true
}

// recordHeader returns the offset of the marshalled record p and the
// length of its value, as unmarshalRecord would decode them, without
// copying the value. A record scanRecord cannot read goes to
// proto.Unmarshal, which allocates.
func recordHeader(p []byte) (offset uint64, valueLen int, err error) {
	var f recordFields
	if scanRecord(p, &f) {
		return f.offset, len(f.value), nil
	}
	var record api.Record
	if err := proto.Unmarshal(p, &record); err != nil {
		return 0, 0, err
	}
	return record.Offset, len(record.Value), nil
}

// The one-byte tags of api.Record's fields 1 to 4.
const (
	tagValue  = 1<<3 | byte(protowire.BytesType)
	tagOffset = 2<<3 | byte(protowire.VarintType)
	tagTerm   = 3<<3 | byte(protowire.VarintType)
	tagType   = 4<<3 | byte(protowire.VarintType)
)

// varintAt decodes the varint that starts at p[i] as
// protowire.ConsumeVarint does, returning its value and the index of the
// byte after it, or a negative index if p holds no varint there. Up to
// nine bytes it decodes them itself; a tenth byte, which protowire checks
// for overflow, is protowire's.
func varintAt(p []byte, i int) (uint64, int) {
	var v uint64
	for n := 0; n < 9 && i+n < len(p); n++ {
		b := p[i+n]
		v |= uint64(b&0x7f) << (7 * n)
		if b < 0x80 {
			return v, i + n + 1
		}
	}
	if i > len(p) {
		return 0, -1
	}
	v, n := protowire.ConsumeVarint(p[i:])
	if n < 0 {
		return 0, -1
	}
	return v, i + n
}
