package faults

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// healthyHistory returns a history that keeps every promise: three
// produces acknowledged, one unknown that made it into the log, one unknown
// that did not, one refused; three identical replicas; two consumers that
// read in order.
func healthyHistory() *History {
	log := []Record{{0, "a"}, {1, "b"}, {2, "u1"}, {3, "c"}}
	return &History{
		Produces: []Op{
			{Producer: 0, Value: "a", Outcome: OK, Offset: 0},
			{Producer: 1, Value: "b", Outcome: OK, Offset: 1},
			{Producer: 0, Value: "u1", Outcome: Unknown, Err: "gave up"},
			{Producer: 1, Value: "c", Outcome: OK, Offset: 3},
			{Producer: 0, Value: "u2", Outcome: Unknown, Err: "gave up"},
			{Producer: 1, Value: "f", Outcome: Fail, Err: "refused"},
		},
		Reads: [][]Record{
			slices.Clone(log),
			slices.Clone(log[:2]),
		},
		Replicas: map[string][]Record{
			"node-1": slices.Clone(log),
			"node-2": slices.Clone(log),
			"node-3": slices.Clone(log),
		},
	}
}

// TestCheckHealthyHistory: a history that keeps every promise has no
// anomaly, unknown outcomes included either way.
func TestCheckHealthyHistory(t *testing.T) {
	require.Empty(t, Check(healthyHistory()))
}

// TestCheckFindsEveryAnomaly is the checker's negative control: each case
// breaks one promise of a healthy history, and the checker must name
// that anomaly and no other (once per replica where every replica breaks it). A checker that misses one would pass a battery
// that loses data.
func TestCheckFindsEveryAnomaly(t *testing.T) {
	everyReplica := func(h *History, change func([]Record) []Record) {
		for name, log := range h.Replicas {
			h.Replicas[name] = change(log)
		}
	}
	tests := []struct {
		name   string
		break_ func(h *History)
		want   AnomalyKind
	}{
		{"an acknowledged record lost", func(h *History) {
			everyReplica(h, func(log []Record) []Record { return append(log[:3:3], Record{3, "u2"}) })
			h.Reads = nil // they read "c": not this case
		}, Lost},
		{"a record stored twice", func(h *History) {
			everyReplica(h, func(log []Record) []Record { return append(log, Record{4, "a"}) })
		}, Duplicate},
		{"a record nobody sent", func(h *History) {
			everyReplica(h, func(log []Record) []Record { return append(log, Record{4, "ghost"}) })
		}, NeverAttempted},
		{"a refused record stored", func(h *History) {
			everyReplica(h, func(log []Record) []Record { return append(log, Record{4, "f"}) })
		}, FailedVisible},
		{"an acknowledged record at another offset", func(h *History) {
			h.Produces[1].Offset = 2
		}, WrongOffset},
		{"a hole in the offsets", func(h *History) {
			everyReplica(h, func(log []Record) []Record { log[3].Offset = 4; return log })
			h.Produces[3].Outcome = Unknown // its offset is not this case
			h.Reads = nil                   // nor the consumers' reads of offset 3
		}, Gap},
		{"a replica that lacks the tail", func(h *History) {
			h.Replicas["node-2"] = h.Replicas["node-2"][:3]
		}, Diverged},
		{"a replica with another record", func(h *History) {
			h.Replicas["node-3"][1] = Record{1, "u2"}
		}, Diverged},
		{"a consumer that skipped an offset", func(h *History) {
			h.Reads[0] = slices.Delete(h.Reads[0], 1, 2)
		}, SkippedRead},
		{"a consumer that went backwards", func(h *History) {
			h.Reads[1] = append(h.Reads[1], Record{0, "a"})
		}, BackwardsRead},
		{"a consumer that read another value", func(h *History) {
			h.Reads[1][1] = Record{1, "u2"}
		}, WrongRead},
		{"a consumer that read past the end", func(h *History) {
			h.Reads[0] = append(h.Reads[0], Record{4, "u2"})
		}, WrongRead},
		{"a consumer that read a value nobody sent", func(h *History) {
			h.Reads[1][1] = Record{1, "ghost"}
		}, NeverAttempted},
		{"no replica read", func(h *History) {
			h.Replicas = nil
		}, NoReplicas},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := healthyHistory()
			tt.break_(h)
			found := Check(h)
			t.Logf("the checker reports %v", found)
			require.NotEmpty(t, found)
			for _, a := range found {
				require.Equal(t, tt.want, a.Kind, "only the anomaly made")
			}
		})
	}
}
