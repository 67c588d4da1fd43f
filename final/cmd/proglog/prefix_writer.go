package main

import (
	"bytes"
	"io"
	"sync"
)

// prefixWriter writes each line written to it to out, after prefix. The
// writers of one cluster share out and its lock, so that the lines of
// different nodes never mix within a line. One writer is for one
// goroutine: Write and Flush must not be called concurrently.
type prefixWriter struct {
	mu     *sync.Mutex // guards out, shared by every writer to it
	out    io.Writer
	prefix []byte
	part   []byte // the start of a line whose end has not come yet
}

// Write implements io.Writer. It writes the complete lines of p, and keeps
// what follows the last newline for the next Write.
func (w *prefixWriter) Write(p []byte) (int, error) {
	w.part = append(w.part, p...)
	for {
		i := bytes.IndexByte(w.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		if err := w.writeLine(w.part[:i+1]); err != nil {
			return len(p), err
		}
		w.part = w.part[i+1:]
	}
}

// Flush writes the last line, if it had no newline.
func (w *prefixWriter) Flush() error {
	if len(w.part) == 0 {
		return nil
	}
	line := append(w.part, '\n')
	w.part = nil
	return w.writeLine(line)
}

// writeLine writes prefix and line under the shared lock.
func (w *prefixWriter) writeLine(line []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.out.Write(w.prefix); err != nil {
		return err
	}
	_, err := w.out.Write(line)
	return err
}
