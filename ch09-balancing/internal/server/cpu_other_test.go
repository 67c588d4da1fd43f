//go:build !unix

package server

import "time"

// processCPU returns the CPU time the test process has used so far, and
// whether this platform can tell: here it cannot.
func processCPU() (time.Duration, bool) {
	return 0, false
}
