package client

import (
	"context"
	"errors"
	"io"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// ProduceBatch appends values to the cluster's log, in order, and returns
// their offsets. The records go to the leader on one ProduceStream, sent
// without waiting for each answer, so the batch costs about one round trip
// rather than one per record. If the stream breaks, the records not yet
// acknowledged are sent again on a new one, with the same sequence
// numbers, so that none is stored twice. On error, the offsets of the
// records acknowledged before it are returned.
func (c *Client) ProduceBatch(ctx context.Context, values [][]byte) ([]uint64, error) {
	n := uint64(len(values))
	first := c.sequence.Add(n) - n + 1
	offsets := make([]uint64, 0, len(values))
	err := c.retry(ctx, func(ctx context.Context) error {
		done := uint64(len(offsets))
		return c.produceStream(ctx, values[done:], first+done, &offsets)
	})
	return offsets, err
}

// produceStream sends values, numbered from sequence first on, on one
// ProduceStream and appends the offset of each acknowledged record to
// offsets, until all are or the stream fails.
func (c *Client) produceStream(ctx context.Context, values [][]byte, first uint64, offsets *[]uint64) error {
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.log.ProduceStream(ctx)
	if err != nil {
		cancel()
		return err
	}
	sent := make(chan error, 1)
	go func() {
		for i, v := range values {
			req := &api.ProduceRequest{Record: &api.Record{Value: v}, ProducerId: c.config.ProducerID, Sequence: first + uint64(i)}
			if err := stream.Send(req); err != nil {
				// The stream is broken: Recv says why.
				sent <- nil
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	// On every return the context is cancelled first, which ends a Send
	// that is blocked: wait for the sender, so that it does not outlive
	// the call.
	defer func() { cancel(); <-sent }()
	for range values {
		res, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return errShortStream
		}
		if err != nil {
			return err
		}
		*offsets = append(*offsets, res.GetOffset())
	}
	return nil
}

// errShortStream is the error of a ProduceStream that ended before it
// acknowledged every record, without an error of its own.
var errShortStream = errors.New("the produce stream ended before every record was acknowledged")
