package faults

import "syscall"

// nodeProcAttr has the kernel kill a node if the test process dies
// without stopping it, so that no node outlives the battery.
func nodeProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
