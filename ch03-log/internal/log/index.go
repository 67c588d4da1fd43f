package log

import (
	"fmt"
	"os"

	"github.com/proglog-workshop/proglog/ch03-log/internal/exercise"
	"github.com/tysonmote/gommap"
)

// index is the file of a segment that maps each of its offsets to the
// position of the record in the store: fixed-width entries, one per record,
// in offset order (see format.go). The file is memory-mapped, so reading an
// entry is a memory access.
//
// An index is not safe for concurrent use on its own: Write must not run
// alongside anything else. The [Log] ensures that with its lock. After
// Close, its methods return an error wrapping os.ErrClosed.
type index struct {
	file *os.File
	mmap gommap.MMap // the whole file, which never changes size while mapped; nil once closed
	size uint64      // bytes of entries at the start of mmap
}

// newIndex maps f, which must be open for reading and writing, as the index
// of a segment configured by c. The file is first grown to
// c.Segment.MaxIndexBytes, since a mapping cannot grow; a larger file, left
// by a larger configuration, keeps its size and its entries.
//
// The index's entries are the whole entries up to the last one that is not
// all zeros: a process that dies without closing the index leaves the file
// at full length, zeros after the last entry written. (The first entry of a
// segment, offset 0 at position 0, is all zeros too, so it is dropped with
// them; the segment puts it back from the store.) newIndex does not check the
// entries against the store; the segment does. On success the index owns f.
func newIndex(f *os.File, c Config) (*index, error) {
	//exercise:3.2 begin: see README.md#32-index
	return nil, exercise.NotDone("3.2")
	//exercise:3.2 end
}

// Read returns entry number in of the index (0 is the first; -1 is the
// last): the record's offset relative to the segment's base offset, and its
// position in the store. It returns io.EOF when the index has no entry
// number in, which for -1 means that it is empty, an error saying so for
// a negative number other than -1, which names no entry, and an error
// wrapping os.ErrClosed once the index is closed.
func (i *index) Read(in int64) (out uint32, pos uint64, err error) {
	//exercise:3.2 begin: see README.md#32-index
	return 0, 0, exercise.NotDone("3.2")
	//exercise:3.2 end
}

// Write appends the entry (off, pos) after the last one. It returns io.EOF,
// writing nothing, when the file has no room for another entry, and an error
// wrapping os.ErrClosed once the index is closed.
func (i *index) Write(off uint32, pos uint64) error {
	//exercise:3.2 begin: see README.md#32-index
	return exercise.NotDone("3.2")
	//exercise:3.2 end
}

// Close writes the mapped entries to the file, unmaps it, shrinks the file to
// its entries, so that the next newIndex finds exactly them, syncs it and
// closes it. Closing it again returns an error wrapping os.ErrClosed.
func (i *index) Close() error {
	//exercise:3.2 begin: see README.md#32-index
	return exercise.NotDone("3.2")
	//exercise:3.2 end
}

// abandon unmaps and closes the index, and puts the file back to size
// bytes, its size before newIndex grew it. A segment whose recovery fails
// calls it instead of Close, which would cut the file to the entries
// recovery kept: recovery writes no entry before it knows the segment is
// sound, so the file is then exactly as the segment found it.
func (i *index) abandon(size int64) error {
	if err := i.mmap.UnsafeUnmap(); err != nil {
		_ = i.file.Close() // the unmap error says what went wrong
		return fmt.Errorf("close index %s: %w", i.file.Name(), err)
	}
	i.mmap = nil
	if err := i.file.Truncate(size); err != nil {
		_ = i.file.Close() // the truncate error says what went wrong
		return fmt.Errorf("close index %s: %w", i.file.Name(), err)
	}
	return i.file.Close()
}

// Name returns the path of the index's file.
func (i *index) Name() string {
	//exercise:3.2 begin: see README.md#32-index
	return ""
	//exercise:3.2 end
}
