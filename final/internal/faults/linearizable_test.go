//go:build unix

package faults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/client"
)

// The sizes of the linearizability run: the queue workload, and
// linearizable readers beside it.
var (
	ciLinearizable   = battery{runs: []batteryRun{{3, 30 * time.Second}}, minAcked: 1000, readers: 2}
	longLinearizable = battery{runs: []batteryRun{{3, 60 * time.Second}, {5, 60 * time.Second}}, minAcked: 5000, readers: 2}
)

// TestLinearizableReadsUnderFaults runs the queue workload with readers
// that read with client.Linearizable while the nemesis kills, pauses and,
// where the machine can make network namespaces, partitions the cluster;
// then it checks the history with Check and, with porcupine, that every
// produce and linearizable read is linearizable against the log model.
func TestLinearizableReadsUnderFaults(t *testing.T) {
	start := StartPartitionableCluster
	if err := netnsUsable(); err != nil {
		if os.Getenv(requireNetnsEnv) == "1" {
			t.Fatalf("%s=1, but this machine cannot partition a cluster: %v", requireNetnsEnv, err)
		}
		t.Logf("no partitions, on 127.0.0.1: this machine cannot make network namespaces: %v", err)
		start = StartCluster
	}
	size := ciLinearizable
	if longBatteryWanted() {
		size = longLinearizable
	}
	bin := proglogBinary(t)
	for i, run := range size.runs {
		t.Run(fmt.Sprintf("run%d-%dnodes", i+1, run.nodes), func(t *testing.T) {
			runQueueUnderFaults(t, start, bin, run, size)
		})
	}
}

// TestLinearizableCheckCatchesFollowerReads is the negative control of
// the linearizability check: it reads through a broken read path, a
// follower cut off from the others answering plain follower reads that
// the history labels linearizable, and requires porcupine to find the
// history not linearizable and the failed run's directory to get the
// visualisation. The queue checker sees nothing wrong with the same
// history: its reads are never stale.
func TestLinearizableCheckCatchesFollowerReads(t *testing.T) {
	requireNetns(t)
	c := StartPartitionableCluster(t, proglogBinary(t), 3)
	ctx, cancel := context.WithTimeout(t.Context(), 2*Converge)
	defer cancel()
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	cl, err := client.New(ctx, client.Config{Addr: leader.RPCAddr, TLS: c.ClientTLS})
	require.NoError(t, err)
	defer cl.Close() // every call on it has returned
	h := &History{}
	queue := &Queue{Cluster: c, History: h}
	for i := range 5 {
		require.Equal(t, OK, queue.produce(ctx, cl, 0, fmt.Sprintf("before-%d", i)).Outcome)
	}

	stale := c.Nodes[(leader.index+1)%len(c.Nodes)]
	require.NoError(t, c.Network.Cut([]int{stale.index}, indices(others(c.Nodes, stale))))
	t.Logf("cut %s off from the others; %s leads", stale, leader)
	var last uint64
	for i := range 20 {
		op := queue.produce(ctx, cl, 0, fmt.Sprintf("during-%d", i))
		require.Equal(t, OK, op.Outcome, "the majority acknowledges produces: %s", op.Err)
		last = op.Offset
		// The broken read path: a plain read of the cut-off follower,
		// recorded as linearizable, of a record acknowledged before it
		// began.
		h.AddLinearizableRead(followerRead(ctx, stale, op.Offset))
	}
	require.NoError(t, c.Network.Heal())
	require.NoError(t, c.WaitHealthy(ctx))
	h.Replicas, err = c.ReadReplicas(ctx, last)
	require.NoError(t, err)
	require.Empty(t, Check(h), "the queue checker finds nothing: only the reads' timing is wrong")

	lin := CheckLinearizable(h, time.Minute)
	t.Logf("linearizability of the broken read path: %s", lin)
	require.Equal(t, porcupine.Illegal, lin.Result, "reads of a cut-off follower labelled linearizable must fail the check")
	keepFailure(t, c.Dir, 0, h, nil, lin)
	html, err := os.ReadFile(filepath.Join(c.Dir, linearizabilityHTML))
	require.NoError(t, err)
	require.Contains(t, string(html), "<html", "the kept directory holds porcupine's visualisation")
	t.Logf("porcupine's visualisation: %d bytes", len(html))
}

// followerRead reads offset from node, directly and without asking for a
// linearizable read, and returns it as a ReadOp: what a client that took
// a follower's answer for the leader's would record.
func followerRead(ctx context.Context, node *Node, offset uint64) ReadOp {
	op := ReadOp{Reader: 0, Offset: offset, Invoked: time.Now()}
	res, err := node.log.Consume(ctx, &api.ConsumeRequest{Offset: offset})
	op.Completed = time.Now()
	switch {
	case err == nil:
		op.Outcome, op.Value = OK, string(res.GetRecord().GetValue())
	case status.Code(err) == codes.OutOfRange:
		op.Outcome, op.OutOfRange = OK, true
	default:
		op.Outcome, op.Err = Unknown, err.Error()
	}
	return op
}
