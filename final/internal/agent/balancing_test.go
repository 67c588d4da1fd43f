package agent

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/loadbalance"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// The client's retries: it waits retryMin after the first failure, twice
// as long after each next one, never more than retryMax.
const (
	retryMin = 10 * time.Millisecond
	retryMax = 500 * time.Millisecond
)

// balancedClient returns a client of the cluster that a connects to: it
// dials "proglog:///" and a's address as root, so it finds the others with
// the package loadbalance. Its connection is closed when the test ends.
func balancedClient(t *testing.T, a *Agent, certs pki.Files) api.LogClient {
	t.Helper()
	addr, err := a.RPCAddr()
	require.NoError(t, err)
	conn, err := grpc.NewClient(loadbalance.Name+":///"+addr, grpc.WithTransportCredentials(credentials.NewTLS(rootTLS(t, certs))))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return api.NewLogClient(conn)
}

// leaderOf returns the ID of the server that GetServers through c marks
// as the leader, or "" for none.
func leaderOf(t *testing.T, c api.LogClient) (leader string, servers int) {
	t.Helper()
	res, err := c.GetServers(t.Context(), &api.GetServersRequest{})
	require.NoError(t, err, "GetServers")
	for _, srv := range res.GetServers() {
		if srv.GetIsLeader() {
			leader = srv.GetId()
		}
	}
	return leader, len(res.GetServers())
}

// retryable reports whether a produce that failed with err certainly
// appended nothing, so that trying again cannot duplicate the record:
// Unavailable (the call reached no server that could take it, or a server
// that is not the leader), except after a lost leadership, when the record
// may be in the log.
func retryable(err error) bool {
	st := status.Convert(err)
	if st.Code() != codes.Unavailable {
		return false
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == "LEADERSHIP_LOST" {
			return false
		}
	}
	return true
}

// balancedProducer produces through a balanced client, tries again where
// that is safe, and keeps what it saw.
type balancedProducer struct {
	t      *testing.T
	client api.LogClient

	acked    []string      // the values acknowledged, in offset order
	retried  int           // produces that failed and were tried again
	lastAck  time.Time     // when the last produce was acknowledged
	worstGap time.Duration // the longest time between two acknowledgements
}

// produce appends value, trying again after a retryable failure with a
// bounded backoff, until converge has passed. It checks that the offset
// is the next one: no record was lost or written twice before it.
func (p *balancedProducer) produce(value string) {
	p.t.Helper()
	deadline := time.Now().Add(converge)
	wait := retryMin
	for {
		ctx, cancel := context.WithTimeout(p.t.Context(), converge)
		res, err := p.client.Produce(ctx, &api.ProduceRequest{Record: &api.Record{Value: []byte(value)}})
		cancel()
		if err == nil {
			require.Equal(p.t, uint64(len(p.acked)), res.GetOffset(), "%q must be appended right after the records acknowledged before it", value)
			p.acked = append(p.acked, value)
			now := time.Now()
			if !p.lastAck.IsZero() {
				p.worstGap = max(p.worstGap, now.Sub(p.lastAck))
			}
			p.lastAck = now
			return
		}
		require.True(p.t, retryable(err), "producing %q failed with an error after which the record may be in the log, so it cannot be tried again: %v", value, err)
		require.True(p.t, time.Now().Before(deadline), "no leader took %q within %s; last error: %v", value, converge, err)
		p.retried++
		select {
		case <-time.After(wait):
		case <-p.t.Context().Done():
		}
		wait = min(2*wait, retryMax)
	}
}

// consume reads the record at off through a balanced client, from a
// follower that may not have it yet, until it has it, and returns its
// value.
func consumeBalanced(t *testing.T, c api.LogClient, off uint64) string {
	t.Helper()
	var value string
	var lastErr error
	read := func() bool {
		res, err := c.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
		if err != nil {
			code := status.Code(err)
			require.True(t, code == codes.OutOfRange || code == codes.Unavailable, "consume offset %d: %v", off, err)
			lastErr = err
			return false
		}
		value = string(res.GetRecord().GetValue())
		return true
	}
	require.True(t, eventually(read), "no server gave offset %d; last error: %v", off, lastErr)
	return value
}

// TestClientKeepsWorkingAcrossLeaderChange produces and consumes through a
// client dialled with "proglog:///" and the leader's address while that
// leader shuts down and another is elected. The client finds the new
// leader by itself; it tries again only where nothing can have been
// appended, so every acknowledged record is in the log once, at the
// offset it was acknowledged with.
func TestClientKeepsWorkingAcrossLeaderChange(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, true)

	// Straight to the leader first: GetServers must work before a
	// resolver can use it.
	direct := client(t, agents[0], certs)
	_, err = direct.GetServers(t.Context(), &api.GetServersRequest{})
	require.NoError(t, err, "GetServers on the leader")
	var leader string
	var servers int
	require.True(t, eventually(func() bool {
		leader, servers = leaderOf(t, direct)
		return leader == "0" && servers == 3
	}), "GetServers must list the 3 agents with agent 0 as the leader; got %d servers, leader %q", servers, leader)

	c := balancedClient(t, agents[0], certs)
	p := &balancedProducer{t: t, client: c}
	produceAndConsume := func(from, to int) {
		for i := from; i < to; i++ {
			p.produce(fmt.Sprintf("record %d", i))
			off := uint64(len(p.acked) - 1)
			require.Equal(t, p.acked[off], consumeBalanced(t, c, off), "consume offset %d", off)
		}
	}
	produceAndConsume(0, 10)

	// The leader shuts down while the client goes on.
	start := time.Now()
	shutdown := make(chan error, 1)
	go func() { shutdown <- agents[0].Shutdown() }()
	produceAndConsume(10, 20)
	require.NoError(t, <-shutdown)
	produceAndConsume(20, 30)
	t.Logf("leader change: %d produces failed and were tried again; the longest wait between two acknowledged produces was %s; 30 produces took %s from the leader's Shutdown",
		p.retried, p.worstGap.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	leader, servers = leaderOf(t, c)
	require.True(t, slices.Contains([]string{"1", "2"}, leader), "after agent 0 shut down, one of the others must lead; GetServers says %q", leader)
	t.Logf("after the change GetServers lists %d servers, leader %s", servers, leader)
	for i, a := range agents[1:] {
		requireRecords(t, client(t, a, certs), p.acked, "agent %d must hold every acknowledged record once, in the order acknowledged", i+1)
	}
	requireRecords(t, c, p.acked, "the balanced client must read back every acknowledged record once, in the order acknowledged")
}
