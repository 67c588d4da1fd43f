package server

import (
	"math/bits"

	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// codec is the server's gRPC codec: gRPC's own protobuf codec, which
// encodes and decodes every message, except the ConsumeStream messages
// the server has encoded itself ([encodedResponse]), whose bytes it sends
// as they are. NewGRPCServer installs it with grpc.ForceServerCodecV2,
// after the caller's options, so that a codec of the caller's cannot
// replace it (ConsumeStream would then fail at its first message); it has
// the name of the codec it wraps, "proto", so clients see no change.
type codec struct{ encoding.CodecV2 }

// newCodec returns the server's codec around gRPC's protobuf codec.
func newCodec() codec { return codec{encoding.GetCodecV2(protocodec.Name)} }

// Marshal implements encoding.CodecV2. An encodedResponse's bytes are
// copied into a buffer of the response's own pool, as gRPC's codec
// marshals a message into a buffer of gRPC's pool: gRPC writes the buffer
// to the connection after SendMsg has returned and then puts it back,
// while the stream that sent the message reuses its own bytes for the
// next one.
func (c codec) Marshal(v any) (mem.BufferSlice, error) {
	res, ok := v.(*encodedResponse)
	if !ok {
		return c.CodecV2.Marshal(v)
	}
	if mem.IsBelowBufferPoolingThreshold(len(res.encoded)) {
		return mem.BufferSlice{mem.SliceBuffer(append([]byte(nil), res.encoded...))}, nil
	}
	buf := res.buffers.Get(len(res.encoded))
	copy(*buf, res.encoded)
	return mem.BufferSlice{mem.NewBuffer(buf, res.buffers)}, nil
}

// streamBuffers is a mem.BufferPool for the messages of one stream: gRPC
// puts a buffer back once it has written it, and one of the stream's next
// messages takes it again. It keeps at most two, which is what a stream
// has in flight while gRPC writes one message and the stream makes the
// next; more go to the garbage collector, as all do when the stream ends.
// gRPC's default pool would do, but it clears the whole of a buffer it
// hands out, of one of few sizes (1 MiB to send a message of 70 KB), and
// a garbage collection empties it; Marshal overwrites every byte it asks
// for and gRPC reads no further, so these are handed out as they come
// back.
type streamBuffers chan *[]byte

// newStreamBuffers returns an empty pool.
func newStreamBuffers() streamBuffers { return make(streamBuffers, 2) }

// Get implements mem.BufferPool.
func (p streamBuffers) Get(length int) *[]byte {
	select {
	case buf := <-p:
		if cap(*buf) >= length {
			*buf = (*buf)[:length]
			return buf
		}
		// Too small: left to the garbage collector.
	default:
	}
	// A capacity rounded up to a power of two fits the next messages of
	// about the same size.
	buf := make([]byte, length, 1<<bits.Len(uint(max(length, 1)-1)))
	return &buf
}

// Put implements mem.BufferPool.
func (p streamBuffers) Put(buf *[]byte) {
	select {
	case p <- buf:
	default:
	}
}
