package client_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestProduceBatchRetryAfterLeaderChangeStoresNothingTwice is
// TestRetryAfterLeaderChangeStoresNothingTwice for a batch: a second
// client with the first one's ProducerID numbers its first batch 1 again,
// as a retry of the first one's, and the new leader stores none of it
// twice.
func TestProduceBatchRetryAfterLeaderChangeStoresNothingTwice(t *testing.T) {
	c := startCluster(t, 3)
	batch := make([][]byte, 64)
	for i := range batch {
		batch[i] = fmt.Appendf(nil, "batched %d", i)
	}
	first := c.sameProducerClient(t)
	waitForServers(t, first, 3)
	offsets, err := first.ProduceBatch(t.Context(), batch)
	require.NoError(t, err)
	require.Len(t, offsets, len(batch))
	for i, off := range offsets {
		require.Equal(t, uint64(i), off, "a batch's offsets are consecutive")
	}

	c.waitForEveryServer(t, offsets[len(offsets)-1])
	require.NoError(t, c.agents[0].Shutdown()) // the leader
	retry := c.sameProducerClient(t)
	retried, err := retry.ProduceBatch(t.Context(), batch)
	require.NoError(t, err)
	require.Equal(t, offsets, retried, "the new leader must answer a retried batch with the first append's offsets")
	off, err := retry.Produce(t.Context(), []byte("next"))
	require.NoError(t, err)
	require.Equal(t, uint64(len(batch)), off, "the retried batch must not have been stored: the next record follows the first batch")
	require.Equal(t, "next", string(consumeEventually(t, retry, off).GetValue()))
}

func TestProduceBatchLimit(t *testing.T) {
	c := startCluster(t, 1)
	cl := c.newClient(t, 0)
	_, err := cl.ProduceBatch(t.Context(), make([][]byte, 1025))
	require.Equal(t, codes.InvalidArgument.String(), status.Code(err).String(), "got %v", err)
	require.Contains(t, status.Convert(err).Message(), "1024", "the error must name the limit")
}

func TestFollowReadsBatches(t *testing.T) {
	c := startCluster(t, 1)
	cl := c.newClient(t, 0)
	batch := make([][]byte, 600) // more than one message of the stream
	for i := range batch {
		batch[i] = fmt.Appendf(nil, "%d", i)
	}
	_, err := cl.ProduceBatch(t.Context(), batch)
	require.NoError(t, err)
	next := uint64(0)
	for record, err := range cl.Follow(t.Context(), 0) {
		require.NoError(t, err)
		require.Equal(t, next, record.GetOffset(), "Follow yields every record of every message, in order")
		require.Equal(t, batch[next], record.GetValue())
		if next++; next == uint64(len(batch)) {
			break
		}
	}
}
