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
// api.Record, each with its wire type, and reports whether it did. Like
// proto.Unmarshal, it copies the value (into into, when it fits there, as
// unmarshalRecord says), leaves it nil when empty, and lets the last of
// repeated fields win.
func decodeRecord(p []byte, record *api.Record, into []byte) bool {
	var value []byte
	var offset, term, typ uint64
	for len(p) > 0 {
		num, wireType, n := protowire.ConsumeTag(p)
		if n < 0 {
			return false
		}
		p = p[n:]
		switch {
		case num == 1 && wireType == protowire.BytesType:
			v, n := protowire.ConsumeBytes(p)
			if n < 0 {
				return false
			}
			value, p = v, p[n:]
		case num >= 2 && num <= 4 && wireType == protowire.VarintType:
			v, n := protowire.ConsumeVarint(p)
			if n < 0 {
				return false
			}
			p = p[n:]
			switch num {
			case 2:
				offset = v
			case 3:
				term = v
			case 4:
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
