package server

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// flood is how many calls the tests below open on one connection: ten
// times MaxConcurrentStreams.
const flood = 1000

// heapInUse returns the bytes of the heap's spans in use, after a
// collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// rootConn returns a connection to s as root that the test closes itself.
func rootConn(t *testing.T, s *testServer) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(s.tlsAs(t, s.certs.RootClientCertFile, s.certs.RootClientKeyFile)))
	require.NoError(t, err)
	return conn
}

// TestThousandConsumeStreamsOnOneConnection opens 1,000 ConsumeStreams at
// once on one connection. The server must serve as many as its tighter
// limit allows and refuse the rest with ResourceExhausted, with memory and
// goroutines bounded by the streams it serves, and release everything
// when the client closes its connection.
func TestThousandConsumeStreamsOnOneConnection(t *testing.T) {
	tests := []struct {
		name             string
		limit, limitConn int
		wantOpen         int
		refusedBecauseOf string
	}{
		{"the limit per connection holds", flood, 8, 8, "MaxConsumeStreamsPerConn"},
		{"the limit of the server holds", 32, flood, 32, "MaxConsumeStreams"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, &Config{CommitLog: newLog(t), MaxConsumeStreams: tt.limit, MaxConsumeStreamsPerConn: tt.limitConn})
			produce(t, srv.client(t), "the only record")
			goroutines, heap := runtime.NumGoroutine(), heapInUse()

			conn := rootConn(t, srv)
			client := api.NewLogClient(conn)
			var open, refused atomic.Int64
			var calls sync.WaitGroup
			for range flood {
				calls.Go(func() {
					stream, err := client.ConsumeStream(t.Context(), &api.ConsumeRequest{})
					if err == nil {
						_, err = stream.Recv()
					}
					if status.Code(err) == codes.ResourceExhausted {
						refused.Add(1)
						return
					}
					if err != nil {
						return // counted as neither: the assertions below fail
					}
					open.Add(1)
					_, _ = stream.Recv() // waits at the end of the log until the connection closes
				})
			}
			require.Eventually(t, func() bool { return open.Load()+refused.Load() == flood }, streamTimeout, 10*time.Millisecond,
				"%d streams open and %d refused of %d", open.Load(), refused.Load(), flood)
			require.Equal(t, int64(tt.wantOpen), open.Load(), "the server must serve %d streams: %s", tt.wantOpen, tt.refusedBecauseOf)

			grownGoroutines := runtime.NumGoroutine() - goroutines
			grownHeap := int64(heapInUse()) - int64(heap)
			t.Logf("%d ConsumeStreams asked, %d served: %d more goroutines (client and server), the heap grew by %.2f MiB",
				flood, tt.wantOpen, grownGoroutines, float64(grownHeap)/(1<<20))
			// A served stream costs a handful of goroutines on both sides
			// (the test's, the client's, the server's handler); the
			// connection a few dozen.
			require.Less(t, grownGoroutines, 8*tt.wantOpen+50, "the refused streams left goroutines behind")
			require.Less(t, grownHeap, int64(16<<20), "1,000 streams on one connection take too much memory")

			require.NoError(t, conn.Close())
			calls.Wait()
			requireGoroutinesBack(t, goroutines, "the streams of a closed connection left goroutines behind")
			// The slots were given back: a new connection gets as many.
			again := srv.client(t)
			for i := range tt.wantOpen {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				stream, err := again.ConsumeStream(ctx, &api.ConsumeRequest{})
				require.NoError(t, err)
				_, err = stream.Recv()
				require.NoError(t, err, "stream %d: the closed connection's slots were not given back", i)
			}
		})
	}
}

// blockingLog holds every Append until release is closed, and counts the
// Appends in progress: the handlers the server runs at once.
type blockingLog struct {
	CommitLog
	release        chan struct{}
	inFlight, peak atomic.Int64
}

// Append implements CommitLog.
func (l *blockingLog) Append(record *api.Record) (uint64, error) {
	n := l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	for peak := l.peak.Load(); n > peak && !l.peak.CompareAndSwap(peak, n); peak = l.peak.Load() {
	}
	<-l.release
	return l.CommitLog.Append(record)
}

// TestThousandUnaryCallsOnOneConnection sends 1,000 produces at once on
// one connection, each held by the log: the server must run no more than
// MaxConcurrentStreams of them at once, the client queueing the rest, and
// all must succeed once the log lets them through.
func TestThousandUnaryCallsOnOneConnection(t *testing.T) {
	commitLog := &blockingLog{CommitLog: newLog(t), release: make(chan struct{})}
	srv := serve(t, &Config{CommitLog: commitLog})
	goroutines, heap := runtime.NumGoroutine(), heapInUse()
	conn := rootConn(t, srv)
	client := api.NewLogClient(conn)

	var done atomic.Int64
	errs := make(chan error, flood)
	var calls sync.WaitGroup
	for range flood {
		calls.Go(func() {
			_, err := client.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("queued")}})
			if err != nil {
				errs <- err
			}
			done.Add(1)
		})
	}
	require.Eventually(t, func() bool { return commitLog.inFlight.Load() == MaxConcurrentStreams }, streamTimeout, 10*time.Millisecond,
		"%d calls reached the log; MaxConcurrentStreams is %d", commitLog.inFlight.Load(), MaxConcurrentStreams)
	grownGoroutines := runtime.NumGoroutine() - goroutines
	grownHeap := int64(heapInUse()) - int64(heap)
	t.Logf("%d produces in flight, %d in the server: %d more goroutines (%d of them the test's callers), the heap grew by %.2f MiB",
		flood, MaxConcurrentStreams, grownGoroutines, flood, float64(grownHeap)/(1<<20))
	require.Less(t, grownGoroutines, flood+4*MaxConcurrentStreams+50, "the queued calls cost the server goroutines")
	require.Less(t, grownHeap, int64(16<<20), "1,000 calls on one connection take too much memory")

	close(commitLog.release)
	calls.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(flood), done.Load())
	require.Equal(t, int64(MaxConcurrentStreams), commitLog.peak.Load(), "the server must run at most MaxConcurrentStreams calls of one connection at once")
	require.NoError(t, conn.Close())
	requireGoroutinesBack(t, goroutines, "the calls of a closed connection left goroutines behind")
}

// TestRapidStreamResetLeaksNothing opens ConsumeStreams and cancels them
// at once, some before the server has answered, some after the first
// record, over and over on one connection: the server must give every
// slot back and keep no goroutine.
func TestRapidStreamResetLeaksNothing(t *testing.T) {
	const (
		resets    = 1000
		limitConn = 8
	)
	srv := serve(t, &Config{CommitLog: newLog(t), MaxConsumeStreamsPerConn: limitConn})
	client := srv.client(t)
	produce(t, client, "the only record")
	goroutines := runtime.NumGoroutine()

	for i := range resets {
		ctx, cancel := context.WithCancel(t.Context())
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{})
		require.NoError(t, err)
		if i%2 == 1 {
			_, err = stream.Recv()
			require.NoError(t, err, "reset %d", i)
		}
		cancel()
	}
	requireGoroutinesBack(t, goroutines, "reset streams left goroutines behind")
	for i := range limitConn {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{})
		require.NoError(t, err)
		_, err = stream.Recv()
		require.NoError(t, err, "stream %d: reset streams kept their slots", i)
	}
}
