package server

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// decodedOnly is a CommitLog that hides every optional method of the log
// it wraps, ReadBatchEncoded and ReadBatch among them: a ConsumeStream
// over it reads with Read and encodes the records itself.
type decodedOnly struct{ CommitLog }

// intactValue is the value of record off in TestConsumeStreamRecordsStayIntact:
// its own bytes, of a length that changes from one record to the next, so
// that a record that another overwrote, or that was cut at another's
// length, shows.
func intactValue(off uint64) []byte {
	return bytes.Repeat(fmt.Appendf(nil, "<%d>", off), int(off%37)+1)
}

// TestConsumeStreamRecordsStayIntact streams many full messages and keeps
// every record the client received until the end: each must still hold its
// offset and value. ConsumeStream reuses one buffer for every message it
// encodes, and the server's codec copies a message out of it before
// SendMsg returns; a buffer reused while gRPC still wrote from it would
// garble the records of an earlier message.
func TestConsumeStreamRecordsStayIntact(t *testing.T) {
	const total = 5*MaxStreamBatchRecords + 7
	for _, c := range []struct {
		name string
		wrap func(CommitLog) CommitLog
	}{
		{"records encoded by the log", func(l CommitLog) CommitLog { return l }},
		{"records encoded by the server", func(l CommitLog) CommitLog { return decodedOnly{l} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLog(t)
			for off := range uint64(total) {
				_, err := l.Append(&api.Record{Value: intactValue(off)})
				require.NoError(t, err)
			}
			client := startServer(t, c.wrap(l)).client(t)
			ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
			defer cancel()
			stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{MaxBatch: MaxStreamBatchRecords})
			require.NoError(t, err)

			var received []*api.Record
			messages := 0
			for len(received) < total {
				res, err := stream.Recv()
				require.NoError(t, err)
				require.Nil(t, res.GetRecord(), "a stream with max_batch must fill records, not record")
				received = append(received, res.GetRecords()...)
				messages++
			}
			require.Equal(t, (total+MaxStreamBatchRecords-1)/MaxStreamBatchRecords, messages, "every message but the last must be full")
			for i, record := range received {
				want := &api.Record{Value: intactValue(uint64(i)), Offset: uint64(i)}
				require.True(t, proto.Equal(want, record), "record %d: got %v", i, record)
			}
		})
	}
}

// TestEncodedResponseDecodes checks that what encodedResponse builds from
// encoded records is the ConsumeResponse a client expects, in either field.
func TestEncodedResponseDecodes(t *testing.T) {
	records := []*api.Record{
		{Value: []byte("a"), Offset: 1},
		{Value: bytes.Repeat([]byte("b"), 300), Offset: 70_000},
		{Offset: 3},
	}
	encode := func(r *api.Record) []byte {
		p, err := proto.Marshal(r)
		require.NoError(t, err)
		return p
	}
	decode := func(res *encodedResponse) *api.ConsumeResponse {
		decoded := &api.ConsumeResponse{}
		require.NoError(t, proto.Unmarshal(res.encoded, decoded))
		return decoded
	}

	res := newEncodedResponse(true)
	for _, r := range records {
		res.add(encode(r))
	}
	require.True(t, proto.Equal(&api.ConsumeResponse{Records: records}, decode(res)))
	res.reset()
	res.add(encode(records[0]))
	require.True(t, proto.Equal(&api.ConsumeResponse{Records: records[:1]}, decode(res)), "after reset, a message holds only what was added since")

	single := newEncodedResponse(false)
	single.add(encode(records[1]))
	require.True(t, proto.Equal(&api.ConsumeResponse{Record: records[1]}, decode(single)), "unbatched, the record goes in record")
}

// TestStreamBuffers checks that a stream's pool hands out buffers of the
// length asked for, reuses one put back that is large enough, uncleared,
// never hands out one too small, and keeps no more than two.
func TestStreamBuffers(t *testing.T) {
	p := newStreamBuffers()
	buf := p.Get(70_000)
	require.Len(t, *buf, 70_000)
	require.Equal(t, 1<<17, cap(*buf), "capacities are rounded up to a power of two")
	require.Len(t, *p.Get(1), 1)

	(*buf)[0] = 'x'
	p.Put(buf)
	again := p.Get(100_000)
	require.Same(t, buf, again, "a buffer put back is handed out again")
	require.Len(t, *again, 100_000)
	require.Equal(t, byte('x'), (*again)[0], "a reused buffer is not cleared")

	p.Put(again)
	bigger := p.Get(1 << 18)
	require.NotSame(t, again, bigger, "a pooled buffer too small for the length must not be handed out")
	require.Len(t, *bigger, 1<<18)

	for range 3 {
		p.Put(p.Get(10_000))
		b := make([]byte, 10_000)
		p.Put(&b)
	}
	require.Len(t, p, 2, "the pool keeps two buffers at most")
}

// TestServerCodecOutlivesACallersCodec gives NewGRPCServer a codec of its
// own, gRPC's protobuf codec, which knows nothing of the messages
// ConsumeStream encodes itself: the server's codec must still be the one
// that sends them, or the stream would fail at its first message.
func TestServerCodecOutlivesACallersCodec(t *testing.T) {
	l := newLog(t)
	const total = 3
	for off := range uint64(total) {
		_, err := l.Append(&api.Record{Value: intactValue(off)})
		require.NoError(t, err)
	}
	client := serve(t, &Config{CommitLog: l}, grpc.ForceServerCodecV2(encoding.GetCodecV2(protocodec.Name))).client(t)
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()
	stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{MaxBatch: total})
	require.NoError(t, err)
	res, err := stream.Recv()
	require.NoError(t, err, "a stream through a server given a codec of its caller's")
	require.Len(t, res.GetRecords(), total)
}
