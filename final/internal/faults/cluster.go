//go:build unix

package faults

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
)

// Converge is how long the harness gives a node to start, the cluster to
// elect a leader, or a replica to catch up: seconds on an idle machine,
// with a wide margin for a loaded one.
const Converge = 60 * time.Second

// Cluster is a cluster of proglog nodes, each a "proglog serve" process on
// 127.0.0.1, or in a [Network] of its own, in a directory of its own:
//
//	config/        what "proglog gencert" wrote: certificates, ACL, gossip key
//	node-N/        node N's data directory
//	node-N.log     node N's output, every run of it appended
//
// A test that fails keeps the directory, and the test's log names it.
type Cluster struct {
	// Dir is the cluster's directory.
	Dir string
	// Nodes are the nodes, node-1 first; node-1 bootstrapped the cluster.
	Nodes []*Node
	// ClientTLS is the TLS of a client that may do everything (root).
	ClientTLS *tls.Config
	// Network is the network whose links the nemesis may cut, or nil:
	// the nodes then share 127.0.0.1, where nothing can be cut.
	Network *Network

	bin string
	t   testing.TB
}

// StartCluster starts a cluster of n nodes on 127.0.0.1 from the proglog
// binary bin (see [Build]), waits until it has a leader that lists all n,
// and kills every node when t ends. If t failed, the directory stays for
// a person to look at; otherwise it is deleted.
func StartCluster(t testing.TB, bin string, n int) *Cluster {
	t.Helper()
	return startCluster(t, bin, n, nil)
}

// StartPartitionableCluster starts a cluster as [StartCluster] does, but
// each node in a network namespace of its own, on a [Network] whose links
// the nemesis can cut. The network is removed when t ends, after the
// nodes. The machine must be able to make one: see [NetnsUsable].
func StartPartitionableCluster(t testing.TB, bin string, n int) *Cluster {
	t.Helper()
	network, err := NewNetwork(n)
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the cluster's cleanup, so it runs after it: the
	// nodes end before their namespaces go.
	t.Cleanup(func() {
		if err := network.Close(); err != nil {
			t.Errorf("remove the network: %v", err)
		}
	})
	t.Logf("network %s: nodes at %s and on, the test process at %s", network.ID, network.NodeAddr(0), network.HostAddr())
	return startCluster(t, bin, n, network)
}

