package loadbalance

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/balancer/base"
	"google.golang.org/grpc/codes"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Short names for the methods whose calls the tests count.
const (
	produce       = api.Log_Produce_FullMethodName
	produceStream = api.Log_ProduceStream_FullMethodName
	consume       = api.Log_Consume_FullMethodName
	consumeStream = api.Log_ConsumeStream_FullMethodName
	getServers    = api.Log_GetServers_FullMethodName
	healthCheck   = "/grpc.health.v1.Health/Check"
)

func produceRecord(t *testing.T, client api.LogClient, value string) {
	t.Helper()
	_, err := client.Produce(callContext(t), &api.ProduceRequest{Record: &api.Record{Value: []byte(value)}})
	require.NoError(t, err, "Produce through the proglog balancer")
}

// consumeFirst reads offset 0 and returns its value: the name of the
// server that answered.
func consumeFirst(t *testing.T, client api.LogClient) string {
	t.Helper()
	res, err := client.Consume(callContext(t), &api.ConsumeRequest{Offset: 0})
	require.NoError(t, err, "Consume through the proglog balancer")
	return string(res.GetRecord().GetValue())
}

// waitForFollowers consumes until every follower of c, every server but
// the leader, has served a consume: then the client is connected to all.
func waitForFollowers(t *testing.T, c *testCluster, client api.LogClient) {
	t.Helper()
	var counts []int
	reached := func() bool {
		consumeFirst(t, client)
		counts = c.countsOf(consume)
		for i, n := range counts {
			if i != c.leaderIndex() && n == 0 {
				return false
			}
		}
		return true
	}
	require.True(t, waitFor(reached), "Consume and ConsumeStream must go to the followers in turn: consumes per server %v", counts)
}

// TestPickerRoutesCalls counts, on each server of a 3-server cluster, the
// calls that a client connected through the proglog balancer makes.
func TestPickerRoutesCalls(t *testing.T) {
	c := startCluster(t, 3)
	conn := dial(t, c, 0)
	client := api.NewLogClient(conn)
	produceRecord(t, client, "the leader is ready")
	waitForFollowers(t, c, client)
	c.resetCounts()

	for range 4 {
		produceRecord(t, client, "to the leader")
	}
	stream, err := client.ProduceStream(callContext(t))
	require.NoError(t, err)
	for range 2 {
		require.NoError(t, stream.Send(&api.ProduceRequest{Record: &api.Record{Value: []byte("to the leader too")}}))
		_, err := stream.Recv()
		require.NoError(t, err)
	}
	require.NoError(t, stream.CloseSend())
	require.Equal(t, []int{4, 0, 0}, c.countsOf(produce), "Produce and ProduceStream must go to the leader, server 0: Produce calls per server")
	require.Equal(t, []int{1, 0, 0}, c.countsOf(produceStream), "Produce and ProduceStream must go to the leader, server 0: ProduceStream calls per server")

	answered := map[string]int{}
	for range 10 {
		answered[consumeFirst(t, client)]++
	}
	for range 2 {
		ctx, cancel := context.WithCancel(callContext(t))
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
		require.NoError(t, err)
		res, err := stream.Recv()
		require.NoError(t, err)
		answered[string(res.GetRecord().GetValue())]++
		cancel()
	}
	require.Equal(t, []int{0, 5, 5}, c.countsOf(consume), "Consume and ConsumeStream must go to the followers in turn: Consume calls per server")
	require.Equal(t, []int{0, 1, 1}, c.countsOf(consumeStream), "Consume and ConsumeStream must go to the followers in turn: ConsumeStream calls per server")
	require.Equal(t, map[string]int{"server 1": 6, "server 2": 6}, answered, "the records read must come from the followers' logs")

	// Methods that are neither produces nor consumes reach some server,
	// instead of waiting for one that is never picked.
	for range 3 {
		_, err := client.GetServers(callContext(t), &api.GetServersRequest{})
		require.NoError(t, err, "GetServers and health checks must reach a server instead of waiting")
		_, err = healthgrpc.NewHealthClient(conn).Check(callContext(t), &healthgrpc.HealthCheckRequest{})
		require.NoError(t, err, "GetServers and health checks must reach a server instead of waiting")
	}
	// The resolver's own GetServers calls are counted too.
	require.GreaterOrEqual(t, sum(c.countsOf(getServers)), 3, "every GetServers call must reach a server")
	require.Equal(t, 3, sum(c.countsOf(healthCheck)), "every health check must reach a server")
	for i, s := range c.servers {
		t.Logf("server %d took %v", i, s.counts())
	}
}

func sum(counts []int) int {
	total := 0
	for _, n := range counts {
		total += n
	}
	return total
}

// TestPickerWithoutFollowers sends consumes to a cluster of one: they go
// to the leader, the only server there is.
func TestPickerWithoutFollowers(t *testing.T) {
	c := startCluster(t, 1)
	client := api.NewLogClient(dial(t, c, 0))
	for range 3 {
		require.Equal(t, "server 0", consumeFirst(t, client), "with no followers, consumes must go to the leader")
	}
	produceRecord(t, client, "to the leader")
	require.Equal(t, []int{3}, c.countsOf(consume), "with no followers, consumes must go to the leader")
	require.Equal(t, []int{1}, c.countsOf(produce))
}

