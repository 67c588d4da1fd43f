package faults

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
)

// at returns a time ms milliseconds into a made-up history.
func at(ms int) time.Time {
	return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
}

// linearizableHistory returns a history whose reads are all linearizable:
// a read of offset 1 while its produce is under way may see it or not, an
// unknown produce the log holds may be read once it began, an unknown one
// it does not hold is as if never sent.
func linearizableHistory() *History {
	return &History{
		Produces: []Op{
			{Producer: 0, Value: "a", Outcome: OK, Offset: 0, Invoked: at(0), Completed: at(10)},
			{Producer: 0, Value: "b", Outcome: OK, Offset: 1, Invoked: at(20), Completed: at(40)},
			{Producer: 1, Value: "u1", Outcome: Unknown, Invoked: at(41), Completed: at(90), Err: "gave up"},
			{Producer: 0, Value: "u2", Outcome: Unknown, Invoked: at(45), Completed: at(95), Err: "gave up"},
		},
		LinearizableReads: []ReadOp{
			{Reader: 0, Offset: 0, Outcome: OK, Value: "a", Invoked: at(11), Completed: at(12)},
			{Reader: 0, Offset: 1, Outcome: OK, OutOfRange: true, Invoked: at(21), Completed: at(25)},
			{Reader: 1, Offset: 1, Outcome: OK, Value: "b", Invoked: at(30), Completed: at(35)},
			{Reader: 0, Offset: 2, Outcome: OK, OutOfRange: true, Invoked: at(50), Completed: at(55)},
			{Reader: 1, Offset: 2, Outcome: OK, Value: "u1", Invoked: at(60), Completed: at(61)},
			{Reader: 0, Offset: 9, Outcome: Unknown, Invoked: at(62), Completed: at(70), Err: "gave up"},
		},
		Replicas: map[string][]Record{"node-1": {{0, "a"}, {1, "b"}, {2, "u1"}}},
	}
}

// TestCheckLinearizableAcceptsALinearizableHistory: reads concurrent with
// a produce may see it or not, unknown produces may have happened.
func TestCheckLinearizableAcceptsALinearizableHistory(t *testing.T) {
	l := CheckLinearizable(linearizableHistory(), time.Minute)
	require.Equal(t, porcupine.Ok, l.Result, l.String())
	require.Equal(t, 3, l.Produces, "the unknown produce the log does not hold is left out")
	require.Equal(t, 5, l.Reads, "the read without an answer is left out")
}

// TestCheckLinearizableFindsStaleReads: a read that began after a produce
// was acknowledged and did not see it, or saw another value there, is
// not linearizable; the visualisation of the history is written.
func TestCheckLinearizableFindsStaleReads(t *testing.T) {
	tests := []struct {
		name string
		read ReadOp
	}{
		{"a read after the produce's acknowledgement finds the offset out of range",
			ReadOp{Offset: 1, Outcome: OK, OutOfRange: true, Invoked: at(41), Completed: at(42)}},
		{"a read finds a value that was never produced at the offset",
			ReadOp{Offset: 0, Outcome: OK, Value: "b", Invoked: at(41), Completed: at(42)}},
		{"a read sees an offset before any produce could have filled it",
			ReadOp{Offset: 2, Outcome: OK, Value: "u1", Invoked: at(30), Completed: at(31)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := linearizableHistory()
			tt.read.Reader = 2
			h.LinearizableReads = append(h.LinearizableReads, tt.read)
			l := CheckLinearizable(h, time.Minute)
			require.Equal(t, porcupine.Illegal, l.Result, l.String())
			file := filepath.Join(t.TempDir(), "linearizability.html")
			require.NoError(t, l.WriteHTML(file))
			info, err := os.Stat(file)
			require.NoError(t, err)
			require.Positive(t, info.Size())
		})
	}
}
