package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// pollInterval is how often the cluster asks its nodes how they are while
// it waits for them.
const pollInterval = 100 * time.Millisecond

// probe asks the nodes of a cluster, over gRPC with the root client's
// certificate, whether they serve and whom they follow.
type probe struct {
	nodes []nodeState
	conns []*grpc.ClientConn
}

// newProbe returns a probe of nodes. It connects lazily: a node that is
// not up yet is no error.
func newProbe(nodes []nodeState, tlsConfig *tls.Config) (*probe, error) {
	p := &probe{nodes: nodes}
	for _, node := range nodes {
		conn, err := grpc.NewClient(node.RPCAddr, grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
		if err != nil {
			_ = p.Close() // the error that matters is this one
			return nil, fmt.Errorf("connect to %s: %w", node.Name, err)
		}
		p.conns = append(p.conns, conn)
	}
	return p, nil
}

// Close closes the probe's connections.
func (p *probe) Close() error {
	var errs []error
	for _, conn := range p.conns {
		errs = append(errs, conn.Close())
	}
	return errors.Join(errs...)
}

// healthy returns nil if node i answers the gRPC health check with
// SERVING, and otherwise why not.
func (p *probe) healthy(ctx context.Context, i int) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	res, err := healthgrpc.NewHealthClient(p.conns[i]).Check(ctx, &healthgrpc.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("%s does not answer its health check: %w", p.nodes[i].Name, err)
	}
	if res.GetStatus() != healthgrpc.HealthCheckResponse_SERVING {
		return fmt.Errorf("%s is %s", p.nodes[i].Name, res.GetStatus())
	}
	return nil
}

// agreed returns the leader if every node is healthy and knows every
// node as a server of the cluster and the same leader; otherwise an error
// saying what is missing.
func (p *probe) agreed(ctx context.Context) (*api.Server, error) {
	var leader *api.Server
	for i, node := range p.nodes {
		if err := p.healthy(ctx, i); err != nil {
			return nil, err
		}
		callCtx, cancel := context.WithTimeout(ctx, time.Second)
		res, err := api.NewLogClient(p.conns[i]).GetServers(callCtx, &api.GetServersRequest{})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s cannot list the servers: %w", node.Name, err)
		}
		servers := res.GetServers()
		for _, other := range p.nodes {
			if !slices.ContainsFunc(servers, func(s *api.Server) bool { return s.GetId() == other.Name }) {
				return nil, fmt.Errorf("%s does not count %s among the servers yet", node.Name, other.Name)
			}
		}
		at := slices.IndexFunc(servers, (*api.Server).GetIsLeader)
		if at < 0 {
			return nil, fmt.Errorf("%s knows no leader yet", node.Name)
		}
		if leader != nil && leader.GetId() != servers[at].GetId() {
			return nil, fmt.Errorf("the nodes do not agree on the leader yet")
		}
		leader = servers[at]
	}
	return leader, nil
}

// waitFor calls check every pollInterval until it returns nil, and returns
// nil; or, after timeout, check's last error; or failed's error if a node
// keeps failing; or ctx's if it ends first.
func waitFor(ctx context.Context, timeout time.Duration, failed <-chan error, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		select {
		case failure := <-failed:
			return failure
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("not ready after %s: %w", timeout, err)
			}
			return ctx.Err()
		case <-ticker.C:
		}
	}
}
