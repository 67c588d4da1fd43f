package log

import (
	"cmp"
	"container/list"
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
	// DefaultMaxProducers is Config.MaxProducers when it is zero. With
	// full windows and IDs of 36 bytes (a UUID), 10,000 producers take
	// about 25 MiB of every server's memory and of every snapshot.
	DefaultMaxProducers = 10_000
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
	id       string
	lastUsed uint64 // the Raft index of the producer's latest command
	floor    uint64 // the lowest sequence the window can judge
	sent     []sent // sorted by sequence, no two alike
	use      *list.Element
}

// producers is the FSM's table of producers: at most max of them, the
// least recently used forgotten first. "Recently" counts Raft indexes, not
// time: every server applies the same commands in the same order, so every
// server forgets the same producers at the same command, and a snapshot
// carries the order along. A wall clock would differ from server to
// server, and entries do not keep the time they were appended.
//
// A forgotten producer is a new one to the table: a retry of one of its
// records is appended again. The table forgets a producer only after max
// others have been used since its latest command, which a producer in the
// middle of its retries (the client gives up after 30 s) meets only under
// a flood of new producer IDs.
//
// Raft never calls the FSM's methods at once, so the table needs no lock;
// a snapshot takes a copy. The zero value is not usable: see newProducers.
type producers struct {
	max  int // the most producers the table remembers
	byID map[string]*producer
	// byUse holds every *producer once, ordered by lastUsed, least recent
	// first; producers used by the same command keep the order they were
	// used in, which is the same on every server.
	byUse *list.List
}

// newProducers returns an empty table of at most limit producers, or
// DefaultMaxProducers if limit is zero or less.
func newProducers(limit int) *producers {
	if limit <= 0 {
		limit = DefaultMaxProducers
	}
	return &producers{max: limit, byID: make(map[string]*producer), byUse: list.New()}
}

// lookup returns the offset at which producer's record with sequence was
// appended, and true, if it was; false if it was not; and
// [ErrSequenceTooOld] if the table cannot tell. A producer the table
// knows counts as used by the command at index. A nil table knows nobody.
func (t *producers) lookup(id string, sequence, index uint64) (uint64, bool, error) {
	if t == nil {
		return 0, false, nil
	}
	p, ok := t.byID[id]
	if !ok {
		return 0, false, nil
	}
	t.used(p, index)
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
// not find, was appended at offset by the command at index, forgetting the
// producer's lowest sequence when its window is full, and the least
// recently used producer when the table is.
func (t *producers) record(id string, sequence, offset, index uint64) {
	p, ok := t.byID[id]
	if !ok {
		p = &producer{id: id, lastUsed: index}
		p.use = t.byUse.PushBack(p)
		t.byID[id] = p
	}
	t.used(p, index)
	i, _ := slices.BinarySearchFunc(p.sent, sequence, compareSequence)
	p.sent = slices.Insert(p.sent, i, sent{sequence: sequence, offset: offset})
	if len(p.sent) > DedupWindow {
		p.floor = p.sent[0].sequence + 1
		p.sent = slices.Delete(p.sent, 0, 1)
	}
	t.evict()
}

// used marks p as used by the command at index: it becomes the most
// recently used producer.
func (t *producers) used(p *producer, index uint64) {
	p.lastUsed = max(p.lastUsed, index)
	t.byUse.MoveToBack(p.use)
}

// add puts p, read from a snapshot, at the back of the table: the
// snapshot lists producers least recently used first.
func (t *producers) add(p *producer) {
	p.use = t.byUse.PushBack(p)
	t.byID[p.id] = p
	t.evict()
}

// evict forgets the least recently used producers until the table holds
// no more than its max.
func (t *producers) evict() {
	for len(t.byID) > t.max {
		oldest := t.byUse.Remove(t.byUse.Front()).(*producer)
		delete(t.byID, oldest.id)
	}
}

// len returns how many producers the table remembers; 0 for a nil table.
func (t *producers) len() int {
	if t == nil {
		return 0
	}
	return len(t.byID)
}

// inUseOrder returns the producers, least recently used first. The
// producers are t's own: the caller must not change them.
func (t *producers) inUseOrder() []*producer {
	if t == nil {
		return nil
	}
	ordered := make([]*producer, 0, len(t.byID))
	for e := t.byUse.Front(); e != nil; e = e.Next() {
		ordered = append(ordered, e.Value.(*producer))
	}
	return ordered
}

// clone returns a deep copy of t, for a snapshot that Raft persists while
// Apply goes on changing t. A nil t has a nil copy.
func (t *producers) clone() *producers {
	if t == nil {
		return nil
	}
	c := newProducers(t.max)
	for _, p := range t.inUseOrder() {
		c.add(&producer{id: p.id, lastUsed: p.lastUsed, floor: p.floor, sent: slices.Clone(p.sent)})
	}
	return c
}

// compareSequence orders a sent record against a sequence.
func compareSequence(s sent, sequence uint64) int {
	return cmp.Compare(s.sequence, sequence)
}
