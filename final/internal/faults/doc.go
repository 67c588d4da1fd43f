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
// [PowerCuts] is the nemesis of the coordinated crash: it kills every node
// at once and, before restarting them, drops what their logs never synced
// ([CutToSynced]), as a power cut would; its nodes are built with the
// crashfs tag ([Build]).
//
// The checker ([Check]) is plain Go over a [History] and runs anywhere;
// the cluster harness ([Cluster]) needs a Unix system, for its signals.
//
// # Usage
//
//	bin, err := faults.Build(dir)            // go build ./cmd/proglog, once
//	c := faults.StartCluster(t, bin, 3)      // killed and deleted when t ends
//	h := &faults.History{}
//	nemesis := &faults.Nemesis{Cluster: c, History: h, Rand: rand.New(rand.NewPCG(seed, seed)), Logf: t.Logf}
//	queue := &faults.Queue{Cluster: c, History: h, Producers: 6, Consumers: 2}
//	err = queue.Run(ctx, func(ctx context.Context) error { _, err := nemesis.Run(ctx); return err }, time.Minute)
//	anomalies := faults.Check(h)             // none, or a broken promise
package faults
