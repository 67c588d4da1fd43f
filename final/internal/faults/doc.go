// Package faults is the fault battery of proglog: it runs the real
// proglog binary as a cluster of separate processes, injects the faults
// that break real commit logs (SIGKILL of the leader or of a follower and a
// restart on the same data directory and ports, SIGSTOP/SIGCONT pauses of
// the leader), drives Jepsen's queue workload through the client package
// meanwhile, and checks the history: no acknowledged record lost, none
// stored twice, nothing read that was never produced, offsets dense and
// replicas identical once the cluster has healed, and every consumer's
// reads in order without a gap.
//
// The checker ([Check]) is plain Go over a [History] and runs anywhere;
// the cluster harness ([Cluster]) needs a Unix system, for its signals.
//
// # Usage
//
//	bin, err := faults.Build(dir)          // go build ./cmd/proglog, once
//	c, err := faults.StartCluster(t, bin, 3) // stopped when t ends
//	leader, err := c.Leader(ctx)
//	c.Kill(leader)                          // SIGKILL
//	c.Restart(leader)                       // same data directory and ports
//	c.Pause(leader); c.Resume(leader)       // SIGSTOP, SIGCONT
//	replicas, err := c.ReadAll(ctx, end)    // every node's log, read from it directly
//	anomalies := faults.Check(history)
package faults
