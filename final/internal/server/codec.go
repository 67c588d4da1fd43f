package server

import (
	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// codec is the server's gRPC codec: gRPC's own protobuf codec, which
// encodes and decodes every message, except the ConsumeStream messages
// the server has encoded itself ([encodedResponse]), whose bytes it sends
// as they are. NewGRPCServer installs it with grpc.ForceServerCodecV2; it
// has the name of the codec it wraps, "proto", so clients see no change.
type codec struct{ encoding.CodecV2 }

// newCodec returns the server's codec around gRPC's protobuf codec.
func newCodec() codec { return codec{encoding.GetCodecV2(protocodec.Name)} }

// Marshal implements encoding.CodecV2. An encodedResponse's bytes are
// copied into a buffer of gRPC's pool, as gRPC's codec marshals a message
// into one: gRPC writes the buffer to the connection after SendMsg has
// returned and then puts it back, while the stream that sent the message
// reuses its own bytes for the next one.
func (c codec) Marshal(v any) (mem.BufferSlice, error) {
	res, ok := v.(*encodedResponse)
	if !ok {
		return c.CodecV2.Marshal(v)
	}
	if mem.IsBelowBufferPoolingThreshold(len(res.encoded)) {
		return mem.BufferSlice{mem.SliceBuffer(append([]byte(nil), res.encoded...))}, nil
	}
	pool := mem.DefaultBufferPool()
	buf := pool.Get(len(res.encoded))
	copy(*buf, res.encoded)
	return mem.BufferSlice{mem.NewBuffer(buf, pool)}, nil
}

// encodedResponse is an api.ConsumeResponse in its wire format, built from
// records that are already encoded, as the log stores them (see
// [EncodedBatchReader]): a record field of a message is its tag, its
// length and the record's encoding, so the server writes the log's bytes
// into the message and nothing decodes or encodes the records. A client
// decodes it as any ConsumeResponse. A ConsumeStream keeps one and reuses
// its memory for every message it sends.
type encodedResponse struct {
	encoded []byte
}

// The numbers of api.ConsumeResponse's fields, from its descriptor, so
// that they follow the .proto file.
var (
	consumeResponseFields = (&api.ConsumeResponse{}).ProtoReflect().Descriptor().Fields()
	recordField           = consumeResponseFields.ByName("record").Number()
	recordsField          = consumeResponseFields.ByName("records").Number()
)

// reset empties res for the next message.
func (res *encodedResponse) reset() { res.encoded = res.encoded[:0] }

// addRecords appends the encoded record to res's records.
func (res *encodedResponse) addRecords(record []byte) { res.add(recordsField, record) }

// addRecord sets res's record to the encoded record. A message takes one:
// a second would merge into the first when decoded.
func (res *encodedResponse) addRecord(record []byte) { res.add(recordField, record) }

// add appends the encoded record to res as field.
func (res *encodedResponse) add(field protoreflect.FieldNumber, record []byte) {
	res.encoded = protowire.AppendTag(res.encoded, field, protowire.BytesType)
	res.encoded = protowire.AppendBytes(res.encoded, record)
}
