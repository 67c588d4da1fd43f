package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// runBenchmark sets up c once and measures b.N operations of it. The
// first operation runs before the clock starts: the first write to a new
// file or connection pays costs that later ones do not.
func runBenchmark(b *testing.B, c Case) {
	f, err := c.Setup(b.TempDir(), FullScale)
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, f.Close()) })
	require.NoError(b, f.Op(0))
	b.ResetTimer()
	stats, err := Measure(f.Op, b.N, c.Callers, f.RecordsPerOp, c.Row.Latency)
	require.NoError(b, err)
	Report(b, stats)
}

// benchmarkRow runs every case of row as a sub-benchmark named after its
// system.
func benchmarkRow(b *testing.B, row *Row) {
	for _, c := range CasesOf(row) {
		b.Run(c.System, func(b *testing.B) { runBenchmark(b, c) })
	}
}

func BenchmarkAppend256B(b *testing.B)             { benchmarkRow(b, RowAppend256) }
func BenchmarkAppend1KiB(b *testing.B)             { benchmarkRow(b, RowAppend1K) }
func BenchmarkReadSequential(b *testing.B)         { benchmarkRow(b, RowReadSeq) }
func BenchmarkReadRandom(b *testing.B)             { benchmarkRow(b, RowReadRand) }
func BenchmarkDurableBatch(b *testing.B)           { benchmarkRow(b, RowDurable) }
func BenchmarkProduceUnary1(b *testing.B)          { benchmarkRow(b, RowProduce1) }
func BenchmarkProduceUnary64(b *testing.B)         { benchmarkRow(b, RowProduce64) }
func BenchmarkConsumeStream(b *testing.B)          { benchmarkRow(b, RowStream) }
func BenchmarkClusterProduce(b *testing.B)         { benchmarkRow(b, RowCluster) }
func BenchmarkClusterProduceBatch(b *testing.B)    { benchmarkRow(b, RowBatch) }
func BenchmarkClusterFollowerConsume(b *testing.B) { benchmarkRow(b, RowFollower) }
