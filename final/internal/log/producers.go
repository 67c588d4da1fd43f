package log

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Limits of idempotent produce.
const (
	// DedupWindow is how many of a producer's latest sequences the FSM
	// remembers, with the offset of each. A retry of any of them is
	// answered with the offset of the first append; one older than all of
	// them gets [ErrSequenceTooOld]. It bounds the memory of one producer
	// to about DedupWindow × 16 bytes.
	DedupWindow = 128
	// MaxProducerIDBytes bounds a producer ID, so that a client cannot make
	// the FSM, and every snapshot, hold arbitrary amounts of it.
	MaxProducerIDBytes = 256
)

// ErrSequenceTooOld is returned by [DistributedLog.AppendFrom] for a
// sequence older than every one the log remembers of its producer: the
// record may have been appended long ago, and the log can no longer tell,
// so it appends nothing rather than risk a duplicate. A client sees it
// only if it retries a record after more than [DedupWindow] newer ones.
var ErrSequenceTooOld = errors.New("sequence too old to tell whether it was appended")

// ErrProducerIDTooLong is returned by [DistributedLog.AppendFrom] for a
// producer ID of more than [MaxProducerIDBytes] bytes.
var ErrProducerIDTooLong = fmt.Errorf("producer ID longer than %d bytes", MaxProducerIDBytes)

// sent is one record a producer has had appended.
type sent struct {
	sequence uint64
	offset   uint64
}

// producer is what the FSM remembers of one producer: its latest appends,
// sorted by sequence, at most [DedupWindow] of them. Every sequence at or
// above floor that was appended is among them, since the window forgets
// its lowest sequence first; below floor the FSM cannot tell.
type producer struct {
	floor uint64 // the lowest sequence the window can judge
	sent  []sent // sorted by sequence, no two alike
}

// producers is the FSM's table of producers, by ID. Raft never calls the
// FSM's methods at once, so it needs no lock; a snapshot takes a copy.
type producers map[string]*producer

// lookup returns the offset at which producer's record with sequence was
// appended, and true, if it was; false if it was not; and
// [ErrSequenceTooOld] if the table cannot tell.
func (t producers) lookup(id string, sequence uint64) (uint64, bool, error) {
	p, ok := t[id]
	if !ok {
		return 0, false, nil
	}
	if sequence < p.floor {
		return 0, false, fmt.Errorf("%w: producer %q sequence %d, the oldest remembered is %d", ErrSequenceTooOld, id, sequence, p.floor)
	}
	i, found := slices.BinarySearchFunc(p.sent, sequence, compareSequence)
	if !found {
		return 0, false, nil
	}
	return p.sent[i].offset, true, nil
}

// record remembers that producer's record with sequence, which lookup did
// not find, was appended at offset, forgetting the lowest sequence when
// the window is full.
func (t producers) record(id string, sequence, offset uint64) {
	p, ok := t[id]
	if !ok {
		p = &producer{}
		t[id] = p
	}
	i, _ := slices.BinarySearchFunc(p.sent, sequence, compareSequence)
	p.sent = slices.Insert(p.sent, i, sent{sequence: sequence, offset: offset})
	if len(p.sent) > DedupWindow {
		p.floor = p.sent[0].sequence + 1
		p.sent = slices.Delete(p.sent, 0, 1)
	}
}

// clone returns a deep copy of t, for a snapshot that Raft persists while
// Apply goes on changing t.
func (t producers) clone() producers {
	c := make(producers, len(t))
	for id, p := range t {
		c[id] = &producer{floor: p.floor, sent: slices.Clone(p.sent)}
	}
	return c
}

// compareSequence orders a sent record against a sequence.
func compareSequence(s sent, sequence uint64) int {
	return cmp.Compare(s.sequence, sequence)
}
