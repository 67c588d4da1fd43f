package compose

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/config"
)

// The test's bounds. On an idle 2-core machine the cluster is healthy
// about 30 s after "up", most of it compose's own start-up and the
// healthchecks' 2 s interval, and the whole test takes about 80 s; on one
// loaded by other work, the same took nearly 2 minutes to get healthy.
const (
	buildTimeout   = 3 * time.Minute // the binary and the image
	clusterTimeout = 3 * time.Minute // from "up" to the last check
	stepTimeout    = 90 * time.Second
	callTimeout    = 15 * time.Second // one command of the host's proglog
	pollEvery      = 500 * time.Millisecond
)

// nodes are the compose file's services, which are also the nodes' names.
var nodes = []string{"node-1", "node-2", "node-3"}

// cluster is a compose project of compose.yaml and the host's way in: the
// proglog binary and the environment that points it at the cluster.
type cluster struct {
	t       *testing.T
	compose []string // the compose command, "-p project" included
	env     []string // compose.yaml's variables
	bin     string   // the proglog binary, built on the host
	certs   string   // what gencert wrote
	ports   map[string]string
	via     string // the node whose port the client commands are given
}

func TestComposeCluster(t *testing.T) {
	buildCtx, cancelBuild := context.WithTimeout(t.Context(), buildTimeout)
	defer cancelBuild()
	if out, err := exec.CommandContext(buildCtx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		skipWithoutDocker(t, fmt.Sprintf("docker info fails (%v: %s)", err, strings.TrimSpace(string(out))))
	}
	composeCmd, err := composeCommand(buildCtx)
	if err != nil {
		skipWithoutDocker(t, err.Error())
	}
	c := newCluster(buildCtx, t, composeCmd)

	ctx, cancel := context.WithTimeout(t.Context(), clusterTimeout)
	defer cancel()
	began := time.Now()
	c.composeOrFail(ctx, "up", "-d")
	for _, node := range nodes {
		c.waitHealthy(ctx, node)
	}
	leader := c.waitForLeader(ctx, "")
	t.Logf("3 nodes healthy, %s leading, %s after compose up", leader, time.Since(began).Round(100*time.Millisecond))

	// From the host, through the published ports and --connect-to.
	first := c.cli(ctx, "produce", "one", "two", "three")
	require.Equal(t, "0\tone\n1\ttwo\n2\tthree\n", first)
	c.waitForRecords(ctx, "0\tone\n1\ttwo\n2\tthree\n")

	// The leader goes; the client finds the new one and produces on. It
	// enters through another node: --addr names one server only.
	c.via = otherThan(leader)
	c.composeOrFail(ctx, "stop", leader)
	newLeader := c.waitForLeader(ctx, leader)
	t.Logf("%s stopped; %s leads", leader, newLeader)
	require.Equal(t, "3\tfour\n4\tfive\n", c.cli(ctx, "produce", "four", "five"))

	// The old leader comes back in a new container on the same volume,
	// and catches up with what it missed. Had its data not been in the
	// volume, it would start empty and bootstrap a cluster of its own.
	c.composeOrFail(ctx, "rm", "-f", leader)
	c.composeOrFail(ctx, "up", "-d", "--no-deps", leader)
	c.waitHealthy(ctx, leader)
	c.waitForRecordOn(ctx, leader, 4, "five")
	c.waitForRecords(ctx, "0\tone\n1\ttwo\n2\tthree\n3\tfour\n4\tfive\n")
	servers := c.cli(ctx, "servers")
	for _, node := range nodes {
		require.Contains(t, servers, node+":8400", "every node must be back in the cluster")
	}
}

