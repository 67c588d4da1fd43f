package log

import (
	"io"
)

// Reader returns a reader of the whole log as its stores hold it: every
// segment's records, lengths (and checksums) included, in offset order. It is
// what a snapshot of the log copies. It reads the segments the log has when
// Reader is called, each up to its end at the time of the read. Once the
// log is closed, the reader fails with [ErrClosed]; a reader taken earlier
// fails with an error when it reaches a segment that Truncate, Close, Remove
// or Reset closed since.
func (l *Log) Reader() io.Reader {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return errReader{ErrClosed}
	}
	readers := make([]io.Reader, len(l.segments))
	for i, s := range l.segments {
		readers[i] = &originReader{store: s.store}
	}
	return io.MultiReader(readers...)
}

var _ io.Reader = (*originReader)(nil)

// originReader reads a store from its first byte on, through the store's
// ReadAt, which sees records still in the buffer.
type originReader struct {
	store *store
	off   int64 // where the next Read starts
}

// Read implements io.Reader.
func (o *originReader) Read(p []byte) (int, error) {
	n, err := o.store.ReadAt(p, o.off)
	o.off += int64(n)
	return n, err
}

// errReader is an io.Reader that fails with err.
type errReader struct{ err error }

// Read implements io.Reader.
func (r errReader) Read([]byte) (int, error) {
	return 0, r.err
}
