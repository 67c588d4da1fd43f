package faults

import (
	"fmt"
)

// AnomalyKind names a way a history breaks the log's promises.
type AnomalyKind string

// The anomalies [Check] reports.
const (
	// Lost: a produce was acknowledged, and its value is not in the log.
	Lost AnomalyKind = "lost"
	// Duplicate: a value is in the log more than once.
	Duplicate AnomalyKind = "duplicate"
	// NeverAttempted: a value is in the log, or was read, that no producer
	// ever sent.
	NeverAttempted AnomalyKind = "never-attempted"
	// FailedVisible: a value the cluster refused is in the log.
	FailedVisible AnomalyKind = "failed-visible"
	// WrongOffset: a value was acknowledged at one offset and is in the log
	// at another.
	WrongOffset AnomalyKind = "wrong-offset"
	// Gap: a replica's offsets are not 0, 1, 2, … without a hole.
	Gap AnomalyKind = "gap"
	// Diverged: two replicas hold different logs after healing.
	Diverged AnomalyKind = "diverged"
	// SkippedRead: a consumer read an offset past the next one.
	SkippedRead AnomalyKind = "skipped-read"
	// BackwardsRead: a consumer read an offset it had already read past.
	BackwardsRead AnomalyKind = "backwards-read"
	// WrongRead: a consumer read, at an offset, a value the log does not
	// hold there.
	WrongRead AnomalyKind = "wrong-read"
	// NoReplicas: the history holds no replica's log to check against.
	NoReplicas AnomalyKind = "no-replicas"
)

// Anomaly is one broken promise found in a history.
type Anomaly struct {
	Kind AnomalyKind
	// Detail says where: the value, the offset, the node or the consumer.
	Detail string
}

// String returns the anomaly as "kind: detail".
func (a Anomaly) String() string { return string(a.Kind) + ": " + a.Detail }

// Check returns every anomaly of h, a finished run: its replicas against
// each other, its log (the replica of the first node by name) against the
// produces, and each consumer's reads against the log. No anomaly means the
// run kept every promise of a commit log:
//
//   - every acknowledged value is in the log once, at its acknowledged
//     offset; no refused value and no value never sent is there;
//   - every replica holds the same records at offsets 0 to N-1;
//   - every consumer read offsets 0, 1, 2, … in turn, each with the value
//     the log holds there.
func Check(h *History) []Anomaly {
	var found []Anomaly
	report := func(kind AnomalyKind, format string, args ...any) {
		found = append(found, Anomaly{Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	names := replicaNames(h)
	if len(names) == 0 {
		report(NoReplicas, "the history holds no node's log")
		return found
	}
	for _, name := range names {
		checkDense(name, h.Replicas[name], report)
	}
	log := h.Replicas[names[0]]
	for _, name := range names[1:] {
		checkSame(names[0], log, name, h.Replicas[name], report)
	}
	checkLog(h.Produces, log, report)
	sent := make(map[string]bool, len(h.Produces))
	for _, op := range h.Produces {
		sent[op.Value] = true
	}
	for consumer, reads := range h.Reads {
		checkReads(consumer, reads, log, sent, report)
	}
	return found
}

// reporter records an anomaly.
type reporter func(kind AnomalyKind, format string, args ...any)

// checkDense reports a Gap where the records of node's log stop being at
// offsets 0, 1, 2, …: once, at the first hole.
func checkDense(node string, log []Record, report reporter) {
	for i, r := range log {
		if r.Offset != uint64(i) {
			report(Gap, "%s: record %d of its log is at offset %d", node, i, r.Offset)
			return
		}
	}
}

// checkSame reports a Diverged if other's log is not the same as ref's:
// once, at the first difference.
func checkSame(refNode string, ref []Record, node string, other []Record, report reporter) {
	for i := range min(len(ref), len(other)) {
		if ref[i] != other[i] {
			report(Diverged, "%s holds %+v where %s holds %+v", node, other[i], refNode, ref[i])
			return
		}
	}
	if len(ref) != len(other) {
		report(Diverged, "%s holds %d records, %s %d", node, len(other), refNode, len(ref))
	}
}

// checkLog reports the produces that log breaks: an acknowledged value
// missing or at another offset, a refused value present, a value stored
// twice or never sent.
func checkLog(produces []Op, log []Record, report reporter) {
	offsets := make(map[string][]uint64, len(log))
	for _, r := range log {
		offsets[r.Value] = append(offsets[r.Value], r.Offset)
	}
	sent := make(map[string]bool, len(produces))
	for _, op := range produces {
		sent[op.Value] = true
		at := offsets[op.Value]
		switch {
		case op.Outcome == OK && len(at) == 0:
			report(Lost, "%q, acknowledged at offset %d", op.Value, op.Offset)
		case op.Outcome == OK && at[0] != op.Offset:
			report(WrongOffset, "%q, acknowledged at offset %d, is at offset %d", op.Value, op.Offset, at[0])
		case op.Outcome == Fail && len(at) > 0:
			report(FailedVisible, "%q, refused (%s), is at offset %d", op.Value, op.Err, at[0])
		}
	}
	for _, r := range log {
		at := offsets[r.Value]
		if len(at) > 1 && at[0] == r.Offset {
			report(Duplicate, "%q is at offsets %v", r.Value, at)
		}
		if !sent[r.Value] {
			report(NeverAttempted, "%q, at offset %d of the log", r.Value, r.Offset)
		}
	}
}

// checkReads reports where consumer's reads leave the order 0, 1, 2, …,
// or read a value other than the log's at the offset, or one never sent.
func checkReads(consumer int, reads []Record, log []Record, sent map[string]bool, report reporter) {
	next := uint64(0)
	for _, r := range reads {
		switch {
		case r.Offset < next:
			report(BackwardsRead, "consumer %d read offset %d after offset %d", consumer, r.Offset, next-1)
		case r.Offset > next:
			report(SkippedRead, "consumer %d read offset %d when offset %d was next", consumer, r.Offset, next)
		}
		next = r.Offset + 1
		switch {
		case !sent[r.Value]:
			report(NeverAttempted, "%q, read by consumer %d at offset %d", r.Value, consumer, r.Offset)
		case r.Offset >= uint64(len(log)):
			report(WrongRead, "consumer %d read %q at offset %d, past the log's end at %d", consumer, r.Value, r.Offset, len(log))
		case log[r.Offset].Value != r.Value:
			report(WrongRead, "consumer %d read %q at offset %d, where the log holds %q", consumer, r.Value, r.Offset, log[r.Offset].Value)
		}
	}
}
