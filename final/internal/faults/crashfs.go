//go:build unix

package faults

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// syncedSuffix ends the name of the sidecar in which a node built with the
// crashfs tag records, at each sync of a log file, how long the file then
// was (see internal/log/crashfs.go).
const syncedSuffix = ".synced"

// PowerCut is what [CutToSynced] did to a node's data directory.
type PowerCut struct {
	// Files is how many log files it looked at.
	Files int
	// Dropped is how many bytes it cut, written but never synced.
	Dropped int64
	// Torn is how many files it cut in the middle of their unsynced
	// bytes rather than at the synced length.
	Torn int
}

// String describes the cut in a line.
func (p PowerCut) String() string {
	return fmt.Sprintf("%d bytes never synced dropped from %d files, %d of them torn", p.Dropped, p.Files, p.Torn)
}

// CutToSynced does to the data directory of a killed node what a power
// cut does to a disk: what no fsync made durable is gone. SIGKILL alone
// leaves every write in the page cache, where the restarted node would
// find it. The node must have been built with the crashfs tag, whose log
// records each file's synced length in a sidecar.
//
// Each store (*.store) is cut back to its synced length, or to empty if
// it was never synced, keeping at random a prefix of the bytes written
// after, as the kernel may have written some back before the power went: a
// torn tail. Each index (*.index), written through a memory mapping that
// the log syncs only when it closes the segment, is kept whole at random
// (every dirty page written back) or cut to its synced length, zeros after
// as the log grows it back. Raft's stable store (bbolt) and its snapshots
// are left alone: bbolt syncs every commit, the snapshot store syncs a
// snapshot's files and their directory before the snapshot counts.
//
// What it does not simulate: a cut or a removal of a file that was not
// synced being undone (the old bytes coming back), and directory entries
// created since the directory's last sync vanishing.
func CutToSynced(dir string, rng *rand.Rand) (PowerCut, error) {
	var cut PowerCut
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		store := strings.HasSuffix(path, ".store")
		if d.IsDir() || !store && !strings.HasSuffix(path, ".index") {
			return nil
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		size := fi.Size()
		synced, err := syncedLength(path, fi)
		if err != nil {
			return err
		}
		keep := min(synced, size)
		switch {
		case store && size > synced:
			keep += rng.Int64N(size - synced + 1)
			if keep > synced && keep < size {
				cut.Torn++
			}
		case !store && rng.IntN(2) == 0:
			keep = size
		}
		cut.Files++
		cut.Dropped += size - keep
		if keep == size {
			return nil
		}
		if err := os.Truncate(path, keep); err != nil {
			return fmt.Errorf("cut %s to its synced length: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return cut, fmt.Errorf("cut %s as a power cut would: %w", dir, err)
	}
	return cut, nil
}

// syncedLength returns how many bytes of the file at path, whose info is
// fi, its sidecar says are durable: 0 without a sidecar, or with one left
// by another file of the same name (another inode).
func syncedLength(path string, fi os.FileInfo) (int64, error) {
	data, err := os.ReadFile(path + syncedSuffix)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		return 0, fmt.Errorf("%s%s: want \"<length> <inode>\", got %q", path, syncedSuffix, data)
	}
	length, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s%s: %w", path, syncedSuffix, err)
	}
	inode, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s%s: %w", path, syncedSuffix, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("%s: no inode number", path)
	}
	if uint64(st.Ino) != inode {
		return 0, nil
	}
	return length, nil
}
