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
// past its end maps the file again, twice as large.
//
// Reads take no lock: the store publishes a storeView, the mapping and how
// many of its bytes the file holds, and a read of a record inside the view
// touches nothing else. Only a read past the view (records still in the
// buffer, or past the mapping) locks the store, writes the buffer out and
// publishes a new view. Pages of a mapping past the end of its file must
// not be touched (SIGBUS): a view never counts bytes the file does not
// hold, Truncate publishes a shorter view before new appends, and the
// caller must not truncate or close the store while it reads (the [Log]'s
// lock ensures that). A mapping that a larger one replaces stays mapped
// until Close, since a reader may still be inside it.

// minMapBytes is the smallest mapping a store makes: most stores of a log
// with the default segment size fit in one mapping of twice this.
const minMapBytes = 8 << 20

// storeView is what a reader may touch without the store's lock: the
// first readable bytes of mmap, all of them written to the file. A view
// never changes; the store publishes a new one.
type storeView struct {
	mmap     gommap.MMap
	readable uint64
}

// record returns the record at pos as the view's memory, and true, if the
// view holds the whole of it. False means that the store must look under
// its lock: the record is not in the view, or its length is damaged.
func (v *storeView) record(pos uint64) ([]byte, bool) {
	if pos > v.readable || v.readable-pos < lenWidth {
		return nil, false
	}
	n := enc.Uint64(v.mmap[pos : pos+lenWidth])
	start := pos + lenWidth
	if n > v.readable-start {
		return nil, false
	}
	end := start + n
	return v.mmap[start:end:end], true
}

// viewLocked writes the buffer to the file, maps the file again if the
// mapping does not reach its end, and publishes and returns a view of every
// byte of the store. Callers must hold s.mu.
func (s *store) viewLocked() (*storeView, error) {
	if err := s.flushLocked(); err != nil {
		return nil, fmt.Errorf("read store: %w", err)
	}
	v := s.view.Load()
	if v != nil && v.readable == s.size {
		return v, nil
	}
	var m gommap.MMap
	if v != nil {
		m = v.mmap
	}
	if s.size > uint64(len(m)) {
		var err error
		if m, err = s.mapFile(s.size, uint64(len(m))); err != nil {
			return nil, err
		}
		if v != nil && v.mmap != nil {
			s.retired = append(s.retired, v.mmap)
		}
	}
	v = &storeView{mmap: m, readable: s.size}
	s.view.Store(v)
	return v, nil
}

// mapFile maps at least the first need bytes of the file, and at least
// twice old, a mapping it replaces. Callers must hold s.mu.
func (s *store) mapFile(need, old uint64) (gommap.MMap, error) {
	length := max(need, 2*old, minMapBytes)
	page := uint64(os.Getpagesize())
	length = (length + page - 1) / page * page
	m, err := gommap.MapRegion(s.file.Fd(), 0, int64(length), gommap.PROT_READ, gommap.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map store %s: %w", s.file.Name(), err)
	}
	return m, nil
}

// shrinkView makes the published view end at size bytes, if it reaches
// further: Truncate calls it before the bytes past size leave the file.
// Callers must hold s.mu.
func (s *store) shrinkView(size uint64) {
	if v := s.view.Load(); v != nil && v.readable > size {
		s.view.Store(&storeView{mmap: v.mmap, readable: size})
	}
}

// unmap drops every mapping, the current one and those it replaced.
// Callers must hold s.mu, and no reader may be inside a mapping.
func (s *store) unmap() error {
	maps := s.retired
	if v := s.view.Load(); v != nil && v.mmap != nil {
		// An empty store's view maps nothing.
		maps = append(maps, v.mmap)
	}
	// Touching a mapping after unmapping it would crash the process: drop
	// them first.
	s.view.Store(nil)
	s.retired = nil
	for _, m := range maps {
		if err := m.UnsafeUnmap(); err != nil {
			return fmt.Errorf("unmap store %s: %w", s.file.Name(), err)
		}
	}
	return nil
}
