//go:build unix

package main

import (
	"errors"
	"syscall"
)

// processAlive reports whether the process pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM) // EPERM: it exists, as another user's
}
