package server

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// heapBytes returns the bytes of live heap objects, after a collection.
func heapBytes() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestUnreadStreams opens ConsumeStreams over several connections, reads
// one record from each, then stops reading, with records as big as a
// message may be. Each such stream holds about three records on the
// server; the limits must refuse the streams beyond them, at once, so that
// what all of them hold stays bounded.
func TestUnreadStreams(t *testing.T) {
	const (
		conns      = 5
		perConn    = 4 // streams each connection asks for
		limit      = 8
		limitConn  = 2
		records    = 4
		recordSize = MaxMessageBytes - 64 // room for the framing
	)
	commitLog := &countingLog{CommitLog: newLog(t)}
	srv := serve(t, &Config{CommitLog: commitLog, MaxConsumeStreams: limit, MaxConsumeStreamsPerConn: limitConn})
	producer := srv.client(t)
	value := string(make([]byte, recordSize))
	for range records {
		produce(t, producer, value)
	}
	before := heapBytes()

	var open []context.CancelFunc
	refused := 0
	for range conns {
		// A fixed 64 KiB window, so that the client side of the test holds
		// little of what the server sends and the heap shows the server.
		const window = 64 << 10
		client := srv.client(t, grpc.WithInitialWindowSize(window), grpc.WithInitialConnWindowSize(window))
		for range perConn {
			ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
			t.Cleanup(cancel)
			stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{})
			require.NoError(t, err)
			if _, err = stream.Recv(); status.Code(err) == codes.ResourceExhausted {
				refused++
				continue
			}
			require.NoError(t, err)
			open = append(open, cancel)
		}
	}
	require.Len(t, open, limit, "the server must serve %d ConsumeStreams at once, %d per connection, and refuse the rest with codes.ResourceExhausted", limit, limitConn)
	require.Equal(t, conns*perConn-limit, refused)

	// Each open stream sends its second record and blocks on its third.
	require.Eventually(t, func() bool { return commitLog.found.Load() >= 3*limit }, streamTimeout, time.Millisecond,
		"the open streams did not read ahead as far as gRPC's flow control lets them")
	grown := int64(heapBytes()) - int64(before)
	bound := int64(limit*4*MaxMessageBytes + 8<<20) // four records a stream, and 8 MiB for the rest
	t.Logf("%d unread ConsumeStreams of %d-byte records (%d refused): the heap grew by %.1f MiB, %.2f MiB a stream; bound %.0f MiB",
		limit, recordSize, refused, float64(grown)/(1<<20), float64(grown)/(1<<20)/limit, float64(bound)/(1<<20))
	require.Less(t, grown, bound, "unread ConsumeStreams hold too much of the server's memory")

	// A stream that ends gives its slot back.
	open[0]()
	client := srv.client(t)
	require.Eventually(t, func() bool {
		stream, err := client.ConsumeStream(t.Context(), &api.ConsumeRequest{})
		if err != nil {
			return false
		}
		_, err = stream.Recv()
		return err == nil
	}, streamTimeout, 10*time.Millisecond, "the slot of a stream that ended was not given back")
}
