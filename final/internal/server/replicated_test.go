package server

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// replicatedLog is a real log that also grows behind the server's back, as
// a Raft follower's does, and says so through NextAppend, as
// internal/log's DistributedLog does.
type replicatedLog struct {
	*log.Log
	mu       sync.Mutex    // guards appended
	appended chan struct{} // closed and replaced by each replicate
}

// NextAppend implements appendNotifier.
func (l *replicatedLog) NextAppend() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appended
}

// replicate appends value the way Raft does on a follower: not through the
// server.
func (l *replicatedLog) replicate(t testing.TB, value string) {
	t.Helper()
	_, err := l.Log.Append(&api.Record{Value: []byte(value)})
	require.NoError(t, err)
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.appended)
	l.appended = make(chan struct{})
}

// TestConsumeStreamWakesOnReplicatedRecords checks that a stream waiting at
// the end of the log is woken by a record that did not come through the
// server, as on a Raft follower.
func TestConsumeStreamWakesOnReplicatedRecords(t *testing.T) {
	l := &replicatedLog{Log: newLog(t), appended: make(chan struct{})}
	client := startServer(t, l).client(t)
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()
	stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
	require.NoError(t, err)
	// The handler may or may not be waiting already: either way the record
	// must reach the stream, which it cannot unless the handler waits on
	// the log's NextAppend.
	l.replicate(t, "from the leader")
	requireRecord(t, stream, "from the leader", 0)
	l.replicate(t, "and another")
	requireRecord(t, stream, "and another", 1)
}

// TestConsumeStreamBelowLowestOffset checks that a stream asked to start at
// an offset truncated away ends with OutOfRange instead of waiting forever.
func TestConsumeStreamBelowLowestOffset(t *testing.T) {
	c := log.Config{}
	c.Segment.MaxIndexBytes = 12 * 2 // two records per segment
	l, err := log.NewLog(t.TempDir(), c)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	for _, v := range []string{"a", "b", "c", "d", "e"} {
		_, err := l.Append(&api.Record{Value: []byte(v)})
		require.NoError(t, err)
	}
	require.NoError(t, l.Truncate(1)) // removes offsets 0 and 1
	lowest, err := l.LowestOffset()
	require.NoError(t, err)
	require.Equal(t, uint64(2), lowest)

	client := startServer(t, l).client(t)
	ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
	defer cancel()
	stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.Equal(t, codes.OutOfRange.String(), status.Code(err).String(),
		"a stream from an offset below the lowest one must end with OutOfRange, not wait for a record that will never come; got %v", err)

	// From the lowest offset on, the stream works.
	stream, err = client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: lowest})
	require.NoError(t, err)
	requireRecord(t, stream, "c", 2)
}
