//go:build unix && !linux

package main

import "syscall"

// nodeProcAttr puts a node in a process group of its own, so that the
// Ctrl-C of the terminal reaches only the cluster, which then stops the
// nodes in order. (Only Linux can also stop a node whose cluster was
// killed; elsewhere kill it by the PID in cluster.json.)
func nodeProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
