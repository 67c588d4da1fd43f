//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/config"
)

// The bounds of the cluster test's steps, generous for a loaded machine:
// on an idle one a cluster is ready in about two seconds.
const (
	stepTimeout = 30 * time.Second
	pollEvery   = 50 * time.Millisecond
)

// buildProglog builds this command into a temporary directory and returns
// the binary's path.
func buildProglog(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "proglog")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// runningCluster is a "proglog cluster" child process and what it has
// printed so far.
type runningCluster struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited; then waitErr is set
	waitErr error

	mu    sync.Mutex // guards lines
	lines []string
}

// startCluster starts "bin cluster --fresh --dir dir". The cluster is
// stopped, and its output shown if the test failed, when the test ends.
func startCluster(t *testing.T, bin, dir string) *runningCluster {
	t.Helper()
	c := &runningCluster{cmd: exec.Command(bin, "cluster", "--fresh", "--dir", dir), exited: make(chan struct{})}
	stdout, err := c.cmd.StdoutPipe()
	require.NoError(t, err)
	c.cmd.Stderr = c.cmd.Stdout
	require.NoError(t, c.cmd.Start())
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, scanner.Text())
			c.mu.Unlock()
		}
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			_ = c.cmd.Process.Signal(syscall.SIGINT) // a failed test's cluster: stop it
			select {
			case <-c.exited:
			case <-time.After(stepTimeout):
				_ = c.cmd.Process.Kill() // its nodes die with it (Pdeathsig)
				<-c.exited
			}
		}
		if t.Failed() {
			t.Logf("the cluster's output:\n%s", strings.Join(c.output(), "\n"))
		}
	})
	return c
}

// output returns the lines the cluster has printed so far.
func (c *runningCluster) output() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.lines)
}

// waitForLine waits until the cluster has printed a line that contains
// text.
func (c *runningCluster) waitForLine(t *testing.T, text string) {
	t.Helper()
	require.Eventually(t, func() bool {
		return slices.ContainsFunc(c.output(), func(line string) bool { return strings.Contains(line, text) })
	}, stepTimeout, pollEvery, "the cluster never printed %q", text)
}

// run runs bin with args and stdin, and returns what it printed on
// stdout; it fails the test if bin fails.
func run(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s: %s", strings.Join(args, " "), stderr.String())
	return string(out)
}

// leaderOf returns the name of the leader in the output of "servers".
func leaderOf(t *testing.T, servers string) string {
	t.Helper()
	for line := range strings.Lines(servers) {
		if fields := strings.Fields(line); len(fields) == 3 && fields[2] == "leader" {
			return fields[0]
		}
	}
	require.FailNow(t, "no leader in the output of servers", servers)
	return ""
}

// nodeIndex returns the index in state of the node named name.
func nodeIndex(t *testing.T, state clusterState, name string) int {
	t.Helper()
	i := slices.IndexFunc(state.Nodes, func(n nodeState) bool { return n.Name == name })
	require.GreaterOrEqual(t, i, 0, "no node %s in cluster.json", name)
	return i
}

// dialNode returns a client of the one node at addr, as root: not the
// client package, which would pick the server itself.
func dialNode(t *testing.T, dir clusterDir, addr string) api.LogClient {
	t.Helper()
	files := config.FilesIn(dir.configDir())
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{CAFile: files.CAFile, CertFile: files.RootClientCertFile, KeyFile: files.RootClientKeyFile})
	require.NoError(t, err)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return api.NewLogClient(conn)
}

// TestClusterRestartsAKilledLeader runs the binary as a user would: it
// starts a cluster, produces and consumes through it, kills the leader's
// process, produces on, sees the node restarted and caught up, and stops
// the cluster with Ctrl-C.
func TestClusterRestartsAKilledLeader(t *testing.T) {
	bin := buildProglog(t)
	dir := clusterDir(filepath.Join(t.TempDir(), "cluster"))
	c := startCluster(t, bin, string(dir))
	c.waitForLine(t, "[cluster] ready")

	require.Equal(t, "0\ta\n1\tb\n2\tc\n", run(t, bin, "", "produce", "--cluster-dir", string(dir), "a", "b", "c"))
	var consumed string
	require.Eventually(t, func() bool {
		consumed = run(t, bin, "", "consume", "--cluster-dir", string(dir))
		return consumed == "0\ta\n1\tb\n2\tc\n"
	}, stepTimeout, pollEvery, "consume must print every record produced; last printed %q", consumed)

	leader := leaderOf(t, run(t, bin, "", "servers", "--cluster-dir", string(dir)))
	state, err := dir.readState()
	require.NoError(t, err)
	killed := nodeIndex(t, state, leader)
	oldPID := state.Nodes[killed].PID
	require.NotZero(t, oldPID, "cluster.json must hold the PID of every running node")
	require.NoError(t, syscall.Kill(oldPID, syscall.SIGKILL))

	// The client finds a node that is up, and the new leader.
	require.Equal(t, "3\td\n4\te\n5\tf\n", run(t, bin, "d\ne\nf\n", "produce", "--cluster-dir", string(dir)))

	c.waitForLine(t, "[cluster] "+leader+" exited (signal: killed): restarting it")
	var newPID int
	require.Eventually(t, func() bool {
		state, err := dir.readState()
		newPID = state.Nodes[killed].PID
		return err == nil && newPID != 0 && newPID != oldPID
	}, stepTimeout, pollEvery, "the killed node must be restarted")

	restarted := dialNode(t, dir, state.Nodes[killed].RPCAddr)
	require.Eventually(t, func() bool {
		res, err := restarted.Consume(t.Context(), &api.ConsumeRequest{Offset: 5})
		return err == nil && string(res.GetRecord().GetValue()) == "f"
	}, stepTimeout, pollEvery, "the restarted node must catch up with the records produced while it was down")

	running, err := dir.readState()
	require.NoError(t, err)
	pids := []int{oldPID}
	for _, node := range running.Nodes {
		pids = append(pids, node.PID)
	}
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGINT))
	select {
	case <-c.exited:
	case <-time.After(stepTimeout):
		require.FailNow(t, "the cluster did not stop within its timeout after SIGINT")
	}
	require.NoError(t, c.waitErr, "Ctrl-C is the way to stop a cluster: it must exit with status 0")
	state, err = dir.readState()
	require.NoError(t, err)
	for _, node := range state.Nodes {
		require.Zero(t, node.PID, "cluster.json must show %s stopped", node.Name)
	}
	for _, pid := range pids {
		require.False(t, processAlive(pid), "process %d must be gone", pid)
	}
}
