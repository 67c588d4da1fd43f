package log

import (
	"errors"
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
// A full buffer is written to the file outside the store's lock, and
// outside the log's (see [store.appendBuffered]): a second buffer takes
// the appends meanwhile, and whatever needs the file to hold every record
// (a flush, a sync, a read past the file's end) waits for that write
// first. One write is in flight at most, so the file receives the buffers
// in the order they filled.
//
// A store is safe for concurrent use, with one exception: Truncate and
// Close must not run while a read of a record (Read, record) does,
// since reads take no lock (see store_map.go). The [Log] ensures that with
// its lock.
type store struct {
	file *os.File
	mu   sync.Mutex // guards buf, spare, writing, err, size and the file's contents
	// buf holds the appends that have not been handed to the file. It is
	// made at the first append and dropped by flushAndFree when the log
	// moves on to a new segment, so that only the active segment's store
	// holds buffers (see [StoreBufferBytes]).
	buf []byte
	// spare is the second buffer, empty, ready to take the appends when
	// buf fills; nil while it is being written, or not made yet.
	spare []byte
	// writing says that a full buffer is on its way to the file, outside
	// the lock; written is signalled when it has arrived.
	writing bool
	written sync.Cond
	// err is the first write to the file that failed: the store is then
	// unusable, since a record in the middle may be missing.
	err  error
	size uint64 // bytes in the store, counting those still in a buffer
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

// StoreBufferBytes is the size of a store's buffers: appends reach the
// file in writes of at most this size (a larger record in a write of its
// own), or at the next read, flush or sync. 32 KiB holds a batch of 64
// records of 256 bytes (Raft hands [logStore.StoreLogs] up to
// raft.Config.MaxAppendEntries entries at once, 64 by default), so that
// such a batch reaches the file in one write before its sync: a 4 KiB
// buffer took five. Twice this, a full buffer on its way and the next one
// filling, is the most that the process dying can lose of a log that
// never syncs (Config.SyncEvery 0) and is not read. Only the active
// segment's store has buffers: a log of a thousand segments holds two, not
// two thousand.
const StoreBufferBytes = 32 << 10

// newStore returns a store that appends to f, which must be open for reading
// and writing in append mode. The store starts as large as f is; it does not
// check f's contents (the segment does). On success the store owns f.
func newStore(f *os.File) (*store, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &store{
		file: f,
		size: uint64(fi.Size()),
	}
	s.written.L = &s.mu
	return s, nil
}

// Append writes p as one record at the end of the store. It returns the
// number of bytes it added, length included, and the record's position,
// which [store.Read] takes. The record may stay in the buffer, not yet in
// the file, until the next Read, ReadAt, Flush, Sync, Truncate or Close.
// After an error the store is unusable: the buffer keeps failing.
func (s *store) Append(p []byte) (n uint64, pos uint64, err error) {
	n, pos, full, err := s.appendBuffered(p)
	if full != nil {
		err = errors.Join(err, s.writeFull(full))
	}
	return n, pos, err
}

// appendBuffered is [store.Append], except that a buffer it fills is not
// written: it returns it as full, for the caller to pass to
// [store.writeFull] once it has let go of its own locks, so that other
// appends need not wait for a system call (which a loaded disk can make
// last milliseconds). Until then, everything that needs the file to be
// whole waits, the next buffer's hand-over included. A caller that gets
// full must write it, even when err is not nil, and before anything of
// its own that flushes or syncs the store.
func (s *store) appendBuffered(p []byte) (n, pos uint64, full []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, 0, nil, s.err
	}
	n = lenWidth + uint64(len(p))
	if len(s.buf) > 0 && uint64(len(s.buf))+n > uint64(cap(s.buf)) {
		// The record does not fit: hand the full buffer over and start the
		// spare one, as bufio.Writer would write it out first.
		full = s.handOverLocked()
	}
	if s.buf == nil {
		s.buf = make([]byte, 0, StoreBufferBytes)
	}
	// A record larger than an empty buffer grows it; the buffer is
	// written whole at the next hand-over and not kept (see writeFull).
	s.buf = enc.AppendUint64(s.buf, uint64(len(p)))
	s.buf = append(s.buf, p...)
	pos = s.size
	s.size += n
	s.dirty = true
	return n, pos, full, nil
}

// handOverLocked waits for the write in flight, if there is one, marks
// the buffer as being written, puts the spare in its place and returns the
// full one. Callers must hold s.mu.
func (s *store) handOverLocked() []byte {
	for s.writing {
		s.written.Wait()
	}
	full := s.buf
	s.buf, s.spare = s.spare, nil
	s.writing = true
	return full
}

// writeFull writes full, which [store.appendBuffered] handed over, to the
// file, without the lock, then keeps it as the spare buffer and wakes
// whoever waits for the write. A failed write makes the store unusable.
func (s *store) writeFull(full []byte) error {
	_, err := s.file.Write(full)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writing = false
	s.written.Broadcast()
	if err != nil {
		err = fmt.Errorf("append to store: %w", err)
		if s.err == nil {
			s.err = err
		}
		return err
	}
	// A buffer that a large record grew goes; flushAndFree may also have
	// dropped the buffers meanwhile, for a segment the log has left.
	if cap(full) == StoreBufferBytes && s.buf != nil {
		s.spare = full[:0]
	}
	return nil
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

// flushLocked waits for the write in flight, if there is one, and writes
// the buffer to the file. Callers must hold s.mu.
func (s *store) flushLocked() error {
	for s.writing {
		s.written.Wait()
	}
	if s.err != nil {
		return s.err
	}
	if len(s.buf) == 0 {
		return nil
	}
	if _, err := s.file.Write(s.buf); err != nil {
		s.err = fmt.Errorf("append to store: %w", err)
		return s.err
	}
	s.buf = s.buf[:0]
	if cap(s.buf) > StoreBufferBytes {
		// A large record grew it: let that memory go.
		s.buf = nil
	}
	return nil
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
	s.buf, s.spare = nil, nil
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
