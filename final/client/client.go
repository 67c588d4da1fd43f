package client

import (
	"context"
	"fmt"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/loadbalance"
)

// Client is a client of a proglog cluster. It is safe for concurrent use.
// Create one with [New] and release it with [Client.Close].
type Client struct {
	config   Config
	conn     *grpc.ClientConn
	log      api.LogClient
	sequence atomic.Uint64 // the last sequence given to a record
}

// New returns a client of the cluster that config.Addr belongs to. It
// dials "proglog:///" + config.Addr, so that the resolver and the picker of
// internal/loadbalance find the cluster's servers and route each call,
// and returns once a server has answered GetServers, trying again as
// [Client.Produce] does: an address that leads nowhere, or TLS the servers
// refuse, fails here rather than at the first produce.
func New(ctx context.Context, config Config) (*Client, error) {
	if err := config.validate(); err != nil {
		return nil, err
	}
	c := &Client{config: config.withDefaults()}
	var err error
	opts := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(config.TLS))}
	if config.Dialer != nil {
		// gRPC hands the dialer to the resolver too, so it reaches every
		// server the resolver asks, not only config.Addr.
		opts = append(opts, grpc.WithContextDialer(config.Dialer))
	}
	c.conn, err = grpc.NewClient(loadbalance.Name+":///"+config.Addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", config.Addr, err)
	}
	c.log = api.NewLogClient(c.conn)
	if _, err := c.Servers(ctx); err != nil {
		_ = c.conn.Close() // the error that matters is the one above
		return nil, fmt.Errorf("reach the cluster at %s: %w", config.Addr, err)
	}
	return c, nil
}

// Close closes the client's connections. Calls under way end with
// codes.Canceled; the client cannot be used afterwards.
func (c *Client) Close() error {
	return c.conn.Close()
}

// Servers returns the cluster's servers as a server of it knows them, the
// leader marked, if there is one.
func (c *Client) Servers(ctx context.Context) ([]*api.Server, error) {
	var servers []*api.Server
	err := c.retry(ctx, func(ctx context.Context) error {
		res, err := c.log.GetServers(ctx, &api.GetServersRequest{})
		servers = res.GetServers()
		return err
	})
	return servers, err
}

// Produce appends value to the cluster's log and returns its offset, once
// a majority of the servers hold it. It goes to the leader, and across a
// leader change it tries again until a leader takes it. Every try carries
// the client's producer ID and the record's sequence number, so the record
// is stored once however many tries reach a leader.
func (c *Client) Produce(ctx context.Context, value []byte) (uint64, error) {
	req := &api.ProduceRequest{Record: &api.Record{Value: value}, ProducerId: c.config.ProducerID, Sequence: c.sequence.Add(1)}
	var offset uint64
	err := c.retry(ctx, func(ctx context.Context) error {
		res, err := c.log.Produce(ctx, req)
		offset = res.GetOffset()
		return err
	})
	return offset, err
}
