package log

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// meta is what a log's directory records about itself in metaFile
// (log.json), because the segment files cannot say it: a store written
// without checksums looks like one written with them, and a directory whose
// first segment was deleted looks like one that [Log.Truncate] cut.
type meta struct {
	// Checksum is Config.Segment.Checksum when the log was created.
	Checksum bool `json:"checksum"`
	// LowestOffset is the base offset of the first segment: InitialOffset
	// when the log was created, then raised by each Truncate.
	LowestOffset uint64 `json:"lowest_offset"`
}

// maxMetaBytes bounds what readMeta reads: log.json is a few dozen bytes,
// and a damaged one must not cost more than this.
const maxMetaBytes = 4096

// readMeta returns the meta of the log in dir, and false if dir has no
// metaFile. A file that does not parse is an error wrapping [ErrCorrupt].
func readMeta(dir string) (meta, bool, error) {
	path := filepath.Join(dir, metaFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return meta{}, false, nil
	}
	if err != nil {
		return meta{}, false, fmt.Errorf("open log: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxMetaBytes+1))
	_ = f.Close() // read-only; nothing to flush
	if err != nil {
		return meta{}, false, fmt.Errorf("open log: %w", err)
	}
	var m meta
	if len(data) > maxMetaBytes {
		return meta{}, false, corruptAt(path, 0, "longer than %d bytes", maxMetaBytes)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return meta{}, false, corruptAt(path, 0, "%v", err)
	}
	return m, true, nil
}

// writeMeta replaces the metaFile of dir with m, atomically and durably: it
// writes a temporary file, syncs it, renames it over metaFile and syncs the
// directory, so that a crash leaves either the old file or the new one.
func writeMeta(dir string, m meta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("write %s: %w", metaFile, err)
	}
	path := filepath.Join(dir, metaFile)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", metaFile, err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		_ = f.Close() // the write error says what went wrong
		return fmt.Errorf("write %s: %w", metaFile, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync error says what went wrong
		return fmt.Errorf("write %s: %w", metaFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", metaFile, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", metaFile, err)
	}
	return syncDir(dir)
}

// syncDir makes the entries of dir durable: a rename is not, until the
// directory itself is synced.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	if err := d.Sync(); err != nil {
		_ = d.Close() // the sync error says what went wrong
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return d.Close()
}

// checkMeta compares the log's directory with what its metaFile records,
// before any segment is opened, so that a mismatch changes no file. bases
// are the base offsets of the segments in the directory, sorted. It returns
//
//   - an error wrapping [ErrConfigMismatch] if l.Config.Segment.Checksum is
//     not the setting the log was written with;
//   - an error wrapping [ErrCorrupt] if the first segment starts after the
//     lowest offset recorded (a segment file was deleted: only Truncate may
//     remove records, and it records the new lowest offset first), if the
//     directory holds segments but no metaFile, or a metaFile but no
//     segment.
//
// A first segment that starts before the recorded lowest offset is what a
// crash in the middle of Truncate leaves: it is kept, and the next Truncate
// removes it. A directory with neither segments nor metaFile is a new log:
// checkMeta returns nil and setup calls [Log.createMeta] once the first
// segment exists. So does a lone empty segment at InitialOffset without a
// metaFile, which a crash during that first setup leaves.
//
// Callers must hold l.mu, or be NewLog.
func (l *Log) checkMeta(bases []uint64) error {
	m, found, err := readMeta(l.Dir)
	if err != nil {
		return err
	}
	path := filepath.Join(l.Dir, metaFile)
	switch {
	case !found && len(bases) == 0:
		return nil
	case !found && len(bases) == 1 && bases[0] == l.Config.Segment.InitialOffset &&
		sizeOf(segmentFile(l.Dir, bases[0], storeExt)) == 0:
		return nil
	case !found:
		return fmt.Errorf("%w: %s is missing, but the directory holds segments: the checksum setting and the lowest offset are unknown", ErrCorrupt, path)
	case len(bases) == 0:
		return fmt.Errorf("%w: %s records offsets from %d on, but there is no segment file: they were deleted", ErrCorrupt, path, m.LowestOffset)
	case m.Checksum != l.Config.Segment.Checksum:
		return fmt.Errorf("%w: %s: the log was written with Segment.Checksum %t; open it with the same setting", ErrConfigMismatch, path, m.Checksum)
	case bases[0] > m.LowestOffset:
		return fmt.Errorf("%w: %s records offsets from %d on, but the first segment starts at %d: %s and any segment before it were deleted", ErrCorrupt, path, m.LowestOffset, bases[0], segmentFile(l.Dir, m.LowestOffset, storeExt))
	}
	return nil
}

// sizeOf returns the size of the file at path, or -1 if it cannot be read.
func sizeOf(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// createMeta writes the metaFile of a new log: its checksum setting, and
// its first segment's base offset as the lowest offset. setup calls it after
// creating that segment.
//
// Callers must hold l.mu, or be NewLog.
func (l *Log) createMeta() error {
	if _, found, err := readMeta(l.Dir); err != nil || found {
		return err
	}
	return writeMeta(l.Dir, meta{Checksum: l.Config.Segment.Checksum, LowestOffset: l.segments[0].baseOffset})
}

// recordLowest records off as the log's lowest offset. [Log.Truncate]
// calls it before removing segments: a crash in between leaves segments
// below off, which the next open keeps, never a gap that looks like
// deleted files.
//
// Callers must hold l.mu.
func (l *Log) recordLowest(off uint64) error {
	return writeMeta(l.Dir, meta{Checksum: l.Config.Segment.Checksum, LowestOffset: off})
}