// newCluster builds the binary and the image, writes the certificates,
// picks the host's ports, and arranges for everything to be removed when
// the test ends, whatever its outcome.
func newCluster(ctx context.Context, t *testing.T, composeCmd []string) *cluster {
	t.Helper()
	dir := t.TempDir()
	suffix := strings.ToLower(rand.Text()[:10])
	image := "proglog:test-" + suffix
	c := &cluster{
		t:       t,
		compose: append(composeCmd, "-f", "compose.yaml", "-p", "proglogtest"+suffix),
		bin:     buildBinary(ctx, t, dir),
		certs:   filepath.Join(dir, "certs"),
		ports:   map[string]string{},
		via:     nodes[0],
	}
	_, err := run(ctx, nil, "docker", "build", "-q", "-t", image, "-f", filepath.Join("..", "..", "Dockerfile"), dir)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = run(context.Background(), nil, "docker", "image", "rm", "-f", image) })

	args := []string{"gencert", "--dir", c.certs}
	for _, node := range nodes {
		args = append(args, "--host", node)
	}
	_, err = run(ctx, nil, c.bin, args...)
	require.NoError(t, err)
	require.NoError(t, makeReadableToAll(c.certs), "the nodes run as user 65532, not the files' owner")

	c.env = []string{"PROGLOG_IMAGE=" + image, "PROGLOG_CERTS_DIR=" + c.certs}
	for i, node := range nodes {
		c.ports[node] = freePort(t)
		c.env = append(c.env, fmt.Sprintf("NODE_%d_PORT=%s", i+1, c.ports[node]))
	}
	t.Cleanup(func() {
		// A new context: the test's may be over, and this must run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.composeCommand(ctx, "down", "-v", "--remove-orphans", "--timeout", "10"); err != nil {
			t.Errorf("tear the cluster down: %v", err)
		}
	})
	// Cleanups run last first: the logs are read before the cluster goes.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		logs, err := c.composeCommand(context.Background(), "logs", "--no-color", "--tail", "60")
		t.Logf("the nodes' last logs (%v):\n%s", err, logs)
	})
	return c
}

// buildBinary builds a static proglog for the image, as "make image" does,
// into dir/build, beside the empty dir/build/data the Dockerfile copies.
func buildBinary(ctx context.Context, t *testing.T, dir string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "build", "data"), 0o755))
	bin := filepath.Join(dir, "build", "proglog")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "../../cmd/proglog")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// makeReadableToAll opens dir and its files to every user.
func makeReadableToAll(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Chmod(filepath.Join(dir, e.Name()), 0o644); err != nil {
			return err
		}
	}
	return os.Chmod(dir, 0o755)
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }() // only its port was wanted
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	return port
}

// composeCommand runs compose with args on the cluster's project.
func (c *cluster) composeCommand(ctx context.Context, args ...string) (string, error) {
	return run(ctx, c.env, c.compose[0], append(c.compose[1:], args...)...)
}

// composeOrFail runs compose with args and fails the test if it fails.
func (c *cluster) composeOrFail(ctx context.Context, args ...string) {
	c.t.Helper()
	_, err := c.composeCommand(ctx, args...)
	require.NoError(c.t, err)
}

// cli runs the host's proglog with args against the cluster, as a user
// would, and returns what it printed; it fails the test if it fails.
func (c *cluster) cli(ctx context.Context, args ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := run(ctx, c.cliEnv(), c.bin, args...)
	require.NoError(c.t, err)
	return out
}

// otherThan returns a node that is not node.
func otherThan(node string) string {
	if node == nodes[0] {
		return nodes[1]
	}
	return nodes[0]
}

// cliEnv points the client commands at c.via's published port, with
// root's certificate, and maps every node's advertised address to its
// published port.
func (c *cluster) cliEnv() []string {
	var routes []string
	for _, node := range nodes {
		routes = append(routes, node+":8400=127.0.0.1:"+c.ports[node])
	}
	return []string{
		"PROGLOG_ADDR=127.0.0.1:" + c.ports[c.via],
		"PROGLOG_CA=" + filepath.Join(c.certs, "ca.pem"),
		"PROGLOG_CERT=" + filepath.Join(c.certs, "root-client.pem"),
		"PROGLOG_KEY=" + filepath.Join(c.certs, "root-client-key.pem"),
		"PROGLOG_CONNECT_TO=" + strings.Join(routes, ","),
	}
}

