//go:build crashfs

package log

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// This file is built only with the crashfs tag, for the fault battery's
// coordinated crash (see CutToSynced in internal/faults/crashfs.go).
// SIGKILL leaves what a process wrote in the page cache, so a killed node
// would come back with every byte it wrote, synced or not: a power cut
// would not. To cut the power honestly, each file that the log syncs
// records, after the fsync returned, how long it then was in a sidecar
// named <file>.synced; after killing every node, the battery cuts each
// file back to that length, dropping what no fsync made durable, as the
// disk would have.

// syncedSuffix ends the name of the sidecar that records how much of a
// file was durable at its last sync.
const syncedSuffix = ".synced"

// recordSynced records, in the sidecar of f, that its first size bytes are
// durable, with f's inode number: a sidecar left behind by a deleted file
// of the same name does not speak for a new one. The sidecar replaces the
// old one by a rename, which a SIGKILL cannot tear.
func recordSynced(f *os.File, size uint64) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("crashfs: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("crashfs: no inode number for %s", f.Name())
	}
	sidecar := f.Name() + syncedSuffix
	line := strconv.FormatUint(size, 10) + " " + strconv.FormatUint(st.Ino, 10) + "\n"
	if err := os.WriteFile(sidecar+".tmp", []byte(line), 0o644); err != nil {
		return fmt.Errorf("crashfs: %w", err)
	}
	if err := os.Rename(sidecar+".tmp", sidecar); err != nil {
		return fmt.Errorf("crashfs: %w", err)
	}
	return nil
}
