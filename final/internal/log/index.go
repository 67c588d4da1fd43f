package log

import (
	"bytes"
	"fmt"
	"io"
	"os"

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
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	size := uint64(fi.Size())
	if size < c.Segment.MaxIndexBytes {
		if err := f.Truncate(int64(c.Segment.MaxIndexBytes)); err != nil {
			return nil, fmt.Errorf("open index: %w", err)
		}
	}
	mmap, err := gommap.Map(f.Fd(), gommap.PROT_READ|gommap.PROT_WRITE, gommap.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map index %s: %w", f.Name(), err)
	}
	// Count whole entries only, then give back the zeros a crash leaves.
	var zero [entWidth]byte
	n := size / entWidth
	for n > 0 && bytes.Equal(mmap[(n-1)*entWidth:n*entWidth], zero[:]) {
		n--
	}
	return &index{file: f, mmap: mmap, size: n * entWidth}, nil
}

// Read returns entry number in of the index (0 is the first; -1 is the
// last): the record's offset relative to the segment's base offset, and its
// position in the store. It returns io.EOF when the index has no entry
// number in, which for -1 means that it is empty, an error saying so for
// a negative number other than -1, which names no entry, and an error
// wrapping os.ErrClosed once the index is closed.
func (i *index) Read(in int64) (out uint32, pos uint64, err error) {
	// A closed index has no mapping left to read: touching it would crash.
	if i.mmap == nil {
		return 0, 0, fmt.Errorf("read index %s: %w", i.file.Name(), os.ErrClosed)
	}
	entries := i.size / entWidth
	switch {
	case in == -1:
		in = int64(entries) - 1
	case in < -1:
		return 0, 0, fmt.Errorf("read index %s: entry %d: -1 (the last entry) is the only negative entry number", i.file.Name(), in)
	}
	if in < 0 || uint64(in) >= entries {
		return 0, 0, io.EOF
	}
	at := uint64(in) * entWidth
	out = enc.Uint32(i.mmap[at : at+offWidth])
	pos = enc.Uint64(i.mmap[at+offWidth : at+entWidth])
	return out, pos, nil
}

// Write appends the entry (off, pos) after the last one. It returns io.EOF,
// writing nothing, when the file has no room for another entry, and an error
// wrapping os.ErrClosed once the index is closed.
func (i *index) Write(off uint32, pos uint64) error {
	if i.mmap == nil {
		return fmt.Errorf("write index %s: %w", i.file.Name(), os.ErrClosed)
	}
	if uint64(len(i.mmap))-i.size < entWidth {
		return io.EOF
	}
	enc.PutUint32(i.mmap[i.size:i.size+offWidth], off)
	enc.PutUint64(i.mmap[i.size+offWidth:i.size+entWidth], pos)
	i.size += entWidth
	return nil
}

// Close writes the mapped entries to the file, unmaps it, shrinks the file to
// its entries, so that the next newIndex finds exactly them, syncs it and
// closes it. Closing it again returns an error wrapping os.ErrClosed.
func (i *index) Close() error {
	if i.mmap == nil {
		return fmt.Errorf("close index %s: %w", i.file.Name(), os.ErrClosed)
	}
	if err := i.mmap.Sync(gommap.MS_SYNC); err != nil {
		return fmt.Errorf("close index %s: %w", i.file.Name(), err)
	}
	// gommap calls unmapping unsafe because touching the slice afterwards
	// crashes the process: drop it right away.
	if err := i.mmap.UnsafeUnmap(); err != nil {
		return fmt.Errorf("close index %s: %w", i.file.Name(), err)
	}
	i.mmap = nil
	if err := i.file.Truncate(int64(i.size)); err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	if err := i.file.Sync(); err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	// Nothing outside the fault battery's crashfs build (see crashfs.go).
	if err := recordSynced(i.file, i.size); err != nil {
		_ = i.file.Close() // err says what went wrong
		return err
	}
	return i.file.Close()
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
	return i.file.Name()
}
