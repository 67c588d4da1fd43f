package main

import "syscall"

// nodeProcAttr puts a node in a process group of its own, so that the
// Ctrl-C of the terminal reaches only the cluster, which then stops the
// nodes in order; and has the kernel send it SIGTERM if the cluster dies
// without stopping it (killed with SIGKILL, say), so no node outlives it.
func nodeProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
