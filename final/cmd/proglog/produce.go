package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/proglog-workshop/proglog/final/client"
	"github.com/proglog-workshop/proglog/final/internal/server"
)

// newProduceCommand returns the produce command.
func newProduceCommand() *cobra.Command {
	var batch int
	cmd := &cobra.Command{
		Use:   "produce [VALUE...]",
		Short: "Append records to the log",
		Long: `produce appends one record per VALUE, in order, or, without VALUEs, one
per line of its standard input (the newline is not part of the record),
and prints each record's offset and value as it is acknowledged:

  0	hello
  1	world

Records go to the leader in batches of up to --batch, each on one
pipelined stream: a batch costs about one round trip. Lines typed at a
terminal are sent as soon as they are read; lines piped in are gathered
while the previous batch is on its way. A record is acknowledged once a
majority of the servers hold it. If the leader changes, the client tries
again, and the log stores each record once all the same.

A line may be at most 1 MiB, the servers' limit on a message.
` + clientHelp,
		Example: `  proglog produce hello world
  seq 1 1000 | proglog produce
  proglog produce --addr 127.0.0.1:8400 --ca certs/ca.pem \
    --cert certs/producer-client.pem --key certs/producer-client-key.pem < events.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if batch < 1 {
				return fmt.Errorf("--batch (%d) must be at least 1", batch)
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			defer func() { _ = c.Close() }() // the command is done either way
			out := cmd.OutOrStdout()
			if len(args) > 0 {
				values := make([][]byte, len(args))
				for i, a := range args {
					values[i] = []byte(a)
				}
				return produceBatch(cmd.Context(), c, values, out)
			}
			return produceLines(cmd.Context(), c, cmd.InOrStdin(), batch, out)
		},
	}
	addClientFlags(cmd.Flags())
	cmd.Flags().IntVar(&batch, "batch", 100, "most records sent in one batch")
	return cmd
}

// produceLines produces every line of in, in batches of up to batch
// lines: as many as have been read while the previous batch was sent.
func produceLines(ctx context.Context, c *client.Client, in io.Reader, batch int, out io.Writer) error {
	lines := make(chan []byte, batch)
	scanErr := make(chan error, 1)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(in)
		scanner.Buffer(make([]byte, 0, 64*1024), server.MaxMessageBytes)
		for scanner.Scan() {
			select {
			case lines <- []byte(scanner.Text()):
			case <-ctx.Done():
				return
			}
		}
		if err := scanner.Err(); err != nil {
			scanErr <- fmt.Errorf("read standard input: %w (a line may be at most %d bytes)", err, server.MaxMessageBytes)
		}
	}()
	for first := range lines {
		values := append(make([][]byte, 0, batch), first)
	gather:
		for len(values) < batch {
			select {
			case line, ok := <-lines:
				if !ok {
					break gather
				}
				values = append(values, line)
			default:
				break gather
			}
		}
		if err := produceBatch(ctx, c, values, out); err != nil {
			return err
		}
	}
	select {
	case err := <-scanErr:
		return err
	default:
		return ctx.Err()
	}
}

// produceBatch produces values and prints the offset and value of each.
func produceBatch(ctx context.Context, c *client.Client, values [][]byte, out io.Writer) error {
	offsets, err := c.ProduceBatch(ctx, values)
	for i, off := range offsets {
		if _, err := fmt.Fprintf(out, "%d\t%s\n", off, values[i]); err != nil {
			return err
		}
	}
	if err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	return nil
}
