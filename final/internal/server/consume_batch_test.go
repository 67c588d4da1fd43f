package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// recvBatch receives the next message of a stream opened with max_batch
// and returns the offsets and values of its records.
func recvBatch(t testing.TB, stream grpc.ServerStreamingClient[api.ConsumeResponse]) ([]uint64, []string) {
	t.Helper()
	res, err := stream.Recv()
	require.NoError(t, err)
	require.Nil(t, res.GetRecord(), "a stream with max_batch must fill records, not record")
	var offsets []uint64
	var values []string
	for _, record := range res.GetRecords() {
		offsets = append(offsets, record.GetOffset())
		values = append(values, string(record.GetValue()))
	}
	return offsets, values
}

func TestConsumeStreamBatches(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	for _, v := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		produce(t, client, v)
	}
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()

	t.Run("what is there goes in messages of up to max_batch records", func(t *testing.T) {
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 1, MaxBatch: 4})
		require.NoError(t, err)
		offsets, values := recvBatch(t, stream)
		require.Equal(t, []uint64{1, 2, 3, 4}, offsets)
		require.Equal(t, []string{"b", "c", "d", "e"}, values)
		offsets, _ = recvBatch(t, stream)
		require.Equal(t, []uint64{5, 6, 7, 8}, offsets)
		offsets, _ = recvBatch(t, stream)
		require.Equal(t, []uint64{9}, offsets, "the last message carries what is left, without waiting for more")

		// At the end of the log, the stream waits and sends what comes.
		produce(t, client, "k")
		offsets, values = recvBatch(t, stream)
		require.Equal(t, []uint64{10}, offsets)
		require.Equal(t, []string{"k"}, values)
	})
	t.Run("without max_batch every message carries one record in record", func(t *testing.T) {
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 8})
		require.NoError(t, err)
		requireRecord(t, stream, "i", 8)
		requireRecord(t, stream, "j", 9)
	})
	t.Run("the server caps max_batch", func(t *testing.T) {
		for range MaxStreamBatchRecords {
			produce(t, client, "x")
		}
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0, MaxBatch: 1 << 31})
		require.NoError(t, err)
		offsets, _ := recvBatch(t, stream)
		require.Len(t, offsets, MaxStreamBatchRecords)
	})
}

func TestConsumeStreamBatchBytes(t *testing.T) {
	client := startServer(t, newLog(t)).client(t)
	// Each record is 40% of the bound: the third takes a message past it.
	value := strings.Repeat("x", MaxStreamBatchBytes*4/10)
	for range 5 {
		produce(t, client, value)
	}
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()
	stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{MaxBatch: MaxStreamBatchRecords})
	require.NoError(t, err)
	offsets, _ := recvBatch(t, stream)
	require.Equal(t, []uint64{0, 1, 2}, offsets, "a message ends with the record that reaches MaxStreamBatchBytes")
	offsets, _ = recvBatch(t, stream)
	require.Equal(t, []uint64{3, 4}, offsets)
}

// TestSlowBatchConsumer is TestSlowConsumer with batched messages: a
// client that reads nothing must not make the server read the log far
// ahead of it, however large the batches it asks for.
func TestSlowBatchConsumer(t *testing.T) {
	commitLog := &countingLog{CommitLog: newLog(t)}
	srv := startServer(t, commitLog)
	producer := srv.client(t)
	const window = 64 << 10 // see TestSlowConsumer
	consumer := srv.client(t, grpc.WithInitialWindowSize(window), grpc.WithInitialConnWindowSize(window))
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()

	produce(t, producer, "first")
	stream, err := consumer.ConsumeStream(ctx, &api.ConsumeRequest{MaxBatch: MaxStreamBatchRecords})
	require.NoError(t, err)
	offsets, _ := recvBatch(t, stream)
	require.Equal(t, []uint64{0}, offsets)

	// 1,024 records of 16 KiB (16 MiB) that the consumer does not read yet.
	const records = 1024
	value := strings.Repeat("x", 16<<10)
	for range records {
		produce(t, producer, value)
	}
	// A message holds MaxStreamBatchBytes, 16 records. The server may have
	// about three messages under way: one in the window and buffers, one
	// blocked in Send, one being read. 96 records (1.5 MiB) is above that
	// and far below 1,025.
	const bound = 96
	boundedRead := func(when string) {
		t.Helper()
		require.Never(t, func() bool { return commitLog.found.Load() > bound }, time.Second, 10*time.Millisecond,
			"%s, the server read more than %d records ahead of a client that reads nothing: read only the records of the message it sends next, within MaxStreamBatchRecords and MaxStreamBatchBytes", when, bound)
		t.Logf("%s, the server read %d of %d records", when, commitLog.found.Load(), records+1)
	}
	boundedRead("while the client read none")
	// Once the client takes a message, every record is there to read at
	// once: the next message must still be one batch, not the whole log.
	offsets, _ = recvBatch(t, stream)
	next := offsets[len(offsets)-1] + 1
	boundedRead("after the client read one message")

	for next <= records {
		offsets, _ := recvBatch(t, stream)
		require.Equal(t, next, offsets[0], "the messages must follow on from each other")
		next += uint64(len(offsets))
	}
}
