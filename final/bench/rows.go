package bench

// The rows of the targets, in the order of the table.
var (
	RowAppend256 = &Row{ID: "append-256B", Work: "log append, 256 B, no sync", Target: 1.0}
	RowAppend1K  = &Row{ID: "append-1KiB", Work: "log append, 1 KiB, no sync", Target: 1.0}
	RowReadSeq   = &Row{ID: "read-sequential-256B", Work: "log read, sequential, 256 B", Target: 1.0}
	RowReadRand  = &Row{ID: "read-random-256B", Work: "log read, random, 256 B", Target: 1.0}
	RowDurable   = &Row{ID: "durable-batch64-256B", Work: "durable append, batches of 64 × 256 B, sync each batch", Target: 1.0}
	RowProduce1  = &Row{ID: "produce-unary-1", Work: "Produce unary, 256 B, 1 caller, mTLS + ACL + observability", Target: 0.8, Latency: true}
	RowProduce64 = &Row{ID: "produce-unary-64", Work: "Produce unary, 256 B, 64 callers, mTLS + ACL + observability", Target: 0.8, Latency: true}
	RowStream    = &Row{ID: "consume-stream-256B", Work: "ConsumeStream, 256 B, batches of 256", Target: 1.0}
	RowCluster   = &Row{ID: "cluster-produce-16", Work: "3-node produce, 256 B, 16 synchronous callers, sync on", Target: 1.5, Latency: true}
	RowBatch     = &Row{ID: "cluster-produce-batch", Work: "3-node produce, 256 B, batches of 256, 1 caller, sync on", Target: 1.0, Latency: true}
	RowFollower  = &Row{ID: "cluster-consume-follower", Work: "3-node consume from a follower, streamed, 256 B", Target: 1.0}
)

// Rows are every row, in the order of the table.
var Rows = []*Row{
	RowAppend256, RowAppend1K, RowReadSeq, RowReadRand, RowDurable,
	RowProduce1, RowProduce64, RowStream, RowCluster, RowBatch, RowFollower,
}

// Cases returns every case, grouped by row in the order of Rows: the
// subject first, then its peer, then the limit if the row has one.
func Cases() []Case {
	return []Case{
		{Row: RowAppend256, System: "proglog", Role: Subject, Callers: 1, Setup: proglogAppend(256)},
		{Row: RowAppend256, System: "tidwall-wal", Role: Peer, Callers: 1, Setup: tidwallAppend(256)},
		{Row: RowAppend256, System: "raw-write", Role: Limit, Callers: 1, Setup: rawAppend(256, 0)},

		{Row: RowAppend1K, System: "proglog", Role: Subject, Callers: 1, Setup: proglogAppend(1024)},
		{Row: RowAppend1K, System: "tidwall-wal", Role: Peer, Callers: 1, Setup: tidwallAppend(1024)},
		{Row: RowAppend1K, System: "raw-write", Role: Limit, Callers: 1, Setup: rawAppend(1024, 0)},

		{Row: RowReadSeq, System: "proglog", Role: Subject, Callers: 1, Setup: proglogRead(256, false)},
		{Row: RowReadSeq, System: "tidwall-wal", Role: Peer, Callers: 1, Setup: tidwallRead(256, false)},

		{Row: RowReadRand, System: "proglog", Role: Subject, Callers: 1, Setup: proglogRead(256, true)},
		{Row: RowReadRand, System: "tidwall-wal", Role: Peer, Callers: 1, Setup: tidwallRead(256, true)},

		{Row: RowDurable, System: "proglog", Role: Subject, Callers: 1, Setup: proglogDurable(256)},
		{Row: RowDurable, System: "raft-wal", Role: Peer, Callers: 1, Setup: raftWALDurable(256)},
		{Row: RowDurable, System: "raw-write-fsync", Role: Limit, Callers: 1, Setup: rawDurable(256)},

		{Row: RowProduce1, System: "proglog", Role: Subject, Callers: 1, Setup: produceCall(produceServer, 256)},
		{Row: RowProduce1, System: "grpc-echo", Role: Peer, Callers: 1, Setup: produceCall(echo, 256)},

		{Row: RowProduce64, System: "proglog", Role: Subject, Callers: 64, Setup: produceCall(produceServer, 256)},
		{Row: RowProduce64, System: "grpc-echo", Role: Peer, Callers: 64, Setup: produceCall(echo, 256)},

		{Row: RowStream, System: "proglog", Role: Subject, Callers: 1, Setup: consumeStream(consumeServer, 256)},
		{Row: RowStream, System: "grpc-push", Role: Peer, Callers: 1, Setup: consumeStream(echo, 256)},

		{Row: RowCluster, System: "proglog", Role: Subject, Callers: ClusterCallers, Setup: proglogClusterProduce(256)},
		{Row: RowCluster, System: "jetstream-r3", Role: Peer, Callers: ClusterCallers, Setup: jsProduce(256)},
		{Row: RowCluster, System: "bare-raft", Role: Limit, Callers: ClusterCallers, Setup: bareRaftProduce(256)},

		{Row: RowBatch, System: "proglog", Role: Subject, Callers: 1, Setup: proglogClusterProduceBatch(256)},
		{Row: RowBatch, System: "jetstream-async", Role: Peer, Callers: 1, Setup: jsProduceAsync(256)},

		{Row: RowFollower, System: "proglog", Role: Subject, Callers: 1, Setup: proglogFollowerConsume(256)},
		{Row: RowFollower, System: "jetstream-ordered", Role: Peer, Callers: 1, Setup: jsConsume(256)},
	}
}

// CasesOf returns the cases of row, in the order of Cases.
func CasesOf(row *Row) []Case {
	var cases []Case
	for _, c := range Cases() {
		if c.Row == row {
			cases = append(cases, c)
		}
	}
	return cases
}
