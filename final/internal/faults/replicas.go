//go:build unix

package faults

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// readBatch is how many records a ConsumeStream message carries at most
// when the harness reads a node's log.
const readBatch = 256

// ReadReplicas reads every node's whole log from that node itself, not
// through the picker: offset 0 up to and including through, waiting for a
// node that has not caught up yet, then on until the node has no more.
// Each node's log may end up longer than through, if a produce still
// under way landed after it. It waits until ctx ends.
func (c *Cluster) ReadReplicas(ctx context.Context, through uint64) (map[string][]Record, error) {
	replicas := make(map[string][]Record, len(c.Nodes))
	for _, node := range c.Nodes {
		log, err := readThrough(ctx, node, through)
		if err != nil {
			return nil, err
		}
		log, err = readRest(ctx, node, log)
		if err != nil {
			return nil, err
		}
		replicas[node.Name] = log
	}
	return replicas, nil
}

// readThrough reads node's log from offset 0 through offset through, with
// ConsumeStream; a stream that breaks is opened again where it stopped.
func readThrough(ctx context.Context, node *Node, through uint64) ([]Record, error) {
	var log []Record
	for uint64(len(log)) <= through {
		err := streamInto(ctx, node, &log, through)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("read %s's log through offset %d: got %d records: %w (last error: %v)", node.Name, through, len(log), ctx.Err(), err)
		}
		if err != nil {
			// The node may still be starting: try again shortly.
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return log, nil
}

// streamInto appends to *log what one ConsumeStream of node yields from
// offset len(*log) on, until it holds offset through or the stream fails.
func streamInto(ctx context.Context, node *Node, log *[]Record, through uint64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := node.log.ConsumeStream(ctx, &api.ConsumeRequest{Offset: uint64(len(*log)), MaxBatch: readBatch})
	if err != nil {
		return err
	}
	for uint64(len(*log)) <= through {
		res, err := stream.Recv()
		if err != nil {
			return err
		}
		records := res.GetRecords()
		if len(records) == 0 && res.GetRecord() != nil {
			records = []*api.Record{res.GetRecord()}
		}
		for _, r := range records {
			*log = append(*log, Record{Offset: r.GetOffset(), Value: string(r.GetValue())})
		}
	}
	return nil
}

// readRest appends to log the records node holds past it, one Consume at
// a time, until the node answers OutOfRange.
func readRest(ctx context.Context, node *Node, log []Record) ([]Record, error) {
	for {
		res, err := node.log.Consume(ctx, &api.ConsumeRequest{Offset: uint64(len(log))})
		var outOfRange api.ErrOffsetOutOfRange
		switch {
		case status.Code(err) == codes.OutOfRange || errors.As(err, &outOfRange):
			return log, nil
		case err != nil:
			return nil, fmt.Errorf("read %s's offset %d: %w", node.Name, len(log), err)
		}
		log = append(log, Record{Offset: res.GetRecord().GetOffset(), Value: string(res.GetRecord().GetValue())})
	}
}
