package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"google.golang.org/grpc"
	grpccreds "google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/client"
	"github.com/proglog-workshop/proglog/final/internal/agent"
)

// ClusterCallers is how many callers produce at once to a cluster.
const ClusterCallers = 16

// ProduceBatchSize is how many records one operation of the batched
// cluster cases produces: one ProduceBatch, or as many asynchronous
// publishes.
const ProduceBatchSize = 256

// converge bounds how long a cluster may take to elect a leader, take its
// members in or replicate what was loaded.
const converge = 60 * time.Second

// loadBatch is how many records one ProduceBatch carries while a consume
// case loads its cluster.
const loadBatch = 256

// proglogCluster is three agents of final/ on 127.0.0.1 with mutual TLS on
// their shared gRPC and Raft port, and a client of the cluster as root.
type proglogCluster struct {
	creds  *credentials
	agents []*agent.Agent
	client *client.Client
}

// startProglogCluster starts three agents in dir, the first bootstrapping
// the cluster, and waits until the client sees all three and a leader.
// Every server syncs Raft's log before it acknowledges entries.
func startProglogCluster(dir string) (_ *proglogCluster, err error) {
	creds, err := newCredentials(dir)
	if err != nil {
		return nil, err
	}
	c := &proglogCluster{creds: creds}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.close())
		}
	}()
	for i := range 3 {
		var join []string
		if i > 0 {
			join = []string{c.agents[0].BindAddr}
		}
		a, err := agent.New(agent.Config{
			NodeName:        strconv.Itoa(i),
			Bootstrap:       i == 0,
			DataDir:         filepath.Join(dir, "agent"+strconv.Itoa(i)),
			BindAddr:        "127.0.0.1:0",
			StartJoinAddrs:  join,
			ServerTLSConfig: creds.server,
			PeerTLSConfig:   creds.peer,
			ACLModelFile:    creds.aclModel,
			ACLPolicyFile:   creds.aclPolicy,
		})
		if err != nil {
			return nil, fmt.Errorf("start agent %d: %w", i, err)
		}
		c.agents = append(c.agents, a)
	}
	addr, err := c.agents[0].RPCAddr()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), converge)
	defer cancel()
	if c.client, err = client.New(ctx, client.Config{Addr: addr, TLS: creds.root, RetryTimeout: converge}); err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	for {
		servers, err := c.client.Servers(ctx)
		if err == nil && len(servers) == 3 && hasLeader(servers) {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the cluster did not list 3 servers and a leader within %s (last error: %v)", converge, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// hasLeader reports whether one of servers is the leader.
func hasLeader(servers []*api.Server) bool {
	for _, s := range servers {
		if s.GetIsLeader() {
			return true
		}
	}
	return false
}

// close closes the client and shuts the agents down, followers first.
func (c *proglogCluster) close() error {
	var errs []error
	if c.client != nil {
		errs = append(errs, c.client.Close())
	}
	for i := len(c.agents) - 1; i >= 0; i-- {
		errs = append(errs, c.agents[i].Shutdown())
	}
	return errors.Join(errs...)
}

// proglogClusterProduce produces one record of size bytes per operation,
// synchronously, through the client of a three-agent cluster.
func proglogClusterProduce(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		c, err := startProglogCluster(dir)
		if err != nil {
			return nil, err
		}
		v := value(size)
		op := func(int) error {
			_, err := c.client.Produce(context.Background(), v)
			return err
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: c.close}, nil
	}
}

// proglogClusterProduceBatch produces ProduceBatchSize records of size
// bytes per operation, with one ProduceBatch through the client of a
// three-agent cluster: one call to the leader, one Raft entry.
func proglogClusterProduceBatch(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		c, err := startProglogCluster(dir)
		if err != nil {
			return nil, err
		}
		batch := make([][]byte, ProduceBatchSize)
		for i := range batch {
			batch[i] = value(size)
		}
		op := func(int) error {
			_, err := c.client.ProduceBatch(context.Background(), batch)
			return err
		}
		return &Fixture{Op: op, RecordsPerOp: ProduceBatchSize, Close: c.close}, nil
	}
}

// proglogFollowerConsume loads s.Records records of size bytes into a
// three-agent cluster, waits until a follower holds them all, and receives
// one record per operation from a ConsumeStream of that follower, dialled
// directly.
func proglogFollowerConsume(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, s Scale) (fx *Fixture, err error) {
		c, err := startProglogCluster(dir)
		if err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, c.close())
			}
		}()
		v := value(size)
		ctx, cancel := context.WithTimeout(context.Background(), converge)
		defer cancel()
		for loaded := 0; loaded < s.Records; loaded += loadBatch {
			batch := make([][]byte, min(loadBatch, s.Records-loaded))
			for i := range batch {
				batch[i] = v
			}
			if _, err := c.client.ProduceBatch(ctx, batch); err != nil {
				return nil, fmt.Errorf("load the cluster: %w", err)
			}
		}
		follower, err := c.follower()
		if err != nil {
			return nil, err
		}
		addr, err := follower.RPCAddr()
		if err != nil {
			return nil, err
		}
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(grpccreds.NewTLS(c.creds.root)))
		if err != nil {
			return nil, fmt.Errorf("dial follower: %w", err)
		}
		logClient := api.NewLogClient(conn)
		last := uint64(s.Records - 1)
		for {
			_, err := logClient.Consume(ctx, &api.ConsumeRequest{Offset: last})
			if err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return nil, errors.Join(fmt.Errorf("follower %s does not hold offset %d: %w", follower.NodeName, last, err), conn.Close())
			case <-time.After(10 * time.Millisecond):
			}
		}
		r := &streamReader{client: logClient, records: uint64(s.Records), want: v}
		op := func(int) error { return r.read() }
		return &Fixture{Op: op, RecordsPerOp: 1, Close: closeAll(func() error { r.close(); return nil }, conn.Close, c.close)}, nil
	}
}

// follower returns an agent that does not lead the cluster now.
func (c *proglogCluster) follower() (*agent.Agent, error) {
	ctx, cancel := context.WithTimeout(context.Background(), converge)
	defer cancel()
	servers, err := c.client.Servers(ctx)
	if err != nil {
		return nil, fmt.Errorf("find a follower: %w", err)
	}
	for _, s := range servers {
		if s.GetIsLeader() {
			continue
		}
		for _, a := range c.agents {
			if a.NodeName == s.GetId() {
				return a, nil
			}
		}
	}
	return nil, errors.New("find a follower: the cluster lists none of its agents as a follower")
}
