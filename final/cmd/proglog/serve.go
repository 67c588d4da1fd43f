package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/zap"

	"github.com/proglog-workshop/proglog/final/internal/agent"
	proglog "github.com/proglog-workshop/proglog/final/internal/log"
)

// newServeCommand returns the serve command: one node of a cluster.
func newServeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run one node of a cluster",
		Long: `serve runs one node: a server of the log over gRPC, a member of the
cluster's Raft (which replicates the log) and of its Serf (which finds
the other nodes). gRPC and Raft share --rpc-port; Serf listens on
--bind-addr. Every connection is mutual TLS, and every call is checked
against the ACL. The node runs until Ctrl-C or SIGTERM, then leaves the
cluster and lets the calls under way finish (up to 5 seconds) before it
stops.

The first node of a new cluster starts with --bootstrap; the others
join it with --start-join-addrs. A node restarted on its --data-dir
finds its records and its cluster there. Nodes may all start at once,
each listing the others: a node that finds nobody yet runs alone and
keeps trying to join (--retry-join=false exits instead).

Every flag can also be set by an environment variable, PROGLOG_ and the
flag's name in capitals with '_' for '-' (PROGLOG_DATA_DIR), or by a key
of the YAML file --config-file names, the flag's name (data-dir). A flag
on the command line wins over the environment, which wins over the file,
which wins over the default.

"proglog gencert --dir certs" writes every file the flags name;
"proglog cluster" runs three nodes with them, and prints how.`,
		Example: `  # The first node, then a second one that joins it:
  proglog serve --node-name n1 --bootstrap --data-dir /tmp/n1 \
    --bind-addr 127.0.0.1:8401 --rpc-port 8400 \
    --acl-model-file certs/model.conf --acl-policy-file certs/policy.csv \
    --server-tls-cert-file certs/server.pem --server-tls-key-file certs/server-key.pem \
    --server-tls-ca-file certs/ca.pem --peer-tls-cert-file certs/server.pem \
    --peer-tls-key-file certs/server-key.pem --peer-tls-ca-file certs/ca.pem
  PROGLOG_NODE_NAME=n2 PROGLOG_DATA_DIR=/tmp/n2 proglog serve --config-file node.yaml \
    --bind-addr 127.0.0.1:8411 --rpc-port 8410 --start-join-addrs 127.0.0.1:8401

  # node.yaml, the settings the nodes share:
  acl-model-file: certs/model.conf
  acl-policy-file: certs/policy.csv
  server-tls-cert-file: certs/server.pem
  ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := loadSettings(cmd.Flags())
			if err != nil {
				return err
			}
			cfg, err := agentConfig(v)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), cfg, serveOnlySettings(v))
		},
	}
	addServeFlags(cmd.Flags())
	return cmd
}

// damagedDataRemedy says what an operator can do about a node that
// refuses to start on damaged data in dataDir: the node must not serve or
// replicate records it cannot read, but the cluster still holds them.
func damagedDataRemedy(dataDir string) string {
	return fmt.Sprintf("This node's data in %s is damaged, so it will not start. "+
		"If the rest of the cluster is up and has a leader, move %s aside (keep it to inspect) "+
		"and start this node again with an empty data directory and a new --node-name: "+
		"it joins as a new member, replacing the old one at its address, and gets every record from the leader "+
		"(a new name, because a member that forgot its Raft state must not vote again under its old one). "+
		"If this is the cluster's only copy, do not delete anything: the error above names the damaged file and byte.",
		dataDir, dataDir)
}

// serve runs an agent of cfg until ctx ends, then shuts it down.
func serve(ctx context.Context, cfg agent.Config, settings serveSettings) (err error) {
	logger, err := newLogger(settings.logFormat, settings.logLevel)
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }() // stderr: nothing to lose if it fails
	cfg.Logger = logger
	if settings.trace {
		tracerProvider, err := newSpanPrinter(cfg.NodeName, settings.traceRatio)
		if err != nil {
			return err
		}
		defer shutdownWithin(logger, "span printer", tracerProvider.Shutdown)
		cfg.TracerProvider = tracerProvider
	}
	a, err := agent.New(cfg)
	if errors.Is(err, proglog.ErrCorrupt) {
		return fmt.Errorf("%w\n%s", err, damagedDataRemedy(cfg.DataDir))
	}
	if err != nil {
		return err
	}
	rpcAddr, _ := a.RPCAddr() // New checked it
	logger.Info("serving",
		zap.String("node", a.NodeName),
		zap.String("rpc_addr", rpcAddr),
		zap.String("http_addr", a.HTTPAddr),
		zap.String("bind_addr", a.BindAddr),
		zap.String("data_dir", a.DataDir))
	<-ctx.Done()
	logger.Info("shutting down: leaving the cluster and finishing the calls under way")
	if err := a.Shutdown(); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// nodeResource names the process in the spans it prints.
func nodeResource(node string) *resource.Resource {
	return resource.NewSchemaless(
		attribute.String("service.name", "proglog"),
		attribute.String("service.instance.id", node),
	)
}

// newSpanPrinter returns a tracer provider that prints spans to stderr, as
// JSON, shortly after they end: those of a fraction ratio (0 to 1) of the
// traces, chosen by trace ID, and every span of a trace the caller
// sampled. A span costs more to export than the call it describes costs
// to serve: a busy node samples.
func newSpanPrinter(node string, ratio float64) (*sdktrace.TracerProvider, error) {
	if ratio < 0 || ratio > 1 {
		return nil, fmt.Errorf("--trace-ratio (%g) must be between 0 and 1", ratio)
	}
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(os.Stderr))
	if err != nil {
		return nil, fmt.Errorf("new span printer: %w", err)
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
		sdktrace.WithResource(nodeResource(node)),
	), nil
}

// shutdownWithin calls stop, which flushes what a provider still holds,
// giving it 5 seconds, and logs its error.
func shutdownWithin(logger *zap.Logger, what string, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		logger.Error("shut down "+what, zap.Error(err))
	}
}
