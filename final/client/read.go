package client

import (
	"context"

	"google.golang.org/grpc/metadata"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/loadbalance"
)

// ReadOption changes how [Client.Consume] reads.
type ReadOption func(*api.ConsumeRequest)

// Linearizable makes a read see every record whose produce was
// acknowledged before the read began, from this client or any other. The
// read goes to the leader, which answers once it has confirmed, through
// one round of Raft, that it still leads: it costs about what a produce
// costs, and it takes nothing off the leader. Without it, a read goes to
// a follower, which is cheaper but may not hold the latest records yet.
func Linearizable() ReadOption {
	return func(req *api.ConsumeRequest) { req.Linearizable = true }
}

// Consume returns the record at offset. By default it goes to a follower,
// which may not hold the latest records yet: an offset just produced can
// come back as codes.OutOfRange (api.ErrOffsetOutOfRange on the server),
// and is there a moment later. With [Linearizable] it goes to the leader
// and sees every acknowledged record.
func (c *Client) Consume(ctx context.Context, offset uint64, opts ...ReadOption) (*api.Record, error) {
	req := &api.ConsumeRequest{Offset: offset}
	for _, opt := range opts {
		opt(req)
	}
	if req.GetLinearizable() {
		// The picker cannot see the request: tell it in the metadata.
		ctx = metadata.AppendToOutgoingContext(ctx, loadbalance.ReadHeader, loadbalance.ReadFromLeader)
	}
	var record *api.Record
	err := c.retry(ctx, func(ctx context.Context) error {
		res, err := c.log.Consume(ctx, req)
		record = res.GetRecord()
		return err
	})
	return record, err
}
