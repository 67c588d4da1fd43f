//go:build unix

package faults

import (
	"context"
	binenc "encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// TestNodeRefusesDamagedRaftLog flips a bit in a record of a stopped node's
// Raft log that acknowledged records follow, and starts the node again:
// the real proglog process must end with an error that names the file
// and the record's byte, rather than serve, replicate or cut away what it
// cannot read. (A damaged last record is a torn write, which the node
// repairs: see TestDistributedLogRepairsDamagedTail in internal/log.)
func TestNodeRefusesDamagedRaftLog(t *testing.T) {
	c := StartCluster(t, proglogBinary(t), 1)
	node := c.Nodes[0]
	ctx, cancel := context.WithTimeout(t.Context(), Converge)
	defer cancel()
	for i := range 5 {
		_, err := node.log.Produce(ctx, &api.ProduceRequest{Record: &api.Record{Value: fmt.Appendf(nil, "record %d", i)}})
		require.NoError(t, err)
	}
	require.NoError(t, c.Kill(node))

	// Raft's log starts at index 1, in one segment; the damaged record is
	// followed by two acknowledged ones.
	store := filepath.Join(node.DataDir, "raft", "log", "1.store")
	starts := recordStarts(t, store)
	require.GreaterOrEqual(t, len(starts), 3)
	damaged := starts[len(starts)-3]
	data, err := os.ReadFile(store)
	require.NoError(t, err)
	at := damaged + 8 + 4 + 1 // past the length and the checksum
	data[at] ^= 0x08
	require.NoError(t, os.WriteFile(store, data, 0o644))

	logged, err := os.ReadFile(node.LogFile)
	require.NoError(t, err)
	require.NoError(t, node.start(c.command(node, nil, false)))
	node.mu.Lock()
	exited := node.exited
	node.mu.Unlock()
	select {
	case <-exited:
	case <-time.After(Converge):
		t.Fatalf("the node still runs %s after its start on a damaged Raft log", Converge)
	}
	all, err := os.ReadFile(node.LogFile)
	require.NoError(t, err)
	out := string(all[len(logged):])
	exits := node.unexpectedExits()
	require.NotEmpty(t, exits)
	require.Contains(t, exits[len(exits)-1], "exit status 1", "the node must fail, not end as if stopped")
	require.Contains(t, out, fmt.Sprintf("%s: byte %d: ", store, damaged), "the node must say which file and byte are damaged; it printed:\n%s", out)
	require.Contains(t, out, "corrupt log data", "the node must say the log is damaged; it printed:\n%s", out)
	require.Contains(t, out, "start this node again with an empty data directory", "the node must say what the operator can do; it printed:\n%s", out)
	t.Logf("the node refused to start: %s", lastLine(out))
}

// recordStarts returns where each record of the store at path starts.
func recordStarts(t *testing.T, path string) []int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var starts []int
	for pos := 0; pos+8 <= len(data); {
		starts = append(starts, pos)
		pos += 8 + int(binenc.BigEndian.Uint64(data[pos:]))
	}
	return starts
}

// lastLine returns the last line of out that is not empty.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}
