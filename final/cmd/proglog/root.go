package main

import (
	"github.com/spf13/cobra"
)

// newRootCommand returns the proglog command with every subcommand. It
// touches no global state, so tests can build as many as they like.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "proglog",
		Short: "Run and use a replicated commit log",
		Long: `proglog is a commit log replicated with Raft: records are appended at
the end, each gets an offset (0, 1, 2, ...), and a record, once
acknowledged, is on a majority of the servers.

One binary does everything:

  serve      run one server (a node) of a cluster
  gencert    write the certificates, ACL and gossip key a cluster needs
  cluster    run a cluster of local nodes, to try the others on
  produce    append records
  consume    read records, or follow the end of the log
  servers    list the cluster's servers and its leader
  health     check that one node serves, for health probes

Every connection uses mutual TLS: the client commands need a CA
certificate and a client certificate, which default to those of the
local cluster that "proglog cluster" starts.`,
		Example: `  # Start a local cluster of three nodes, then in another terminal:
  proglog cluster
  proglog produce hello world
  proglog consume`,
		SilenceUsage:  true, // an error is not a reason to print the manual
		SilenceErrors: true, // main prints it, once
	}
	root.AddCommand(
		newServeCommand(),
		newGencertCommand(),
		newClusterCommand(),
		newProduceCommand(),
		newConsumeCommand(),
		newServersCommand(),
		newHealthCommand(),
	)
	return root
}
