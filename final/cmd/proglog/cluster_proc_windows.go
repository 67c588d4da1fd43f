package main

import "syscall"

// nodeProcAttr puts a node in a process group of its own, so that the
// Ctrl-C of the console reaches only the cluster. Windows has no SIGTERM:
// stopping the cluster kills its nodes after --stop-timeout, and they
// restart from their data as after a crash.
func nodeProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
