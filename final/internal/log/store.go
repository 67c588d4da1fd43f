package log

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/tysonmote/gommap"
)

// store is the file of a segment that holds its records, each a length
// followed by that many bytes, appended one after another (see format.go).
// Appends go through a buffer; ReadAt, Flush, Sync, Truncate and Close
// write the buffer to the file first, and so does a read of a record still
// in it.
//
// A store is safe for concurrent use, with one exception: Truncate and
// Close must not run while a read of a record (Read, record) does,
// since reads take no lock (see store_map.go). The [Log] ensures that with
// its lock.
type store struct {
	file *os.File
	mu   sync.Mutex // guards buf, size and the file's contents
	// buf writes to file. It is made at the first append and dropped by
	// flushAndFree when the log moves on to a new segment, so that only
	// the active segment's store holds one (see [StoreBufferBytes]).
	buf  *bufio.Writer
	size uint64 // bytes in the store, counting those still in buf
	// dirty says that the store was appended to or truncated since its last
	// successful Sync: [Log.Sync] syncs only the stores that are.
	dirty bool
	// view is what reads touch without the lock: a read-only mapping of
	// the file, from its first byte, and how much of it the file holds;
	// nil until the first read (see store_map.go).
	view atomic.Pointer[storeView]
	// retired are the mappings that larger ones replaced, kept until Close
	// for the readers that may still be inside them.
	retired []gommap.MMap
}

var _ io.ReaderAt = (*store)(nil)

// StoreBufferBytes is the size of a store's buffer: appends reach the file
// in writes of this size, or at the next read, flush or sync. 32 KiB holds
// a batch of 64 records of 256 bytes (Raft hands [logStore.StoreLogs] up
// to raft.Config.MaxAppendEntries entries at once, 64 by default), so that
// such a batch reaches the file in one write before its sync: a 4 KiB
// buffer took five. It is also the most that the process dying can lose
// of a log that never syncs (Config.SyncEvery 0) and is not read. Only
// the active segment's store has a buffer: a log of a thousand segments
// holds one, not a thousand.
const StoreBufferBytes = 32 << 10

// newStore returns a store that appends to f, which must be open for reading
// and writing in append mode. The store starts as large as f is; it does not
// check f's contents (the segment does). On success the store owns f.
func newStore(f *os.File) (*store, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &store{
		file: f,
		size: uint64(fi.Size()),
	}, nil
}

// Append writes p as one record at the end of the store. It returns the
// number of bytes it added, length included, and the record's position,
// which [store.Read] takes. The record may stay in the buffer, not yet in
// the file, until the next Read, ReadAt, Flush, Sync, Truncate or Close.
// After an error the store is unusable: the buffer keeps failing.
func (s *store) Append(p []byte) (n uint64, pos uint64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buf == nil {
		s.buf = bufio.NewWriterSize(s.file, StoreBufferBytes)
	}
	// AvailableBuffer is the free end of the buffer: appending the length
	// there and writing it costs no allocation.
	length := enc.AppendUint64(s.buf.AvailableBuffer(), uint64(len(p)))
	if _, err := s.buf.Write(length); err != nil {
		return 0, 0, fmt.Errorf("append to store: %w", err)
	}
	if _, err := s.buf.Write(p); err != nil {
		return 0, 0, fmt.Errorf("append to store: %w", err)
	}
	pos = s.size
	n = lenWidth + uint64(len(p))
	s.size += n
	s.dirty = true
	return n, pos, nil
}

// Read returns a new slice holding the record at pos, a position that
// [store.Append] returned. It returns io.EOF if pos is at or past the end of
// the store, and an error wrapping [ErrCorrupt] if the record's length runs
// past the end (a torn write or garbage), a [*CorruptError] naming the file
// and pos: a length read from the file is never trusted with an allocation
// larger than the store.
func (s *store) Read(pos uint64) ([]byte, error) {
	record, err := s.record(pos)
	if err != nil {
		return nil, err
	}
	p := make([]byte, len(record))
	copy(p, record)
	return p, nil
}