// TestPickerWithoutReadyServers asks a picker built from no ready server:
// every call must wait for the next picker, not fail.
func TestPickerWithoutReadyServers(t *testing.T) {
	picker := (&Picker{}).Build(base.PickerBuildInfo{ReadySCs: map[balancer.SubConn]base.SubConnInfo{}})
	for _, method := range []string{produce, produceStream, consume, consumeStream, getServers, healthCheck} {
		_, err := picker.Pick(balancer.PickInfo{FullMethodName: method, Ctx: t.Context()})
		require.ErrorIs(t, err, balancer.ErrNoSubConnAvailable, "with no ready server, Pick(%s) must return ErrNoSubConnAvailable", method)
	}
}

// TestPickerFollowsLeaderChange moves the leadership from server 0 to
// server 1 while both stay up, and cuts the client's connections to server
// 0 as a server that steps down would: gRPC asks the resolver again, and
// the next picker must send produces to server 1 only.
func TestPickerFollowsLeaderChange(t *testing.T) {
	c := startCluster(t, 3)
	client := api.NewLogClient(dial(t, c, 0))
	produceRecord(t, client, "to server 0")
	require.Equal(t, []int{1, 0, 0}, c.countsOf(produce), "Produce must go to the leader, server 0")

	c.setLeader(1)
	c.servers[0].ln.dropConns()
	// A produce may meet the cut connection (Unavailable) before the new
	// picker is there; it must reach server 1 soon after.
	reached := func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), converge/10)
		defer cancel()
		_, err := client.Produce(ctx, &api.ProduceRequest{Record: &api.Record{Value: []byte("to the new leader")}})
		if err != nil {
			require.Contains(t, []codes.Code{codes.Unavailable, codes.DeadlineExceeded}, status.Code(err), "%v", err)
			return false
		}
		return c.countsOf(produce)[1] > 0
	}
	require.True(t, waitFor(reached), "after a leader change, produces must go to the new leader: Produce calls per server %v", c.countsOf(produce))
	c.resetCounts()
	for range 5 {
		produceRecord(t, client, "to server 1")
	}
	require.Equal(t, []int{0, 5, 0}, c.countsOf(produce), "after a leader change, produces must go to the new leader, server 1, and none to the old one")
}

// TestConnectionsShareNothing holds two client connections through the
// balancer at once, to two clusters, as one process may: each one's calls
// reach its own cluster only.
func TestConnectionsShareNothing(t *testing.T) {
	a, b := startCluster(t, 2), startCluster(t, 2)
	b.setLeader(1)
	clientA, clientB := api.NewLogClient(dial(t, a, 0)), api.NewLogClient(dial(t, b, 0))
	for range 3 {
		produceRecord(t, clientA, "to A")
		produceRecord(t, clientB, "to B")
	}
	require.Equal(t, []int{3, 0}, a.countsOf(produce), "each client connection must have its own resolver and picker: produces to A's leader, server 0")
	require.Equal(t, []int{0, 3}, b.countsOf(produce), "each client connection must have its own resolver and picker: produces to B's leader, server 1")
}

// TestPickerSendsLeaderReadsToTheLeader checks the calls that only the
// leader can answer and whose request the picker cannot see: ProduceBatch,
// and reads marked with ReadHeader. The test's servers hold plain logs,
// which refuse both (Unimplemented); what counts is where they went.
func TestPickerSendsLeaderReadsToTheLeader(t *testing.T) {
	c := startCluster(t, 3)
	client := api.NewLogClient(dial(t, c, 0))
	produceRecord(t, client, "the leader is ready")
	waitForFollowers(t, c, client)
	c.resetCounts()

	for range 3 {
		_, err := client.ProduceBatch(callContext(t), &api.ProduceBatchRequest{Records: []*api.Record{{Value: []byte("x")}}})
		require.Equal(t, codes.Unimplemented.String(), status.Code(err).String(), "got %v", err)
	}
	require.Equal(t, []int{3, 0, 0}, c.countsOf(api.Log_ProduceBatch_FullMethodName), "ProduceBatch must go to the leader, server 0")

	leaderRead := metadata.AppendToOutgoingContext(callContext(t), ReadHeader, ReadFromLeader)
	for range 4 {
		_, err := client.Consume(leaderRead, &api.ConsumeRequest{Offset: 0, Linearizable: true})
		require.Equal(t, codes.Unimplemented.String(), status.Code(err).String(), "got %v", err)
	}
	stream, err := client.ConsumeStream(leaderRead, &api.ConsumeRequest{Offset: 0})
	require.NoError(t, err)
	res, err := stream.Recv()
	require.NoError(t, err)
	require.Equal(t, "server 0", string(res.GetRecord().GetValue()), "a stream marked with ReadHeader must read the leader's log")
	require.Equal(t, []int{4, 0, 0}, c.countsOf(consume), "a Consume marked with ReadHeader must go to the leader")
	require.Equal(t, []int{1, 0, 0}, c.countsOf(consumeStream), "a ConsumeStream marked with ReadHeader must go to the leader")

	for range 2 {
		consumeFirst(t, client)
	}
	require.Equal(t, []int{4, 1, 1}, c.countsOf(consume), "reads without the header still go to the followers")
}
