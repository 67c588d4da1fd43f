package log

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// BenchmarkDistributedLogAppend measures appends to a 3-server cluster on
// this machine (real TCP with mutual TLS, Raft's log synced before each
// server acknowledges), from 1 caller and from 16 callers at once. Raft
// hands each server's log the entries waiting together, and the log syncs
// once per batch: 16 callers should get many more records through per
// second than 1, whose every append waits for its own fsync on a majority.
// Compare records/s within one run.
func BenchmarkDistributedLogAppend(b *testing.B) {
	c := startCluster(b, 3)
	leader := c.leader().log
	value := benchValue(256)
	for _, callers := range []int{1, 16} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			b.SetBytes(int64(len(value)))
			var started atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range callers {
				wg.Go(func() {
					// Each caller takes the next of the b.N appends until
					// none is left.
					for started.Add(1) <= int64(b.N) {
						if _, err := leader.Append(&api.Record{Value: value}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			reportRecords(b)
		})
	}
}
