package client

import (
	"context"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// ProduceBatch appends values to the cluster's log, in order and all at
// once, and returns their offsets, which are consecutive. It is one
// ProduceBatch call to the leader, and one entry of the cluster's Raft
// log: either every value is in the log or none is. Across a leader
// change it tries again, with the client's producer ID and the one
// sequence number the batch takes, so the batch is stored once however
// many tries reach a leader. The servers take at most 1024 values and
// 1 MiB per batch, and refuse more with codes.InvalidArgument or
// codes.ResourceExhausted: split larger batches. No values append nothing
// and make no call.
func (c *Client) ProduceBatch(ctx context.Context, values [][]byte) ([]uint64, error) {
	if len(values) == 0 {
		return nil, nil
	}
	records := make([]*api.Record, len(values))
	for i, v := range values {
		records[i] = &api.Record{Value: v}
	}
	req := &api.ProduceBatchRequest{Records: records, ProducerId: c.config.ProducerID, Sequence: c.sequence.Add(1)}
	var offsets []uint64
	err := c.retry(ctx, func(ctx context.Context) error {
		res, err := c.log.ProduceBatch(ctx, req)
		offsets = res.GetOffsets()
		return err
	})
	return offsets, err
}
