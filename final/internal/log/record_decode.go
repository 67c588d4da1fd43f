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
	var value []byte
	var offset, term, typ uint64
	for len(p) > 0 {
		// The tags of fields 1 to 4 are one byte each: field number << 3 |
		// wire type. Anything else is proto.Unmarshal's to decode.
		tag := p[0]
		p = p[1:]
		switch tag {
		case tagValue:
			n, w := uvarint(p)
			if w < 0 || n > uint64(len(p)-w) {
				return false
			}
			end := w + int(n)
			value, p = p[w:end], p[end:]
		case tagOffset, tagTerm, tagType:
			v, w := uvarint(p)
			if w < 0 {
				return false
			}
			p = p[w:]
			switch tag {
			case tagOffset:
				offset = v
			case tagTerm:
				term = v
			default:
				typ = v
			}
		default:
			return false
		}
	}
	// proto.Unmarshal leaves an empty value nil.
	var copied []byte
	switch {
	case len(value) == 0:
	case cap(into) >= len(value):
		copied = into[:len(value)]
		copy(copied, value)
	default:
		copied = make([]byte, len(value))
		copy(copied, value)
	}
	// What proto.Reset does, without its indirections.
	*record = api.Record{
		Value:  copied,
		Offset: offset,
		Term:   term,
		Type:   uint32(typ),
	}
	return true
}

// The one-byte tags of api.Record's fields 1 to 4.
const (
	tagValue  = 1<<3 | byte(protowire.BytesType)
	tagOffset = 2<<3 | byte(protowire.VarintType)
	tagTerm   = 3<<3 | byte(protowire.VarintType)
	tagType   = 4<<3 | byte(protowire.VarintType)
)

// uvarint decodes the varint at the start of p as protowire.ConsumeVarint
// does, returning its value and width, or a negative width if p does not
// start with one. A one-byte varint, a record's offset in most segments,
// is decoded inline.
func uvarint(p []byte) (uint64, int) {
	if len(p) > 0 && p[0] < 0x80 {
		return uint64(p[0]), 1
	}
	return uvarintLong(p)
}

// uvarintLong is [uvarint] for the varints of two bytes or more; those of
// two, a value's length up to 16 KiB, without protowire's loop.
func uvarintLong(p []byte) (uint64, int) {
	if len(p) > 1 && p[0] >= 0x80 && p[1] < 0x80 {
		return uint64(p[0]&0x7f) | uint64(p[1])<<7, 2
	}
	return protowire.ConsumeVarint(p)
}
