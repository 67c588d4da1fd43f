//go:build unix && !linux

package faults

import "syscall"

// nodeProcAttr is empty where the kernel cannot kill a child when its
// parent dies: the cluster's cleanup kills the nodes.
func nodeProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
