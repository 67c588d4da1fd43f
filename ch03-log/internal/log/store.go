package log

import (
	"bufio"
	"io"
	"os"
	"sync"

	"github.com/proglog-workshop/proglog/ch03-log/internal/exercise"
)

// store is the file of a segment that holds its records, each a length
// followed by that many bytes, appended one after another (see format.go).
// Appends go through a buffer; Read, ReadAt, Flush, Sync, Truncate and Close
// write the buffer to the file first.
//
// A store is safe for concurrent use.
type store struct {
	file *os.File
	mu   sync.Mutex    // guards buf, size and the file's contents
	buf  *bufio.Writer // writes to file
	size uint64        // bytes in the store, counting those still in buf
}

var _ io.ReaderAt = (*store)(nil)

// newStore returns a store that appends to f, which must be open for reading
// and writing in append mode. The store starts as large as f is; it does not
// check f's contents (the segment does). On success the store owns f.
func newStore(f *os.File) (*store, error) {
	//exercise:3.1 begin: see README.md#31-store
	return nil, exercise.NotDone("3.1")
	//exercise:3.1 end
}

// Append writes p as one record at the end of the store. It returns the
// number of bytes it added, length included, and the record's position,
// which [store.Read] takes. The record may stay in the buffer, not yet in
// the file, until the next Read, ReadAt, Flush, Sync, Truncate or Close.
// After an error the store is unusable: the buffer keeps failing.
func (s *store) Append(p []byte) (n uint64, pos uint64, err error) {
	//exercise:3.1 begin: see README.md#31-store
	return 0, 0, exercise.NotDone("3.1")
	//exercise:3.1 end
}

// Read returns a new slice holding the record at pos, a position that
// [store.Append] returned. It returns io.EOF if pos is at or past the end of
// the store, and an error wrapping [ErrCorrupt] if the record's length runs
// past the end (a torn write or garbage), a [*CorruptError] naming the file
// and pos: a length read from the file is never trusted with an allocation
// larger than the store.
func (s *store) Read(pos uint64) ([]byte, error) {
	//exercise:3.1 begin: see README.md#31-store
	return nil, exercise.NotDone("3.1")
	//exercise:3.1 end
}

// ReadAt reads len(p) bytes of the store's file, lengths and all, starting
// at byte off. It implements io.ReaderAt, which [Log.Reader] builds on.
func (s *store) ReadAt(p []byte, off int64) (int, error) {
	//exercise:3.1 begin: see README.md#31-store
	return 0, exercise.NotDone("3.1")
	//exercise:3.1 end
}

// Flush writes the buffer to the file. The records appended so far then
// survive the process dying, since the operating system has them, but not
// the machine losing power: that takes Sync.
func (s *store) Flush() error {
	//exercise:3.1 begin: see README.md#31-store
	return exercise.NotDone("3.1")
	//exercise:3.1 end
}

// Sync writes the buffer to the file and then waits until the operating
// system reports the file's contents durable (fsync): after it returns,
// every record appended so far survives a power failure.
func (s *store) Sync() error {
	//exercise:3.1 begin: see README.md#31-store
	return exercise.NotDone("3.1")
	//exercise:3.1 end
}

// Truncate cuts the store down to its first size bytes, which must end a
// record, and appends continue from there. Recovery uses it to drop a torn
// last record. It never grows the store.
func (s *store) Truncate(size uint64) error {
	//exercise:3.1 begin: see README.md#31-store
	return exercise.NotDone("3.1")
	//exercise:3.1 end
}

// Close writes the buffer to the file and closes it. It does not sync: a
// clean shutdown leaves the data with the operating system, which is enough
// unless the machine loses power before writing it back (see
// Config.SyncEvery).
func (s *store) Close() error {
	//exercise:3.1 begin: see README.md#31-store
	return exercise.NotDone("3.1")
	//exercise:3.1 end
}

// Name returns the path of the store's file.
func (s *store) Name() string {
	return s.file.Name()
}