// startCluster starts n nodes, in network if it is not nil.
func startCluster(t testing.TB, bin string, n int, network *Network) *Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "proglog-faults-")
	if err != nil {
		t.Fatalf("make the cluster's directory: %v", err)
	}
	c := &Cluster{Dir: dir, Network: network, bin: bin, t: t}
	t.Cleanup(c.stop)
	configDir := filepath.Join(dir, "config")
	gencert := []string{"gencert", "--dir", configDir}
	for i := range n {
		if network != nil {
			// The nodes and their clients check a node's certificate
			// against the address they dial.
			gencert = append(gencert, "--host", network.NodeAddr(i).String())
		}
	}
	if out, err := exec.Command(bin, gencert...).CombinedOutput(); err != nil {
		t.Fatalf("proglog gencert: %v\n%s", err, out)
	}
	files := config.FilesIn(configDir)
	c.ClientTLS, err = config.SetupTLSConfig(config.TLSConfig{
		CertFile: files.RootClientCertFile, KeyFile: files.RootClientKeyFile, CAFile: files.CAFile,
	})
	if err != nil {
		t.Fatalf("load the client's TLS: %v", err)
	}
	addrs, err := nodeAddrs(n, network)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		name := "node-" + strconv.Itoa(i+1)
		node := &Node{
			Name:     name,
			RPCAddr:  addrs[2*i],
			BindAddr: addrs[2*i+1],
			DataDir:  filepath.Join(dir, name),
			LogFile:  filepath.Join(dir, name+".log"),
			index:    i,
		}
		node.conn, err = grpc.NewClient(node.RPCAddr,
			grpc.WithTransportCredentials(credentials.NewTLS(c.ClientTLS)),
			// A killed node comes back within seconds: try it again soon.
			grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{
				BaseDelay: 50 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 500 * time.Millisecond,
			}, MinConnectTimeout: 2 * time.Second}))
		if err != nil {
			t.Fatalf("dial %s: %v", name, err)
		}
		node.log = api.NewLogClient(node.conn)
		c.Nodes = append(c.Nodes, node)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Converge)
	defer cancel()
	for i, node := range c.Nodes {
		var join []string
		if i > 0 {
			join = []string{c.Nodes[0].BindAddr}
		}
		if err := c.startNode(ctx, node, join, i == 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WaitHealthy(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// serveArgs returns the arguments of node's "proglog serve": the ones
// "proglog cluster" gives its nodes.
func (c *Cluster) serveArgs(node *Node, join []string, bootstrap bool) []string {
	configDir := filepath.Join(c.Dir, "config")
	files := config.FilesIn(configDir)
	_, port, _ := strings.Cut(node.RPCAddr, ":") // freeAddr made it host:port
	args := []string{
		"serve",
		"--node-name", node.Name,
		"--data-dir", node.DataDir,
		"--bind-addr", node.BindAddr,
		"--rpc-port", port,
		"--acl-model-file", filepath.Join(configDir, auth.ModelFileName),
		"--acl-policy-file", filepath.Join(configDir, auth.PolicyFileName),
		"--server-tls-cert-file", files.ServerCertFile,
		"--server-tls-key-file", files.ServerKeyFile,
		"--server-tls-ca-file", files.CAFile,
		"--peer-tls-cert-file", files.ServerCertFile,
		"--peer-tls-key-file", files.ServerKeyFile,
		"--peer-tls-ca-file", files.CAFile,
		"--gossip-key-file", filepath.Join(configDir, "gossip.key"),
		"--log-format", "console",
	}
	if bootstrap {
		args = append(args, "--bootstrap")
	}
	if len(join) > 0 {
		args = append(args, "--start-join-addrs", strings.Join(join, ","))
	}
	return args
}

// command returns the command that starts node: "proglog serve", in the
// node's namespace if the cluster has a network.
func (c *Cluster) command(node *Node, join []string, bootstrap bool) *exec.Cmd {
	args := c.serveArgs(node, join, bootstrap)
	if c.Network != nil {
		return c.Network.Command(node.index, c.bin, args...)
	}
	return exec.Command(c.bin, args...)
}

// startNode starts node and waits until it answers GetServers with a
// leader. A node that ends before is started again, up to three times: a
// port its killed predecessor held may take a moment to be free.
func (c *Cluster) startNode(ctx context.Context, node *Node, join []string, bootstrap bool) error {
	var err error
	for range 3 {
		if err = node.start(c.command(node, join, bootstrap)); err != nil {
			return err
		}
		if err = c.waitAnswers(ctx, node); err == nil {
			return nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("start %s: %w (see %s)", node.Name, err, node.LogFile)
}

// waitAnswers waits until node answers GetServers with a leader in the
// list, or its process ends, or ctx does.
func (c *Cluster) waitAnswers(ctx context.Context, node *Node) error {
	node.mu.Lock()
	exited := node.exited
	node.mu.Unlock()
	for {
		callCtx, cancel := context.WithTimeout(ctx, time.Second)
		res, err := node.log.GetServers(callCtx, &api.GetServersRequest{})
		cancel()
		if err == nil && leaderOf(res.GetServers()) != nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%s ended before it answered", node.Name)
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer with a leader within the deadline: last %v", node.Name, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// leaderOf returns the server of servers marked leader, or nil.
func leaderOf(servers []*api.Server) *api.Server {
	for _, s := range servers {
		if s.GetIsLeader() {
			return s
		}
	}
	return nil
}

// Kill ends node with SIGKILL, as a crash or a power cut would, and waits
// for its process to end. Its data directory stays as the kill left it.
func (c *Cluster) Kill(node *Node) error {
	return node.kill()
}

// Restart starts node again, on its data directory and ports, joining
// through the other nodes, and waits until it answers with a leader.
func (c *Cluster) Restart(ctx context.Context, node *Node) error {
	var join []string
	for _, other := range c.Nodes {
		if other != node {
			join = append(join, other.BindAddr)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, Converge)
	defer cancel()
	return c.startNode(ctx, node, join, false)
}

// Pause stops node with SIGSTOP: it holds its connections and answers
// nothing, as a process stalled by a long pause or a frozen VM does.
func (c *Cluster) Pause(node *Node) error { return node.pause() }

// Resume lets a paused node run again with SIGCONT.
func (c *Cluster) Resume(node *Node) error { return node.resume() }

// Leader returns the node the running, unpaused nodes report as the
// leader, itself running and unpaused, waiting for one until ctx ends.
func (c *Cluster) Leader(ctx context.Context) (*Node, error) {
	for {
		for _, node := range c.Nodes {
			if !node.up() {
				continue
			}
			callCtx, cancel := context.WithTimeout(ctx, time.Second)
			res, err := node.log.GetServers(callCtx, &api.GetServersRequest{})
			cancel()
			if err != nil {
				continue
			}
			if leader := c.nodeOf(leaderOf(res.GetServers())); leader != nil && leader.up() {
				return leader, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no leader: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// nodeOf returns the node that server is, or nil.
func (c *Cluster) nodeOf(server *api.Server) *Node {
	if server == nil {
		return nil
	}
	for _, node := range c.Nodes {
		if node.Name == server.GetId() || node.RPCAddr == server.GetRpcAddr() {
			return node
		}
	}
	return nil
}

// WaitHealthy waits until every node runs and answers GetServers with all
// the nodes and the same leader.
func (c *Cluster) WaitHealthy(ctx context.Context) error {
	var last string
	for {
		last = c.unhealthy(ctx)
		if last == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the cluster did not heal: %s", last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// unhealthy returns why the cluster is not healthy yet, or "".
func (c *Cluster) unhealthy(ctx context.Context) string {
	var leader string
	for _, node := range c.Nodes {
		if !node.up() {
			return node.Name + " is not running, or paused"
		}
		callCtx, cancel := context.WithTimeout(ctx, time.Second)
		res, err := node.log.GetServers(callCtx, &api.GetServersRequest{})
		cancel()
		if err != nil {
			return fmt.Sprintf("%s: GetServers: %v", node.Name, err)
		}
		if got := len(res.GetServers()); got != len(c.Nodes) {
			return fmt.Sprintf("%s lists %d servers, not %d", node.Name, got, len(c.Nodes))
		}
		l := leaderOf(res.GetServers())
		switch {
		case l == nil:
			return node.Name + " knows no leader"
		case leader == "":
			leader = l.GetId()
		case leader != l.GetId():
			return fmt.Sprintf("%s says %s leads, another node %s", node.Name, l.GetId(), leader)
		}
	}
	return ""
}

// UnexpectedExits returns, for each node, the exits the harness did not
// cause, one line each.
func (c *Cluster) UnexpectedExits() []string {
	var exits []string
	for _, node := range c.Nodes {
		for _, e := range node.unexpectedExits() {
			exits = append(exits, node.Name+": "+e)
		}
	}
	return exits
}

// stop kills every node with SIGKILL, which leaves its data directory
// as it was, for a person looking into a failure; closes the connections;
// and deletes the directory unless the test failed.
func (c *Cluster) stop() {
	for _, node := range c.Nodes {
		if node.PID() != 0 {
			if err := node.kill(); err != nil {
				c.t.Errorf("stop the cluster: %v", err)
			}
		}
		_ = node.conn.Close() // nothing is left to send on it
	}
	if c.t.Failed() {
		c.t.Logf("the cluster's directory, with every node's log and data, is kept in %s", c.Dir)
		return
	}
	if err := os.RemoveAll(c.Dir); err != nil {
		c.t.Errorf("delete the cluster's directory: %v", err)
	}
}
