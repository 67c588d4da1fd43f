package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// Outcome is how a produce ended, as its producer saw it.
type Outcome string

// The outcomes of a produce.
const (
	// OK: the cluster acknowledged the record at Op.Offset. It must be in
	// the log, there, once.
	OK Outcome = "ok"
	// Fail: the cluster refused the record before appending it (a bad
	// request, a missing permission). It must not be in the log.
	Fail Outcome = "fail"
	// Unknown: the produce ended without an answer (the client gave up
	// retrying, or its context ended). The record may be in the log once,
	// or not at all.
	Unknown Outcome = "unknown"
)

// Op is one produce of a history: a unique value, when it was sent and
// answered, and how it ended.
type Op struct {
	// Producer is the number of the producer that sent it.
	Producer int `json:"producer"`
	// Value is the record's value, unique in the history.
	Value string `json:"value"`
	// Invoked and Completed are when the produce began and ended.
	Invoked   time.Time `json:"invoked"`
	Completed time.Time `json:"completed"`
	// Outcome is how it ended.
	Outcome Outcome `json:"outcome"`
	// Offset is the offset the cluster acknowledged; meaningful with OK.
	Offset uint64 `json:"offset"`
	// Err is the error of a produce that did not end OK.
	Err string `json:"err,omitempty"`
}

// sentinelProducer is the producer number of the sentinel, the last value
// of a run (see [Queue.Run]).
const sentinelProducer = -1

// Record is a record as a reader saw it: its offset and its value.
type Record struct {
	Offset uint64 `json:"offset"`
	Value  string `json:"value"`
}

// ReadOp is one linearizable consume of a history: the offset asked for,
// when it was sent and answered, and the answer.
type ReadOp struct {
	// Reader is the number of the reader that sent it.
	Reader int `json:"reader"`
	// Offset is the offset it asked for.
	Offset uint64 `json:"offset"`
	// Invoked and Completed are when the consume began and ended.
	Invoked   time.Time `json:"invoked"`
	Completed time.Time `json:"completed"`
	// Outcome is OK if the cluster answered, with Value or OutOfRange, and
	// Unknown if it did not: a read changes nothing, so an unanswered one
	// says nothing either.
	Outcome Outcome `json:"outcome"`
	// Value is the value read; meaningful with OK and not OutOfRange.
	Value string `json:"value,omitempty"`
	// OutOfRange is whether the answer was that the log holds no record
	// at Offset yet.
	OutOfRange bool `json:"out_of_range,omitempty"`
	// Err is the error of a consume that got no answer.
	Err string `json:"err,omitempty"`
}

// Event is a line of the nemesis's diary: a fault injected or healed.
type Event struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
}

// History is what a run of the queue workload saw: every produce, each
// consumer's reads in the order it read them, the nemesis's events, and,
// once the cluster has healed, every node's whole log read from that node.
// Its methods are safe for concurrent use while the run records it; the
// checker reads its fields once the run is over.
type History struct {
	mu sync.Mutex // guards every field while the run records
	// Produces are the produces, in the order they completed.
	Produces []Op `json:"produces"`
	// Reads holds each consumer's reads, in the order it read them.
	Reads [][]Record `json:"reads"`
	// LinearizableReads are the linearizable consumes, in the order they
	// completed.
	LinearizableReads []ReadOp `json:"linearizable_reads,omitempty"`
	// Events are the nemesis's faults and heals, in order.
	Events []Event `json:"events"`
	// Replicas maps each node's name to its whole log after healing.
	Replicas map[string][]Record `json:"replicas"`

	acked int // how many of Produces ended OK
}

// AddProduce records a completed produce.
func (h *History) AddProduce(op Op) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Produces = append(h.Produces, op)
	if op.Outcome == OK {
		h.acked++
	}
}

// AddReads records the reads of one consumer, in the order it read them,
// and returns the consumer's number.
func (h *History) AddReads(reads []Record) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Reads = append(h.Reads, reads)
	return len(h.Reads) - 1
}

// AddLinearizableRead records a completed linearizable consume.
func (h *History) AddLinearizableRead(op ReadOp) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.LinearizableReads = append(h.LinearizableReads, op)
}

// AddEvent records a nemesis event, now.
func (h *History) AddEvent(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Events = append(h.Events, Event{At: time.Now(), What: fmt.Sprintf(format, args...)})
}

// Acknowledged returns how many produces ended OK.
func (h *History) Acknowledged() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.acked
}

// WriteFile writes the history to file as indented JSON, for a person
// looking into a failed run.
func (h *History) WriteFile(file string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	data, err := json.MarshalIndent(h, "", " ")
	if err != nil {
		return fmt.Errorf("encode the history: %w", err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return fmt.Errorf("write the history: %w", err)
	}
	return nil
}
