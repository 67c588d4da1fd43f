package client_test

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/agent"
)

// benchValueBytes is the size of every record the benchmarks produce.
const benchValueBytes = 256

// BenchmarkProduce measures produce throughput through the client against
// a 3-agent in-process cluster over mutual TLS, every Raft entry synced to
// disk on a majority before it is acknowledged: one record per call (Produce) against 64
// per call (ProduceBatch, one Raft entry), with 1 and 16 callers sharing
// one client. One operation is one call; records/s is what to compare.
// Run it with
//
//	go test -run '^$' -bench BenchmarkProduce -benchtime 3s ./client
func BenchmarkProduce(b *testing.B) {
	c := startClusterWith(b, 3, func(*agent.Config) {}) // logs discarded
	cl := c.newClient(b, 0)
	waitForServers(b, cl, 3)
	value := bytes.Repeat([]byte("x"), benchValueBytes)
	batch := make([][]byte, 64)
	for i := range batch {
		batch[i] = value
	}
	produces := []struct {
		name    string
		records int
		call    func() error
	}{
		{"single", 1, func() error { _, err := cl.Produce(b.Context(), value); return err }},
		{"batch64", len(batch), func() error { _, err := cl.ProduceBatch(b.Context(), batch); return err }},
	}
	for _, p := range produces {
		for _, callers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/callers=%d", p.name, callers), func(b *testing.B) {
				b.SetBytes(int64(p.records * benchValueBytes))
				start := time.Now()
				runCalls(b, callers, p.call)
				b.ReportMetric(float64(b.N*p.records)/time.Since(start).Seconds(), "records/s")
			})
		}
	}
}

// runCalls makes b.N calls of call from callers goroutines at once, and
// fails b on the first error.
func runCalls(b *testing.B, callers int, call func() error) {
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := call(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	require.NoError(b, <-errs)
}
