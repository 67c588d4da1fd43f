package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/proglog-workshop/proglog/final/client"
)

// newConsumeCommand returns the consume command.
func newConsumeCommand() *cobra.Command {
	var (
		from   uint64
		follow bool
	)
	cmd := &cobra.Command{
		Use:   "consume [--from N] [--follow]",
		Short: "Read records from the log",
		Long: `consume prints the records of the log from offset --from on, one a line,
its offset and its value separated by a tab:

  0	hello
  1	world

Without --follow it stops at the end of the log. With --follow it waits
there for new records and prints them as they come, until Ctrl-C; if the
server it reads from goes away, it goes on from another.

Records are read from a follower, which may be a moment behind the
leader: a record just produced may be missing from a consume that
starts at once, and is there a moment later (--follow waits for it).
` + clientHelp,
		Example: `  proglog consume
  proglog consume --from 100
  proglog consume --follow`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			defer func() { _ = c.Close() }() // the command is done either way
			if follow {
				return followLog(cmd.Context(), c, from, cmd.OutOrStdout())
			}
			return consumeToEnd(cmd.Context(), c, from, cmd.OutOrStdout())
		},
	}
	addClientFlags(cmd.Flags())
	cmd.Flags().Uint64Var(&from, "from", 0, "offset of the first record to print")
	cmd.Flags().BoolVar(&follow, "follow", false, "wait at the end of the log for new records, until Ctrl-C")
	return cmd
}

// consumeToEnd prints the records from offset from to the end of the log,
// as a follower sees it.
func consumeToEnd(ctx context.Context, c *client.Client, from uint64, out io.Writer) error {
	for off := from; ; off++ {
		record, err := c.Consume(ctx, off)
		if status.Code(err) == codes.OutOfRange {
			return nil
		}
		if err != nil {
			return fmt.Errorf("consume offset %d: %w", off, err)
		}
		if _, err := fmt.Fprintf(out, "%d\t%s\n", record.GetOffset(), record.GetValue()); err != nil {
			return err
		}
	}
}

// followLog prints the records from offset from on, and then each new one,
// until ctx ends, which is the way the command is meant to stop.
func followLog(ctx context.Context, c *client.Client, from uint64, out io.Writer) error {
	for record, err := range c.Follow(ctx, from) {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("follow: %w", err)
		}
		if _, err := fmt.Fprintf(out, "%d\t%s\n", record.GetOffset(), record.GetValue()); err != nil {
			return err
		}
	}
	return nil
}
