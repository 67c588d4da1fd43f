package main

import "os"

// processAlive reports whether the process pid exists: on Windows,
// FindProcess fails for one that does not.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release() // only a handle, to nothing we use
	return true
}