// record returns the record at pos, a position that [store.Append]
// returned, as the store's own memory, valid until the store is truncated
// or closed; it fails as [store.Read] does. A record that the file holds
// costs no lock, no system call and no allocation once the file is
// mapped: only a record past the published view (see store_map.go) locks
// the store and writes its buffer out.
func (s *store) record(pos uint64) ([]byte, error) {
	if v := s.view.Load(); v != nil {
		if record, ok := v.record(pos); ok {
			return record, nil
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.viewLocked()
	if err != nil {
		return nil, err
	}
	if pos >= s.size {
		return nil, io.EOF
	}
	if s.size-pos < lenWidth {
		return nil, corruptAt(s.file.Name(), pos, "%d bytes cannot hold a record's length", s.size-pos)
	}
	// The length comes from the file: the view checked it against what the
	// store holds before using it, or a torn or damaged length could ask
	// for exabytes.
	record, ok := v.record(pos)
	if !ok {
		n := enc.Uint64(v.mmap[pos : pos+lenWidth])
		return nil, corruptAt(s.file.Name(), pos, "the record claims %d bytes, but only %d follow", n, s.size-pos-lenWidth)
	}
	return record, nil
}

// ReadAt reads len(p) bytes of the store's file, lengths and all, starting
// at byte off. It implements io.ReaderAt, which [Log.Reader] builds on.
func (s *store) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flushLocked(); err != nil {
		return 0, fmt.Errorf("read store: %w", err)
	}
	return s.file.ReadAt(p, off)
}

// flushLocked writes the buffer, if the store has one, to the file.
// Callers must hold s.mu.
func (s *store) flushLocked() error {
	if s.buf == nil {
		return nil
	}
	return s.buf.Flush()
}

// flushAndFree is [store.Flush], and then frees the buffer: the log calls
// it when it leaves the segment for a new one, which takes the appends from
// then on. An append to the store (a rewind can make it the last segment
// again) makes a new buffer.
func (s *store) flushAndFree() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flushLocked(); err != nil {
		return fmt.Errorf("flush store: %w", err)
	}
	s.buf = nil
	return nil
}

// Flush writes the buffer to the file. The records appended so far then
// survive the process dying, since the operating system has them, but not
// the machine losing power: that takes Sync.
func (s *store) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flushLocked(); err != nil {
		return fmt.Errorf("flush store: %w", err)
	}
	return nil
}

// Sync writes the buffer to the file and then waits until the operating
// system reports the file's contents durable (fsync): after it returns,
// every record appended so far survives a power failure.
func (s *store) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flushLocked(); err != nil {
		return fmt.Errorf("sync store: %w", err)
	}
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("sync store: %w", err)
	}
	// Nothing outside the fault battery's crashfs build (see crashfs.go).
	if err := recordSynced(s.file, s.size); err != nil {
		return err
	}
	s.dirty = false
	return nil
}

// syncIfDirty is [store.Sync] for a store that was appended to or
// truncated since its last sync, and nothing for one that was not.
func (s *store) syncIfDirty() error {
	s.mu.Lock()
	dirty := s.dirty
	s.mu.Unlock()
	if !dirty {
		return nil
	}
	return s.Sync()
}

// Truncate cuts the store down to its first size bytes, which must end a
// record, and appends continue from there. Recovery uses it to drop a torn
// last record. It never grows the store.
func (s *store) Truncate(size uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if size > s.size {
		return fmt.Errorf("truncate store %s to %d bytes: it has only %d", s.file.Name(), size, s.size)
	}
	if err := s.flushLocked(); err != nil {
		return fmt.Errorf("truncate store: %w", err)
	}
	// Readers must not see the bytes that are about to go.
	s.shrinkView(size)
	if err := s.file.Truncate(int64(size)); err != nil {
		return fmt.Errorf("truncate store: %w", err)
	}
	s.size = size
	s.dirty = true
	return nil
}

// Close writes the buffer to the file and closes it. It does not sync: a
// clean shutdown leaves the data with the operating system, which is enough
// unless the machine loses power before writing it back (see
// Config.SyncEvery).
func (s *store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flushLocked(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	if err := s.unmap(); err != nil {
		_ = s.file.Close() // the unmap error says what went wrong
		return fmt.Errorf("close store: %w", err)
	}
	return s.file.Close()
}

// Name returns the path of the store's file.
func (s *store) Name() string {
	return s.file.Name()
}
