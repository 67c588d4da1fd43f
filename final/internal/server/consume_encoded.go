package server

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// encodedResponse is an api.ConsumeResponse in its wire format, built from
// records that are already encoded, as the log stores them (see
// [EncodedBatchReader]): a record field of a message is its tag, its
// length and the record's encoding, so the server writes the log's bytes
// into the message and nothing decodes or encodes the records. A client
// decodes it as any ConsumeResponse. A ConsumeStream keeps one and reuses
// its memory for every message it sends.
type encodedResponse struct {
	encoded []byte
	// buffers are what codec copies encoded into for gRPC.
	buffers streamBuffers
	// add appends an encoded record to the message: to its records, or,
	// for a client that asked for no batches, as its record (a message
	// then takes one: a second would merge into the first when decoded).
	// A field rather than a method value, which would be allocated at
	// every message.
	add func(record []byte)
}

// newEncodedResponse returns an empty message whose add appends to its
// records if batched, and sets its record otherwise.
func newEncodedResponse(batched bool) *encodedResponse {
	res := &encodedResponse{buffers: newStreamBuffers()}
	tag := recordTag
	if batched {
		tag = recordsTag
	}
	res.add = func(record []byte) {
		res.encoded = append(res.encoded, tag...)
		res.encoded = protowire.AppendBytes(res.encoded, record)
	}
	return res
}

// The tags of api.ConsumeResponse's record fields, with their numbers
// from its descriptor, so that they follow the .proto file.
var (
	consumeResponseFields = (&api.ConsumeResponse{}).ProtoReflect().Descriptor().Fields()
	recordTag             = bytesTag(consumeResponseFields.ByName("record").Number())
	recordsTag            = bytesTag(consumeResponseFields.ByName("records").Number())
)

// bytesTag returns the encoded tag of field, of wire type bytes.
func bytesTag(field protoreflect.FieldNumber) []byte {
	return protowire.AppendTag(nil, field, protowire.BytesType)
}

// reset empties res for the next message.
func (res *encodedResponse) reset() { res.encoded = res.encoded[:0] }
