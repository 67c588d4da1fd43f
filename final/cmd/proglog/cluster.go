package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/proglog-workshop/proglog/final/internal/config"
)

// clusterOptions are the settings of the cluster command.
type clusterOptions struct {
	dir          clusterDir
	fresh        bool
	nodes        int
	readyTimeout time.Duration // how long the nodes may take to agree on a leader
	stopTimeout  time.Duration // how long a node may take to stop before it is killed
}

// newClusterCommand returns the cluster command.
func newClusterCommand() *cobra.Command {
	opts := clusterOptions{}
	var dir string
	cmd := &cobra.Command{
		Use:   "cluster [--dir DIR] [--fresh] [--nodes N]",
		Short: "Run a cluster of local nodes, until Ctrl-C",
		Long: `cluster runs a cluster of --nodes nodes on this machine, each a
"proglog serve" process of its own on free ports of 127.0.0.1, and prints
their logs, each line after its node's name ([node-1] ...).

Everything lives in --dir:

  config/        certificates, ACL and gossip key, as "proglog gencert"
                 writes them (the first time only)
  node-1/ ...    each node's log and Raft state
  cluster.json   each node's addresses and process ID

When every node answers its health check and all agree on a leader,
cluster prints "[cluster] ready", the nodes' addresses, and the
commands to try. The client commands find this cluster on their own
when it runs in the default --dir.

A node that exits (crashes, or is killed) is started again on the same
ports and data, and catches up with the others. Ctrl-C sends every
node SIGTERM, waits for them to leave the cluster and stop, and kills
any still running after --stop-timeout.

Run again, cluster starts the same nodes on the same ports, on their
data: the records are still there. --fresh deletes --dir first, for a
new cluster with new certificates.`,
		Example: `  proglog cluster
  proglog cluster --fresh --nodes 5
  proglog cluster --dir /tmp/demo   # then: proglog produce --cluster-dir /tmp/demo hi`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.nodes < 1 {
				return fmt.Errorf("--nodes (%d) must be at least 1", opts.nodes)
			}
			opts.dir = clusterDir(dir)
			return runCluster(cmd.Context(), opts, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&dir, "dir", defaultClusterDir(), "directory of the cluster's certificates, data and state")
	cmd.Flags().BoolVar(&opts.fresh, "fresh", false, "delete --dir first: a new cluster, with no records")
	cmd.Flags().IntVar(&opts.nodes, "nodes", 3, "number of nodes (a majority must be up for the cluster to take records)")
	cmd.Flags().DurationVar(&opts.readyTimeout, "ready-timeout", time.Minute, "how long the nodes may take to elect a leader")
	cmd.Flags().DurationVar(&opts.stopTimeout, "stop-timeout", 15*time.Second, "how long a node may take to stop before it is killed")
	return cmd
}

// runCluster runs the cluster opts describe until ctx ends, printing to
// out, then stops it.
func runCluster(ctx context.Context, opts clusterOptions, out io.Writer) error {
	began := time.Now()
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the proglog binary to run the nodes with: %w", err)
	}
	state, err := prepareCluster(opts)
	if err != nil {
		return err
	}
	// The cluster watches its nodes as the root client.
	files := config.FilesIn(opts.dir.configDir())
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CAFile:   files.CAFile,
		CertFile: files.RootClientCertFile,
		KeyFile:  files.RootClientKeyFile,
	})
	if err != nil {
		return fmt.Errorf("%w: start over with --fresh", err)
	}
	p, err := newProbe(state.Nodes, tlsConfig)
	if err != nil {
		return err
	}
	defer func() { _ = p.Close() }() // local connections; nothing is lost
	sup := newSupervisor(opts.dir, exe, state, out)
	defer sup.stop(opts.stopTimeout)
	sup.printf("starting %d nodes in %s", len(state.Nodes), opts.dir)

	// The first node must be up before the others join it through Serf.
	sup.start(0, nil)
	if err := waitFor(ctx, opts.readyTimeout, sup.failed, func(ctx context.Context) error { return p.healthy(ctx, 0) }); err != nil {
		if ctx.Err() != nil {
			return nil // Ctrl-C while starting: stop, as asked
		}
		return fmt.Errorf("node-1 did not start (see its log above): %w", err)
	}
	for i := 1; i < len(state.Nodes); i++ {
		sup.start(i, []string{state.Nodes[0].BindAddr})
	}
	var leaderID, leaderAddr string
	err = waitFor(ctx, opts.readyTimeout, sup.failed, func(ctx context.Context) error {
		leader, err := p.agreed(ctx)
		leaderID, leaderAddr = leader.GetId(), leader.GetRpcAddr()
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil // Ctrl-C while starting: stop, as asked
		}
		return fmt.Errorf("the cluster did not become ready (see the node logs above; a cluster of old data may need --fresh): %w", err)
	}
	sup.printf("ready in %s: %d nodes, leader %s at %s", time.Since(began).Round(time.Millisecond), len(state.Nodes), leaderID, leaderAddr)
	printUsage(sup, opts.dir, state)
	select {
	case <-ctx.Done():
		sup.printf("stopping the nodes")
		return nil
	case err := <-sup.failed:
		return err
	}
}

// printUsage prints the nodes' addresses and the commands to try.
func printUsage(sup *supervisor, dir clusterDir, state clusterState) {
	for _, node := range state.Nodes {
		sup.printf("%s: gRPC and Raft %s, Serf %s, status page http://%s/status", node.Name, node.RPCAddr, node.BindAddr, node.HTTPAddr)
	}
	self := selfCommand()
	short := self
	if string(dir) != defaultClusterDir() {
		short += " --cluster-dir " + string(dir)
	}
	files := config.FilesIn(dir.configDir())
	full := fmt.Sprintf("%s --addr %s --ca %s --cert %s --key %s", self, state.Nodes[0].RPCAddr, files.CAFile, files.RootClientCertFile, files.RootClientKeyFile)
	lines := []string{
		"try, in another terminal:",
		"  " + subcommand(short, "produce") + " hello world",
		"  " + subcommand(short, "consume") + " --follow",
		"  " + subcommand(short, "servers"),
		"or, with every flag spelled out (the root client may do everything):",
		"  " + subcommand(full, "produce") + " hello world",
		"a node that exits is restarted; Ctrl-C stops them all",
	}
	for _, line := range lines {
		sup.printf("%s", line)
	}
}

// subcommand inserts name after the command's program words (the part
// before the first flag).
func subcommand(command, name string) string {
	program, flags, found := strings.Cut(command, " --")
	if !found {
		return command + " " + name
	}
	return program + " " + name + " --" + flags
}

// selfCommand returns how to run this binary again: if it was built by go
// run (into a temporary directory that is gone when it ends), "go run"
// with the package's path from the working directory (the repository's
// root or final/), and otherwise the path it was run by.
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil || !strings.Contains(exe, "go-build") {
		return os.Args[0]
	}
	for _, pkg := range []string{"./cmd/proglog", "./final/cmd/proglog"} {
		if _, err := os.Stat(filepath.Join(pkg, "main.go")); err == nil {
			return "go run " + pkg
		}
	}
	return "go run ./cmd/proglog"
}
