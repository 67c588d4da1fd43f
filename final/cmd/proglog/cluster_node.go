package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
)

// The supervisor's timing.
const (
	// restartDelay is how long the supervisor waits before it restarts a
	// node that exited: long enough for its ports to be free again.
	restartDelay = 500 * time.Millisecond
	// quickExit is how soon after its start a node must exit to count as
	// failing to start rather than crashing later.
	quickExit = 10 * time.Second
	// maxQuickExits is how many times in a row a node may fail to start
	// before the supervisor gives up on the cluster.
	maxQuickExits = 3
)

// supervisor runs the nodes of a local cluster as child processes of its
// own binary ("proglog serve"), restarts a node that exits while the
// cluster runs, and stops them all on request.
type supervisor struct {
	dir clusterDir
	exe string // the proglog binary to run the nodes with

	outMu sync.Mutex // guards out, which every node's log lines go to
	out   io.Writer

	mu       sync.Mutex // guards state, procs and stopping
	state    clusterState
	procs    []*os.Process // the running process of each node, or nil
	stopping bool

	failed  chan error     // receives the error of a node that keeps failing
	stopped chan struct{}  // closed when stopping starts
	running sync.WaitGroup // counts the nodes' supervising goroutines
}

// newSupervisor returns a supervisor of the nodes of state in dir, which
// prints their logs to out. It starts nothing.
func newSupervisor(dir clusterDir, exe string, state clusterState, out io.Writer) *supervisor {
	return &supervisor{
		dir:     dir,
		exe:     exe,
		out:     out,
		state:   state,
		procs:   make([]*os.Process, len(state.Nodes)),
		failed:  make(chan error, len(state.Nodes)),
		stopped: make(chan struct{}),
	}
}

// printf prints a line of the cluster's own, between the nodes' lines.
func (s *supervisor) printf(format string, args ...any) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	fmt.Fprintf(s.out, "[cluster] "+format+"\n", args...)
}

// start starts node i, joining it through join (Serf addresses), and
// keeps it running until stop: when it exits, it is started again,
// joining through every other node.
func (s *supervisor) start(i int, join []string) {
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		s.supervise(i, join)
	}()
}

// supervise runs node i until stop, restarting it each time it exits.
func (s *supervisor) supervise(i int, join []string) {
	name := s.state.Nodes[i].Name
	quickExits := 0
	for {
		started := time.Now()
		err := s.run(i, join)
		if errors.Is(err, errStopping) {
			return
		}
		if time.Since(started) < quickExit {
			quickExits++
		} else {
			quickExits = 0
		}
		if quickExits >= maxQuickExits {
			s.failed <- fmt.Errorf("%s exited %d times within %s of starting, last with %v: see its log above", name, quickExits, quickExit, err)
			return
		}
		s.printf("%s exited (%v): restarting it in %s", name, err, restartDelay)
		select {
		case <-s.stopped:
			return
		case <-time.After(restartDelay):
		}
		join = s.othersBindAddrs(i)
	}
}

// errStopping is run's error when the cluster is stopping.
var errStopping = errors.New("the cluster is stopping")

// run starts node i, records its PID in cluster.json, and waits for it
// to exit. It returns errStopping if the cluster is stopping, and
// otherwise the way the node ended.
func (s *supervisor) run(i int, join []string) error {
	node := s.state.Nodes[i]
	logs := &prefixWriter{mu: &s.outMu, out: s.out, prefix: []byte("[" + node.Name + "] ")}
	cmd := exec.Command(s.exe, s.serveArgs(i, join)...)
	cmd.Env = withoutProglogEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = nodeProcAttr()
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return errStopping
	}
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("start %s: %w", node.Name, err)
	}
	s.procs[i] = cmd.Process
	s.state.Nodes[i].PID = cmd.Process.Pid
	err := s.dir.writeState(s.state)
	s.mu.Unlock()
	if err != nil {
		s.printf("%v", err)
	}
	s.printf("%s started (process %d)", node.Name, cmd.Process.Pid)
	waitErr := cmd.Wait()
	_ = logs.Flush() // the shared output is the terminal's: nothing to do if it fails
	s.mu.Lock()
	defer s.mu.Unlock()
	s.procs[i] = nil
	s.state.Nodes[i].PID = 0
	if s.stopping {
		return errStopping
	}
	if err := s.dir.writeState(s.state); err != nil {
		s.printf("%v", err)
	}
	if waitErr == nil {
		return errors.New("exit status 0")
	}
	return waitErr
}

// serveArgs are the arguments of node i's "proglog serve".
func (s *supervisor) serveArgs(i int, join []string) []string {
	node := s.state.Nodes[i]
	files := config.FilesIn(s.dir.configDir())
	args := []string{
		"serve",
		"--node-name", node.Name,
		"--data-dir", s.dir.nodeDir(node.Name),
		"--bind-addr", node.BindAddr,
		"--rpc-port", portOf(node.RPCAddr),
		"--http-addr", node.HTTPAddr,
		"--acl-model-file", filepath.Join(s.dir.configDir(), auth.ModelFileName),
		"--acl-policy-file", filepath.Join(s.dir.configDir(), auth.PolicyFileName),
		"--server-tls-cert-file", files.ServerCertFile,
		"--server-tls-key-file", files.ServerKeyFile,
		"--server-tls-ca-file", files.CAFile,
		// The nodes present the server certificate to each other too:
		// it names a server, not a client of the log.
		"--peer-tls-cert-file", files.ServerCertFile,
		"--peer-tls-key-file", files.ServerKeyFile,
		"--peer-tls-ca-file", files.CAFile,
		"--gossip-key-file", filepath.Join(s.dir.configDir(), gossipKeyFile),
		"--log-format", "console",
	}
	if i == 0 {
		// A node that finds a cluster in its data directory ignores it.
		args = append(args, "--bootstrap")
	}
	if len(join) > 0 {
		args = append(args, "--start-join-addrs", strings.Join(join, ","))
	}
	return args
}

// othersBindAddrs returns the Serf addresses of every node but i: a
// restarted node joins through whichever answers.
func (s *supervisor) othersBindAddrs(i int) []string {
	var addrs []string
	for j, node := range s.state.Nodes {
		if j != i {
			addrs = append(addrs, node.BindAddr)
		}
	}
	return addrs
}

// stop sends every node SIGTERM, which makes it leave the cluster and
// shut down, waits up to grace for them all to exit, then kills those
// left with SIGKILL. It returns when no node runs, and writes cluster.json
// without PIDs.
func (s *supervisor) stop(grace time.Duration) {
	s.mu.Lock()
	s.stopping = true
	close(s.stopped)
	for _, p := range s.procs {
		if p != nil {
			_ = p.Signal(syscall.SIGTERM) // one that has just exited needs no signal
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(grace):
		s.mu.Lock()
		for i, p := range s.procs {
			if p != nil {
				s.printf("%s is still running after %s: killing it", s.state.Nodes[i].Name, grace)
				_ = p.Kill() // as above
			}
		}
		s.mu.Unlock()
		<-done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.SupervisorPID = 0
	for i := range s.state.Nodes {
		s.state.Nodes[i].PID = 0
	}
	if err := s.dir.writeState(s.state); err != nil {
		s.printf("%v", err)
	}
}

// withoutProglogEnv returns env without the PROGLOG_ variables: a node's
// settings are its flags, not whatever the user's shell holds.
func withoutProglogEnv(env []string) []string {
	var kept []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, envPrefix+"_") {
			kept = append(kept, kv)
		}
	}
	return kept
}