// eventually calls check every pollEvery until it returns nil, and fails
// the test with its last error if stepTimeout passes first.
func (c *cluster) eventually(ctx context.Context, what string, check func(context.Context) error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	for {
		callCtx, cancelCall := context.WithTimeout(ctx, callTimeout)
		err := check(callCtx)
		cancelCall()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			c.t.Fatalf("%s: not within %s: %v", what, stepTimeout, err)
		case <-time.After(pollEvery):
		}
	}
}

// waitHealthy waits until Docker reports node's container healthy: its
// healthcheck, "proglog health" in the container, has passed.
func (c *cluster) waitHealthy(ctx context.Context, node string) {
	c.t.Helper()
	c.eventually(ctx, node+" healthy", func(ctx context.Context) error {
		id, err := c.composeCommand(ctx, "ps", "-q", node)
		if err != nil || strings.TrimSpace(id) == "" {
			return fmt.Errorf("no container yet: %v", err)
		}
		status, err := run(ctx, nil, "docker", "inspect", "--format", "{{.State.Health.Status}}", strings.TrimSpace(id))
		if err != nil {
			return err
		}
		if status = strings.TrimSpace(status); status != "healthy" {
			return fmt.Errorf("%s is %s", node, status)
		}
		return nil
	})
}

// waitForLeader waits until "proglog servers" names a leader other than
// notLeader, and returns it.
func (c *cluster) waitForLeader(ctx context.Context, notLeader string) string {
	c.t.Helper()
	var leader string
	c.eventually(ctx, "a leader", func(ctx context.Context) error {
		out, err := run(ctx, c.cliEnv(), c.bin, "servers")
		if err != nil {
			return err
		}
		for line := range strings.Lines(out) {
			if fields := strings.Fields(line); len(fields) == 3 && fields[2] == "leader" && fields[0] != notLeader {
				leader = fields[0]
				return nil
			}
		}
		return fmt.Errorf("no leader but %q among:\n%s", notLeader, out)
	})
	return leader
}

// waitForRecords waits until "proglog consume" prints want: followers
// serve consumes, and may be a moment behind.
func (c *cluster) waitForRecords(ctx context.Context, want string) {
	c.t.Helper()
	c.eventually(ctx, "the records", func(ctx context.Context) error {
		out, err := run(ctx, c.cliEnv(), c.bin, "consume")
		if err != nil {
			return err
		}
		if out != want {
			return fmt.Errorf("consume printed %q, want %q", out, want)
		}
		return nil
	})
}

// waitForRecordOn waits until node itself, asked over its own published
// port alone (no resolver, no picker), holds value at offset.
func (c *cluster) waitForRecordOn(ctx context.Context, node string, offset uint64, value string) {
	c.t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CAFile:   filepath.Join(c.certs, "ca.pem"),
		CertFile: filepath.Join(c.certs, "root-client.pem"),
		KeyFile:  filepath.Join(c.certs, "root-client-key.pem"),
	})
	require.NoError(c.t, err)
	conn, err := grpc.NewClient("127.0.0.1:"+c.ports[node], grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
	require.NoError(c.t, err)
	defer func() { _ = conn.Close() }() // only reads went over it
	log := api.NewLogClient(conn)
	c.eventually(ctx, node+" caught up", func(ctx context.Context) error {
		res, err := log.Consume(ctx, &api.ConsumeRequest{Offset: offset})
		if err != nil {
			return err
		}
		if got := string(res.GetRecord().GetValue()); got != value {
			return fmt.Errorf("offset %d holds %q, want %q", offset, got, value)
		}
		return nil
	})
}
