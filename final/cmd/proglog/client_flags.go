package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/proglog-workshop/proglog/final/client"
	"github.com/proglog-workshop/proglog/final/internal/config"
)

// reachTimeout bounds how long a client command tries one address of the
// local cluster before it tries the next: a node that was killed refuses
// at once, but one that hangs must not hold the command for the client's
// full retry time.
const reachTimeout = 5 * time.Second

// clientHelp is the part of every client command's --help about its
// connection.
const clientHelp = `
The command connects with mutual TLS to --addr, any one server of the
cluster, and finds the others from it. Without --addr, and without
--ca, --cert and --key, it uses the local cluster that "proglog cluster"
runs in --cluster-dir: a node that is up, and the root client's
certificate, which the example ACL lets do everything. Each flag is also
an environment variable: PROGLOG_ADDR, PROGLOG_CA, PROGLOG_CERT,
PROGLOG_KEY, PROGLOG_CLUSTER_DIR, PROGLOG_CONNECT_TO.

The servers tell the client each other's addresses as they advertise
them; where those names do not resolve (a compose cluster seen from the
host), --connect-to maps each to an address that reaches it.`

// addClientFlags defines the flags every client command shares.
func addClientFlags(flags *pflag.FlagSet) {
	flags.String("addr", "", "host:port of a server of the cluster (default: a node of the local cluster)")
	flags.String("ca", "", "CA certificate the servers' certificates must be signed by (default: the local cluster's)")
	flags.String("cert", "", "client certificate; its common name is the client's name in the ACL (default: the local cluster's root client)")
	flags.String("key", "", "the client certificate's private key (default: the local cluster's root client's)")
	flags.String("cluster-dir", defaultClusterDir(), `directory of the local cluster that "proglog cluster" runs`)
	flags.StringSlice("connect-to", nil, connectToHelp)
}

// newClient connects to the cluster that cmd's flags name.
func newClient(cmd *cobra.Command) (*client.Client, error) {
	v, err := loadSettings(cmd.Flags())
	if err != nil {
		return nil, err
	}
	dir := clusterDir(v.GetString("cluster-dir"))
	files := config.FilesIn(dir.configDir())
	tlsFiles := config.TLSConfig{
		CAFile:   orDefault(v.GetString("ca"), files.CAFile),
		CertFile: orDefault(v.GetString("cert"), files.RootClientCertFile),
		KeyFile:  orDefault(v.GetString("key"), files.RootClientKeyFile),
	}
	for _, f := range []struct{ flag, file string }{{"ca", tlsFiles.CAFile}, {"cert", tlsFiles.CertFile}, {"key", tlsFiles.KeyFile}} {
		if _, err := os.Stat(f.file); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--%s: %s does not exist: start a local cluster with \"proglog cluster\", or point --%s at your file", f.flag, f.file, f.flag)
		}
	}
	tlsConfig, err := config.SetupTLSConfig(tlsFiles)
	if err != nil {
		return nil, err
	}
	routes, err := parseConnectTo(stringList(v, "connect-to"))
	if err != nil {
		return nil, err
	}
	base := client.Config{TLS: tlsConfig}
	if len(routes) > 0 {
		base.Dialer = dialVia(routes)
	}
	if addr := v.GetString("addr"); addr != "" {
		base.Addr = addr
		return client.New(cmd.Context(), base)
	}
	state, err := dir.readState()
	if err != nil {
		return nil, fmt.Errorf("no --addr, and no local cluster to default to: %w", err)
	}
	if state.SupervisorPID == 0 || !processAlive(state.SupervisorPID) {
		return nil, fmt.Errorf("no --addr, and the local cluster in %s is not running: start it with \"proglog cluster --dir %s\", or pass --addr", dir, dir)
	}
	// Any node will do; try them in turn, so that one that is down (or
	// being restarted) is no reason to fail.
	var errs []error
	for _, node := range state.Nodes {
		ctx, cancel := context.WithTimeout(cmd.Context(), reachTimeout)
		nodeConfig := base
		nodeConfig.Addr = node.RPCAddr
		c, err := client.New(ctx, nodeConfig)
		cancel()
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("no node of the local cluster in %s answers: is \"proglog cluster\" running? %w", dir, errors.Join(errs...))
}

// orDefault returns value, or def if value is empty.
func orDefault(value, def string) string {
	if value == "" {
		return def
	}
	return value
}
