package client_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/client"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// consumeEventually reads offset through cl until a follower holds it:
// followers may lag behind the leader, and say OutOfRange meanwhile.
func consumeEventually(t *testing.T, cl *client.Client, offset uint64) *api.Record {
	t.Helper()
	var record *api.Record
	var lastErr error
	require.Eventually(t, func() bool {
		record, lastErr = cl.Consume(t.Context(), offset)
		if status.Code(lastErr) == codes.OutOfRange {
			return false
		}
		require.NoError(t, lastErr, "consume offset %d", offset)
		return true
	}, converge, 10*time.Millisecond, "no server gave offset %d; last error: %v", offset, lastErr)
	return record
}

func TestNewRefusesBadConfig(t *testing.T) {
	_, err := client.New(t.Context(), client.Config{Addr: "127.0.0.1:1"})
	require.ErrorContains(t, err, "Config.TLS")
	_, err = client.New(t.Context(), client.Config{})
	require.ErrorContains(t, err, "Config.Addr")
}

func TestNewGivesUpOnAnAddressThatLeadsNowhere(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	start := time.Now()
	// Port 1 on 127.0.0.1 refuses connections: gRPC reports Unavailable,
	// which New tries again until RetryTimeout.
	_, err = client.New(t.Context(), client.Config{Addr: "127.0.0.1:1", TLS: rootTLS(t, certs), RetryTimeout: 200 * time.Millisecond})
	require.Equal(t, codes.Unavailable.String(), status.Code(err).String(), "got %v", err)
	require.Less(t, time.Since(start), converge, "New must give up after RetryTimeout")
}

func TestProduceBatchConsume(t *testing.T) {
	c := startCluster(t, 3)
	cl := c.newClient(t, 1) // through a follower: the client finds the leader
	waitForServers(t, cl, 3)

	off, err := cl.Produce(t.Context(), []byte("first"))
	require.NoError(t, err)
	require.Equal(t, uint64(0), off)
	batch := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	offsets, err := cl.ProduceBatch(t.Context(), batch)
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2, 3}, offsets, "a batch is appended in order, right after what came before")

	for i, want := range []string{"first", "a", "b", "c"} {
		record := consumeEventually(t, cl, uint64(i))
		require.Equal(t, want, string(record.GetValue()))
		require.Equal(t, uint64(i), record.GetOffset())
	}
	_, err = cl.Consume(t.Context(), 1000)
	require.Equal(t, codes.OutOfRange.String(), status.Code(err).String(), "an offset past the end is OutOfRange, at once; got %v", err)
}

func TestFollowWaitsForNewRecords(t *testing.T) {
	c := startCluster(t, 3)
	cl := c.newClient(t, 0)
	waitForServers(t, cl, 3)
	_, err := cl.Produce(t.Context(), []byte("before"))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), converge)
	defer cancel()
	var got []string
	for record, err := range cl.Follow(ctx, 0) {
		require.NoError(t, err)
		require.Equal(t, uint64(len(got)), record.GetOffset(), "Follow yields the records in order, none skipped")
		got = append(got, string(record.GetValue()))
		if len(got) == 3 {
			break // closes the stream; goleak checks it
		}
		// Produce the next one only now: Follow must wait for it at the
		// end of the log rather than stop.
		_, err := cl.Produce(t.Context(), []byte(fmt.Sprint("after ", len(got))))
		require.NoError(t, err)
	}
	require.Equal(t, []string{"before", "after 1", "after 2"}, got)
}

func TestFollowEndsWithTheContext(t *testing.T) {
	c := startCluster(t, 1)
	cl := c.newClient(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var errs []error
	for record, err := range cl.Follow(ctx, 0) {
		require.Nil(t, record)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1, "Follow yields one error and stops")
	require.ErrorIs(t, errs[0], context.Canceled)
}

// TestProduceAcrossLeaderChange produces through a client while the
// leader shuts down. The client rides the change out by itself: every
// produce succeeds, the offsets are dense, and the new leader and the
// other follower hold every acknowledged record once.
func TestProduceAcrossLeaderChange(t *testing.T) {
	c := startCluster(t, 3)
	cl := c.newClient(t, 0)
	waitForServers(t, cl, 3)

	var acked []string
	produce := func(from, to int) {
		for i := from; i < to; i++ {
			v := fmt.Sprint("record ", i)
			off, err := cl.Produce(t.Context(), []byte(v))
			require.NoError(t, err, "the client must ride out the leader change")
			require.Equal(t, uint64(len(acked)), off, "%q must come right after the records acknowledged before it", v)
			acked = append(acked, v)
		}
	}
	produce(0, 10)
	shutdown := make(chan error, 1)
	go func() { shutdown <- c.agents[0].Shutdown() }()
	produce(10, 20)
	require.NoError(t, <-shutdown)
	produce(20, 30)
	offsets, err := cl.ProduceBatch(t.Context(), [][]byte{[]byte("record 30"), []byte("record 31")})
	require.NoError(t, err)
	require.Equal(t, []uint64{30, 31}, offsets)
	acked = append(acked, "record 30", "record 31")

	for i, v := range acked {
		require.Equal(t, v, string(consumeEventually(t, cl, uint64(i)).GetValue()), "offset %d", i)
	}
	_, err = cl.Consume(t.Context(), uint64(len(acked)))
	require.Equal(t, codes.OutOfRange.String(), status.Code(err).String(), "nothing may follow the acknowledged records; got %v", err)
}

// TestRetryAfterLeaderChangeStoresNothingTwice sends a record, stops the
// leader, and sends the same record again with the same producer ID and
// sequence, as a client does whose answer was lost: a second client with
// the first one's ProducerID numbers its first record 1 again. The new
// leader answers with the first offset and stores nothing.
func TestRetryAfterLeaderChangeStoresNothingTwice(t *testing.T) {
	c := startCluster(t, 3)
	first := c.sameProducerClient(t)
	waitForServers(t, first, 3)
	off, err := first.Produce(t.Context(), []byte("once"))
	require.NoError(t, err)
	require.Equal(t, uint64(0), off)
	c.waitForEveryServer(t, off)

	require.NoError(t, c.agents[0].Shutdown()) // the leader
	retry := c.sameProducerClient(t)
	off, err = retry.Produce(t.Context(), []byte("once"))
	require.NoError(t, err)
	require.Equal(t, uint64(0), off, "the new leader must answer a retry with the first append's offset")
	off, err = retry.Produce(t.Context(), []byte("next"))
	require.NoError(t, err)
	require.Equal(t, uint64(1), off, "the retry must not have been stored: the next record follows the first")
	require.Equal(t, "next", string(consumeEventually(t, retry, 1).GetValue()))
}

// sameProducerClient returns a new client that finds the cluster through
// agents[1] and says it is the producer "the same producer": a second one
// numbers its produces from 1 again, as the retries of the first one's.
func (c *testCluster) sameProducerClient(t *testing.T) *client.Client {
	t.Helper()
	addr, err := c.agents[1].RPCAddr()
	require.NoError(t, err)
	cl, err := client.New(t.Context(), client.Config{Addr: addr, TLS: c.rootTLS(t), RetryTimeout: converge, ProducerID: "the same producer"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, cl.Close()) })
	return cl
}
