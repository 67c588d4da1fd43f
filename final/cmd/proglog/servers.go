package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// newServersCommand returns the servers command.
func newServersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "servers",
		Short: "List the cluster's servers and its leader",
		Long: `servers prints the servers of the cluster's Raft configuration, as the
server it asks knows them: each one's ID (its node name), the address of
its gRPC and Raft port, and whether it leads. Produces go to the leader;
consumes go to the others.
` + clientHelp,
		Example: `  proglog servers
  proglog servers --addr 127.0.0.1:8400 --ca certs/ca.pem \
    --cert certs/root-client.pem --key certs/root-client-key.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			defer func() { _ = c.Close() }() // the command is done either way
			servers, err := c.Servers(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tADDRESS\tLEADER")
			for _, s := range servers {
				leader := ""
				if s.GetIsLeader() {
					leader = "leader"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", s.GetId(), s.GetRpcAddr(), leader)
			}
			return w.Flush()
		},
	}
	addClientFlags(cmd.Flags())
	return cmd
}
