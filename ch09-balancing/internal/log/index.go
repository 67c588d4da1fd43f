package log

import (
	"bytes"
	"encoding/binary"
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
// alongside anything else. The [Log] ensures that with its lock.
type index struct {
	file *os.File
	mmap gommap.MMap // the whole file, which never changes size while mapped
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
// number in, which for -1 means that it is empty.
func (i *index) Read(in int64) (out uint32, pos uint64, err error) {
	entries := i.size / entWidth
	if in == -1 {
		in = int64(entries) - 1
	}
	if in < 0 || uint64(in) >= entries {
		return 0, 0, io.EOF
	}
	at := uint64(in) * entWidth
	out = binary.BigEndian.Uint32(i.mmap[at : at+offWidth])
	pos = binary.BigEndian.Uint64(i.mmap[at+offWidth : at+entWidth])
	return out, pos, nil
}

// Write appends the entry (off, pos) after the last one. It returns io.EOF,
// writing nothing, when the file has no room for another entry.
func (i *index) Write(off uint32, pos uint64) error {
	if uint64(len(i.mmap))-i.size < entWidth {
		return io.EOF
	}
	binary.BigEndian.PutUint32(i.mmap[i.size:i.size+offWidth], off)
	binary.BigEndian.PutUint64(i.mmap[i.size+offWidth:i.size+entWidth], pos)
	i.size += entWidth
	return nil
}

// Close writes the mapped entries to the file, unmaps it, shrinks the file to
// its entries, so that the next newIndex finds exactly them, syncs it and
// closes it.
func (i *index) Close() error {
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
	return i.file.Close()
}

// Name returns the path of the index's file.
func (i *index) Name() string {
	return i.file.Name()
}
