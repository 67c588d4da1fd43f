package log

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// A snapshot of the FSM's log is
//
//	[8-byte big-endian first offset][8-byte big-endian number of records]
//
// followed by each record, in offset order, as
//
//	[8-byte big-endian length n][n bytes: the api.Record in protobuf]
//
// The records carry their offsets, which Restore checks. The table of
// producers follows them (see snapshot_producers.go).
const (
	// snapshotHeaderWidth is the size of the first offset and the count.
	snapshotHeaderWidth = 16
	// maxSnapshotRecordBytes bounds the length Restore accepts for one
	// record, so that a damaged snapshot is an error, not an attempt to
	// read exabytes. It is far above any record the server accepts.
	maxSnapshotRecordBytes = 1 << 30
)

var _ raft.FSMSnapshot = (*snapshot)(nil)

// snapshot is the range of records [first, next) of a log, fixed when Raft
// asked for it. Raft persists it in the background while Apply goes on
// appending, so the range must be fixed up front: copying up to the end of
// the log at the time of the copy would save records that Raft will apply
// again after a restore.
//
// The range is the records the log retains (see [Retention]), not its
// whole history, and the snapshot holds retention back from dropping them
// until Raft releases it.
type snapshot struct {
	log         *Log
	first, next uint64
	producers   *producers // a copy, taken with the range
	release     func()     // lets retention drop the range again
}

// Snapshot implements raft.FSM: it fixes the records the snapshot holds.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	first, next, release, err := f.log.hold()
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return &snapshot{log: f.log, first: first, next: next, producers: f.producers.clone(), release: release}, nil
}

// Persist implements raft.FSMSnapshot: it writes the records into sink and
// closes it, or cancels it on error.
func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	if err := s.write(sink); err != nil {
		return errors.Join(fmt.Errorf("persist snapshot: %w", err), sink.Cancel())
	}
	return sink.Close()
}

// write writes the snapshot's format to w.
func (s *snapshot) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	next := s.next
	var header [snapshotHeaderWidth]byte
	binary.BigEndian.PutUint64(header[:8], s.first)
	binary.BigEndian.PutUint64(header[8:], next-s.first)
	if _, err := bw.Write(header[:]); err != nil {
		return err
	}
	var buf []byte
	for off := s.first; off < next; off++ {
		record, err := s.log.Read(off)
		if err != nil {
			return err
		}
		buf = binary.BigEndian.AppendUint64(buf[:0], uint64(proto.Size(record)))
		if buf, err = (proto.MarshalOptions{}).MarshalAppend(buf, record); err != nil {
			return err
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	if err := writeProducers(bw, s.producers); err != nil {
		return err
	}
	return bw.Flush()
}

// Release implements raft.FSMSnapshot: retention may drop the snapshot's
// records again.
func (s *snapshot) Release() {
	s.release()
}

// Restore implements raft.FSM: it replaces the log with the snapshot's
// records, and the table of producers with the snapshot's. It returns an error wrapping [ErrCorrupt] for a snapshot that is
// not in the format Persist writes, after reading no more of it than it
// holds.
func (f *fsm) Restore(r io.ReadCloser) error {
	defer f.appended.notify()
	defer r.Close()
	br := bufio.NewReader(r)
	var header [snapshotHeaderWidth]byte
	if _, err := io.ReadFull(br, header[:]); err != nil {
		return fmt.Errorf("%w: snapshot header: %w", ErrCorrupt, err)
	}
	first := binary.BigEndian.Uint64(header[:8])
	count := binary.BigEndian.Uint64(header[8:])
	if err := f.log.resetAt(first); err != nil {
		return fmt.Errorf("restore snapshot: %w", err)
	}
	var buf bytes.Buffer
	var length [lenWidth]byte
	// count comes from the snapshot: it bounds the loop, never an
	// allocation, and a short snapshot ends it with an error.
	for i := range count {
		want := first + i
		if _, err := io.ReadFull(br, length[:]); err != nil {
			return fmt.Errorf("%w: snapshot record %d: %w", ErrCorrupt, want, err)
		}
		n := binary.BigEndian.Uint64(length[:])
		if n > maxSnapshotRecordBytes {
			return fmt.Errorf("%w: snapshot record %d is %d bytes long, more than %d", ErrCorrupt, want, n, maxSnapshotRecordBytes)
		}
		// CopyN grows the buffer as bytes arrive: a length that lies
		// costs no more memory than the bytes really there.
		buf.Reset()
		if _, err := io.CopyN(&buf, br, int64(n)); err != nil {
			return fmt.Errorf("%w: snapshot record %d: %w", ErrCorrupt, want, err)
		}
		record := &api.Record{}
		if err := proto.Unmarshal(buf.Bytes(), record); err != nil {
			return fmt.Errorf("%w: snapshot record %d: %w", ErrCorrupt, want, err)
		}
		if record.GetOffset() != want {
			return fmt.Errorf("%w: snapshot record %d has offset %d", ErrCorrupt, want, record.GetOffset())
		}
		if _, err := f.log.Append(record); err != nil {
			return fmt.Errorf("restore snapshot: %w", err)
		}
	}
	producers, err := readProducers(br, f.maxProducers)
	if err != nil {
		return err
	}
	f.producers = producers
	return nil
}
