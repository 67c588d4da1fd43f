package faults

import (
	"fmt"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"
)

// logInput is the input of an operation of the log model: a produce of
// Value, or a consume of Offset.
type logInput struct {
	Produce bool
	Value   string
	Offset  uint64
}

// logOutput is the output of an operation of the log model: the offset a
// produce was given, or what a consume read: Value, or OutOfRange.
type logOutput struct {
	Offset     uint64
	Value      string
	OutOfRange bool
}

// logModel returns the sequential specification of the log for porcupine.
// The state is the log's length, n: a produce is legal if it was given
// offset n, and makes the length n+1; a consume of offset o is legal if o
// < n and it read the value produced at o (valueAt, built from the
// produces of the history), or if o >= n and it read that o is out of
// range. Since each offset has one produce, a length past o means that
// produce took effect: the length is all of the log a read can tell.
func logModel(valueAt map[uint64]string) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return uint64(0) },
		Step: func(state, input, output any) (bool, any) {
			n, in, out := state.(uint64), input.(logInput), output.(logOutput)
			switch {
			case in.Produce:
				return out.Offset == n, n + 1
			case out.OutOfRange:
				return in.Offset >= n, n
			default:
				return in.Offset < n && valueAt[in.Offset] == out.Value, n
			}
		},
		DescribeOperation: func(input, output any) string {
			in, out := input.(logInput), output.(logOutput)
			switch {
			case in.Produce:
				return fmt.Sprintf("produce(%q) → %d", in.Value, out.Offset)
			case out.OutOfRange:
				return fmt.Sprintf("consume(%d) → out of range", in.Offset)
			default:
				return fmt.Sprintf("consume(%d) → %q", in.Offset, out.Value)
			}
		},
		DescribeState: func(state any) string { return fmt.Sprintf("%d records", state.(uint64)) },
	}
}

// Linearizability is the verdict of [CheckLinearizable] on a history.
type Linearizability struct {
	// Result is porcupine.Ok if the history is linearizable,
	// porcupine.Illegal if it is not, porcupine.Unknown if the check ran
	// out of time.
	Result porcupine.CheckResult
	// Produces and Reads are how many operations of each the check took;
	// OutOfRange is how many of the reads found their offset past the end.
	Produces, Reads, OutOfRange int
	// Took is how long the check took.
	Took time.Duration

	model   porcupine.Model
	ops     []porcupine.Operation
	timeout time.Duration
}

// String describes the verdict in one line.
func (l *Linearizability) String() string {
	return fmt.Sprintf("%s: %d produces and %d linearizable reads (%d of them past the end) checked in %s", l.Result, l.Produces, l.Reads, l.OutOfRange, l.Took.Round(time.Millisecond))
}

// CheckLinearizable checks with porcupine that h's produces and
// linearizable reads are linearizable against the log model (see
// logModel), giving up after timeout. An acknowledged produce took effect
// within its call; a produce with an unknown outcome took effect at some
// time after its call if the healed log holds its value (at the offset it
// holds it), never if it does not; a refused produce never did. A read
// without an answer is left out: it could have read anything and changes
// nothing. h must hold the healed cluster's replicas ([Queue.Run] reads
// them), which [Check] checks against each other.
func CheckLinearizable(h *History, timeout time.Duration) *Linearizability {
	landed := map[string]uint64{}
	if names := replicaNames(h); len(names) > 0 {
		for _, r := range h.Replicas[names[0]] {
			landed[r.Value] = r.Offset
		}
	}
	start, end := historySpan(h)
	at := func(t time.Time) int64 { return int64(t.Sub(start)) }
	// Each producer and reader is a client of its own in the
	// visualisation: producers from 0 (the sentinel's after them), then
	// readers.
	producers := 0
	for _, op := range h.Produces {
		producers = max(producers, op.Producer+1)
	}
	l := &Linearizability{timeout: timeout}
	valueAt := map[uint64]string{}
	for _, op := range h.Produces {
		client := op.Producer
		if op.Producer == sentinelProducer {
			client = producers
		}
		o := porcupine.Operation{ClientId: client, Input: logInput{Produce: true, Value: op.Value}, Call: at(op.Invoked)}
		switch offset, ok := landed[op.Value]; {
		case op.Outcome == OK:
			o.Output, o.Return = logOutput{Offset: op.Offset}, at(op.Completed)
		case op.Outcome == Unknown && ok:
			// It may have taken effect at any time after its call: its
			// return is after every other operation's.
			o.Output, o.Return = logOutput{Offset: offset}, int64(end.Sub(start))+1
		default:
			continue // refused, or lost in the fault: it never took effect
		}
		valueAt[o.Output.(logOutput).Offset] = op.Value
		l.ops = append(l.ops, o)
		l.Produces++
	}
	for _, op := range h.LinearizableReads {
		if op.Outcome != OK {
			continue
		}
		l.ops = append(l.ops, porcupine.Operation{
			ClientId: producers + 1 + op.Reader,
			Input:    logInput{Offset: op.Offset},
			Call:     at(op.Invoked),
			Output:   logOutput{Value: op.Value, OutOfRange: op.OutOfRange},
			Return:   at(op.Completed),
		})
		l.Reads++
		if op.OutOfRange {
			l.OutOfRange++
		}
	}
	l.model = logModel(valueAt)
	began := time.Now()
	l.Result = porcupine.CheckOperationsTimeout(l.model, l.ops, timeout)
	l.Took = time.Since(began)
	return l
}

// WriteHTML writes porcupine's visualisation of the history checked into
// file: each client's operations on a time line and, for a history that
// is not linearizable, the longest linearizations porcupine found and the
// operation none of them could take. It checks the history again to find
// them.
func (l *Linearizability) WriteHTML(file string) error {
	_, info := porcupine.CheckOperationsVerbose(l.model, l.ops, l.timeout)
	if err := porcupine.VisualizePath(l.model, info, file); err != nil {
		return fmt.Errorf("write the linearizability visualisation: %w", err)
	}
	return nil
}

// historySpan returns the first call and the last return of h's produces
// and linearizable reads.
func historySpan(h *History) (start, end time.Time) {
	var times []time.Time
	for _, op := range h.Produces {
		times = append(times, op.Invoked, op.Completed)
	}
	for _, op := range h.LinearizableReads {
		times = append(times, op.Invoked, op.Completed)
	}
	if len(times) == 0 {
		return time.Time{}, time.Time{}
	}
	return slices.MinFunc(times, time.Time.Compare), slices.MaxFunc(times, time.Time.Compare)
}

// replicaNames returns the names of h's replicas, sorted: the first is
// the log the checkers hold the history against.
func replicaNames(h *History) []string {
	names := make([]string, 0, len(h.Replicas))
	for name := range h.Replicas {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
