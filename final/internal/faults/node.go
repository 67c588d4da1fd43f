//go:build unix

package faults

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Node is one node of a [Cluster]: a "proglog serve" process, started
// again on the same data directory and ports after each kill.
type Node struct {
	// Name is the node's name in the cluster, node-1 to node-N.
	Name string
	// RPCAddr is the address of its gRPC and Raft port.
	RPCAddr string
	// BindAddr is the address of its Serf (TCP and UDP).
	BindAddr string
	// DataDir is its data directory, kept across kills.
	DataDir string
	// LogFile is where its stderr and stdout go, every run appended.
	LogFile string

	index int              // its place in Cluster.Nodes and Network.Nodes
	conn  *grpc.ClientConn // to this node alone, not through the picker
	log   api.LogClient    // over conn

	mu         sync.Mutex // guards the fields below
	proc       *os.Process
	exited     chan struct{} // closed when proc has ended
	paused     bool          // stopped with SIGSTOP
	killing    bool          // the harness ended proc: its exit is expected
	unexpected []string      // exits the harness did not cause
}

// String returns the node's name.
func (n *Node) String() string { return n.Name }

// PID returns the process ID of the node's running process, or 0.
func (n *Node) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return 0
	}
	return n.proc.Pid
}

// up reports whether the node runs and is not paused: whether it can
// answer.
func (n *Node) up() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.proc != nil && !n.paused
}

// start starts the node's process with cmd, its output appended to its
// log file, and watches for its exit.
func (n *Node) start(cmd *exec.Cmd) error {
	out, err := os.OpenFile(n.LogFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open %s's log: %w", n.Name, err)
	}
	defer out.Close() // the child holds its own descriptor
	cmd.Env = withoutProglogEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = nodeProcAttr()
	if _, err := fmt.Fprintf(out, "=== %s: %s %s\n", time.Now().Format(time.RFC3339Nano), cmd.Path, strings.Join(cmd.Args[1:], " ")); err != nil {
		return fmt.Errorf("write %s's log: %w", n.Name, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc != nil {
		return fmt.Errorf("%s is already running (process %d)", n.Name, n.proc.Pid)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", n.Name, err)
	}
	n.proc, n.paused, n.killing = cmd.Process, false, false
	exited := make(chan struct{})
	n.exited = exited
	go func() {
		err := cmd.Wait()
		n.mu.Lock()
		defer n.mu.Unlock()
		if !n.killing {
			n.unexpected = append(n.unexpected, fmt.Sprintf("process %d ended by itself at %s: %v", cmd.Process.Pid, time.Now().Format(time.RFC3339Nano), err))
		}
		n.proc = nil
		close(exited)
	}()
	return nil
}

// kill ends the node's process with SIGKILL, paused or not, and waits
// for it to end.
func (n *Node) kill() error {
	n.mu.Lock()
	if n.proc == nil {
		n.mu.Unlock()
		return fmt.Errorf("kill %s: it is not running", n.Name)
	}
	n.killing = true
	err := n.proc.Signal(syscall.SIGKILL)
	exited := n.exited
	n.mu.Unlock()
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", n.Name, err)
	}
	<-exited
	return nil
}

// pause stops the node's process with SIGSTOP.
func (n *Node) pause() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return fmt.Errorf("pause %s: it is not running", n.Name)
	}
	if err := n.proc.Signal(syscall.SIGSTOP); err != nil {
		return fmt.Errorf("pause %s: %w", n.Name, err)
	}
	n.paused = true
	return nil
}

// resume lets the node's process run again with SIGCONT.
func (n *Node) resume() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return fmt.Errorf("resume %s: it is not running", n.Name)
	}
	if err := n.proc.Signal(syscall.SIGCONT); err != nil {
		return fmt.Errorf("resume %s: %w", n.Name, err)
	}
	n.paused = false
	return nil
}

// unexpectedExits returns the exits of the node the harness did not
// cause: a crash, or a node that stopped itself.
func (n *Node) unexpectedExits() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.unexpected...)
}

// withoutProglogEnv returns env without the PROGLOG_ variables: a node's
// settings are its flags, not the test's environment.
func withoutProglogEnv(env []string) []string {
	var kept []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PROGLOG_") {
			kept = append(kept, kv)
		}
	}
	return kept
}
