package log

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// After its records, a snapshot holds the table of producers (see
// producers.go), so that a server restored from it still recognises the
// retries of records the snapshot holds, and forgets the same producers as
// the servers that did not restore:
//
//	[8-byte big-endian number of producers]
//
// then, for each producer, least recently used first,
//
//	[8-byte id length n][n bytes: the id][8-byte Raft index of last use]
//	[8-byte floor][8-byte count m]
//	[m × (8-byte sequence, 8-byte offset)], sequences increasing
//
// A snapshot that ends right after its records has no producers.

// writeProducers writes t in the snapshot's format to w.
func writeProducers(w *bufio.Writer, t *producers) error {
	var buf []byte
	buf = binary.BigEndian.AppendUint64(buf, uint64(t.len()))
	for _, p := range t.inUseOrder() {
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(p.id)))
		buf = append(buf, p.id...)
		buf = binary.BigEndian.AppendUint64(buf, p.lastUsed)
		buf = binary.BigEndian.AppendUint64(buf, p.floor)
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(p.sent)))
		for _, s := range p.sent {
			buf = binary.BigEndian.AppendUint64(buf, s.sequence)
			buf = binary.BigEndian.AppendUint64(buf, s.offset)
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
	}
	_, err := w.Write(buf)
	return err
}

// readProducers reads the table of producers from r, which is positioned
// after the snapshot's records, into a table of at most limit producers
// (see newProducers). It returns an empty table if r ends there, and an
// error wrapping [ErrCorrupt] for bytes that are not the format
// writeProducers writes; lengths and counts are checked against their
// bounds before anything is allocated for them. A snapshot with more
// producers than limit (written by a server with a larger
// Config.MaxProducers) keeps the most recently used.
func readProducers(r *bufio.Reader, limit int) (*producers, error) {
	t := newProducers(limit)
	count, err := readUint64(r)
	if errors.Is(err, io.EOF) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: snapshot producers: %w", ErrCorrupt, err)
	}
	var lastUsed uint64 // of the producer before, to check the order
	for i := range count {
		p, err := readProducer(r, i)
		if err != nil {
			return nil, err
		}
		if p.lastUsed < lastUsed {
			return nil, fmt.Errorf("%w: snapshot producer %q was used at Raft index %d, before the one listed ahead of it (%d)", ErrCorrupt, p.id, p.lastUsed, lastUsed)
		}
		lastUsed = p.lastUsed
		if _, dup := t.byID[p.id]; dup {
			return nil, fmt.Errorf("%w: snapshot producer %q appears twice", ErrCorrupt, p.id)
		}
		t.add(p)
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: snapshot has bytes after its %d producers", ErrCorrupt, count)
	}
	return t, nil
}

// readProducer reads the i-th producer of a snapshot from r.
func readProducer(r *bufio.Reader, i uint64) (*producer, error) {
	idLen, err := readUint64(r)
	if err != nil {
		return nil, fmt.Errorf("%w: snapshot producer %d: %w", ErrCorrupt, i, err)
	}
	if idLen == 0 || idLen > MaxProducerIDBytes {
		return nil, fmt.Errorf("%w: snapshot producer %d has an id of %d bytes, not 1 to %d", ErrCorrupt, i, idLen, MaxProducerIDBytes)
	}
	id := make([]byte, idLen)
	if _, err := io.ReadFull(r, id); err != nil {
		return nil, fmt.Errorf("%w: snapshot producer %d: %w", ErrCorrupt, i, err)
	}
	p := &producer{id: string(id)}
	var n uint64
	if p.lastUsed, err = readUint64(r); err == nil {
		if p.floor, err = readUint64(r); err == nil {
			n, err = readUint64(r)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: snapshot producer %q: %w", ErrCorrupt, id, err)
	}
	if n > DedupWindow {
		return nil, fmt.Errorf("%w: snapshot producer %q has %d sequences, more than %d", ErrCorrupt, id, n, DedupWindow)
	}
	p.sent = make([]sent, n)
	for j := range p.sent {
		if p.sent[j].sequence, err = readUint64(r); err == nil {
			p.sent[j].offset, err = readUint64(r)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: snapshot producer %q: %w", ErrCorrupt, id, err)
		}
	}
	sorted := slices.IsSortedFunc(p.sent, func(a, b sent) int { return compareSequence(a, b.sequence) })
	if !sorted || slices.ContainsFunc(p.sent, func(s sent) bool { return s.sequence < p.floor }) {
		return nil, fmt.Errorf("%w: snapshot producer %q: sequences out of order or below the floor %d", ErrCorrupt, id, p.floor)
	}
	return p, nil
}

// readUint64 reads one 8-byte big-endian number. It returns io.EOF only
// if r ended before the first byte, io.ErrUnexpectedEOF within it.
func readUint64(r io.Reader) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b[:]), nil
}
