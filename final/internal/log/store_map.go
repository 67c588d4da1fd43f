package log

import (
	"fmt"
	"os"

	"github.com/tysonmote/gommap"
)

// A store reads its records through a read-only memory mapping of its file
// rather than with a pread per length and per record: on a virtual
// machine a system call costs microseconds, the copy out of the page
// cache tens of nanoseconds. The mapping is made at the first read and
// covers more than the file, so that the store can grow under it; a read
// past its end maps the file again, twice as large. The mapping is only
// touched below the store's size, with the store's lock held and its
// buffer flushed, so every byte read is in the file: pages of a mapping
// past the end of a file must not be touched (SIGBUS).

// minMapBytes is the smallest mapping a store makes: most stores of a log
// with the default segment size fit in one mapping of twice this.
const minMapBytes = 8 << 20

// mapped returns the bytes [from, to) of the store's file, read through the
// mapping, mapping the file first or again if the mapping does not reach to.
// Callers must hold s.mu, have flushed s.buf, and have to ≤ s.size. The
// result is valid until s.mu is released.
func (s *store) mapped(from, to uint64) ([]byte, error) {
	if to > uint64(len(s.mmap)) {
		if err := s.remap(to); err != nil {
			return nil, err
		}
	}
	return s.mmap[from:to], nil
}

// remap replaces the mapping with one that covers at least the first need
// bytes of the file, and at least twice the old mapping. Callers must hold
// s.mu.
func (s *store) remap(need uint64) error {
	length := max(need, 2*uint64(len(s.mmap)), minMapBytes)
	page := uint64(os.Getpagesize())
	length = (length + page - 1) / page * page
	if err := s.unmap(); err != nil {
		return err
	}
	m, err := gommap.MapRegion(s.file.Fd(), 0, int64(length), gommap.PROT_READ, gommap.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("map store %s: %w", s.file.Name(), err)
	}
	s.mmap = m
	return nil
}

// unmap drops the mapping, if there is one. Callers must hold s.mu.
func (s *store) unmap() error {
	if s.mmap == nil {
		return nil
	}
	// Touching the slice after unmapping it would crash the process: drop
	// it first.
	m := s.mmap
	s.mmap = nil
	if err := m.UnsafeUnmap(); err != nil {
		return fmt.Errorf("unmap store %s: %w", s.file.Name(), err)
	}
	return nil
}
