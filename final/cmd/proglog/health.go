package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/proglog-workshop/proglog/final/internal/config"
)

// newHealthCommand returns the health command: a probe for one node, which
// needs no shell and no other tool, so that an image holding nothing but
// proglog can check itself.
func newHealthCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "health --addr HOST:PORT",
		Short: "Check that one node serves, for health probes",
		Long: `health asks one node for its gRPC health status and exits with 0 if it
is SERVING, or prints why not and exits with 1. It asks --addr alone and
does not look for the other nodes.

Without --ca, --cert and --key it speaks plaintext, to the port that
serve's --health-addr opens; with them, mutual TLS, to the node's main
port (--rpc-port), which serves the same health service to any
certificate the CA signed, whatever the ACL says. Each flag is also an
environment variable: PROGLOG_ADDR, PROGLOG_CA, PROGLOG_CERT, PROGLOG_KEY.`,
		Example: `  # A compose healthcheck, in the node's container:
  proglog health --addr 127.0.0.1:8402
  # The main port, over mutual TLS:
  proglog health --addr node-1:8400 --ca certs/ca.pem \
    --cert certs/root-client.pem --key certs/root-client-key.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := loadSettings(cmd.Flags())
			if err != nil {
				return err
			}
			addr := v.GetString("addr")
			if addr == "" {
				return fmt.Errorf("--addr is required: the host:port of a node's --health-addr, or of its --rpc-port with --ca, --cert and --key")
			}
			creds, err := healthCredentials(v.GetString("ca"), v.GetString("cert"), v.GetString("key"))
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), v.GetDuration("timeout"))
			defer cancel()
			if err := checkHealth(ctx, addr, creds, v.GetString("service")); err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), healthgrpc.HealthCheckResponse_SERVING)
			return err
		},
	}
	flags := cmd.Flags()
	flags.String("addr", "", "host:port of the node: its --health-addr, or its --rpc-port with --ca, --cert and --key")
	flags.String("ca", "", "CA certificate the node's certificate must be signed by (mutual TLS)")
	flags.String("cert", "", "client certificate to present (mutual TLS)")
	flags.String("key", "", "the client certificate's private key (mutual TLS)")
	flags.String("service", "", `service to ask about: "" for the whole node, or "log.v1.Log"`)
	flags.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	return cmd
}

// healthCredentials returns plaintext credentials if none of the files is
// named, and mutual TLS with them if all are.
func healthCredentials(ca, cert, key string) (credentials.TransportCredentials, error) {
	if ca == "" && cert == "" && key == "" {
		return insecure.NewCredentials(), nil
	}
	for _, f := range []struct{ flag, file string }{{"ca", ca}, {"cert", cert}, {"key", key}} {
		if err := checkFile(f.flag, f.file); err != nil {
			return nil, fmt.Errorf("%w; or give none of --ca, --cert and --key for plaintext", err)
		}
	}
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{CAFile: ca, CertFile: cert, KeyFile: key})
	if err != nil {
		return nil, err
	}
	return credentials.NewTLS(tlsConfig), nil
}

// checkHealth returns nil if the node at addr reports service SERVING, and
// an error naming the status or the failure otherwise.
func checkHealth(ctx context.Context, addr string, creds credentials.TransportCredentials, service string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return fmt.Errorf("dial %s: %w", addr, err)
	}
	defer func() { _ = conn.Close() }() // the answer is in; nothing to flush
	// Without WaitForReady, a node that refuses connections fails the
	// call at once; with it, the call waits for the timeout, which is
	// what a probe wants: a node still starting gets its chance.
	res, err := healthgrpc.NewHealthClient(conn).Check(ctx, &healthgrpc.HealthCheckRequest{Service: service}, grpc.WaitForReady(true))
	if err != nil {
		return fmt.Errorf("check the health of %s: %w", addr, err)
	}
	if status := res.GetStatus(); status != healthgrpc.HealthCheckResponse_SERVING {
		return fmt.Errorf("%s reports %s", addr, status)
	}
	return nil
}
