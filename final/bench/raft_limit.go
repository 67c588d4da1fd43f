package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftwal "github.com/hashicorp/raft-wal"
)

// bareRaftCluster is the ceiling of the 3-node produce rows for any
// service built on hashicorp/raft, as final/ is: three Raft servers in one
// process on raft-wal, which syncs every batch it stores, over Raft's
// plain TCP transport, with an FSM that only counts. No gRPC, no TLS, no
// log behind the FSM: what is left is Raft's own round of syncs and
// messages.
type bareRaftCluster struct {
	servers []*raft.Raft
	stores  []*raftwal.WAL
}

// countingFSM applies a command by counting it.
type countingFSM struct{ applied atomic.Uint64 }

func (f *countingFSM) Apply(*raft.Log) any { return f.applied.Add(1) }

func (f *countingFSM) Snapshot() (raft.FSMSnapshot, error) { return countSnapshot{}, nil }

func (f *countingFSM) Restore(r io.ReadCloser) error { return r.Close() }

// countSnapshot is the empty snapshot of a countingFSM: the benchmark
// never restores one.
type countSnapshot struct{}

func (countSnapshot) Persist(sink raft.SnapshotSink) error { return sink.Close() }

func (countSnapshot) Release() {}

// startBareRaftCluster starts three Raft servers in dir, bootstraps them
// as one cluster and waits for its leader.
func startBareRaftCluster(dir string) (_ *bareRaftCluster, err error) {
	c := &bareRaftCluster{}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.close())
		}
	}()
	var members raft.Configuration
	var transports []*raft.NetworkTransport
	for i := range 3 {
		t, err := raft.NewTCPTransportWithLogger("127.0.0.1:0", nil, 5, 10*time.Second, hclog.NewNullLogger())
		if err != nil {
			return nil, err
		}
		transports = append(transports, t)
		members.Servers = append(members.Servers, raft.Server{ID: raft.ServerID(strconv.Itoa(i)), Address: t.LocalAddr()})
	}
	for i, t := range transports {
		serverDir := filepath.Join(dir, "raft"+strconv.Itoa(i))
		if err := os.MkdirAll(serverDir, 0o755); err != nil {
			return nil, err
		}
		store, err := raftwal.Open(serverDir)
		if err != nil {
			return nil, fmt.Errorf("open raft-wal: %w", err)
		}
		c.stores = append(c.stores, store)
		config := raft.DefaultConfig()
		config.LocalID = members.Servers[i].ID
		config.BatchApplyCh = true // as final/ sets it
		config.Logger = hclog.NewNullLogger()
		cached, err := raft.NewLogCache(64, store)
		if err != nil {
			return nil, err
		}
		r, err := raft.NewRaft(config, &countingFSM{}, cached, store, raft.NewDiscardSnapshotStore(), t)
		if err != nil {
			return nil, err
		}
		c.servers = append(c.servers, r)
	}
	if err := c.servers[0].BootstrapCluster(members).Error(); err != nil {
		return nil, err
	}
	if _, err := c.leader(); err != nil {
		return nil, err
	}
	return c, nil
}

// leader waits for a server to lead the cluster, and returns it.
func (c *bareRaftCluster) leader() (*raft.Raft, error) {
	deadline := time.Now().Add(converge)
	for time.Now().Before(deadline) {
		for _, r := range c.servers {
			if r.State() == raft.Leader {
				return r, nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, fmt.Errorf("no leader within %s", converge)
}

// close shuts the servers down and closes their logs.
func (c *bareRaftCluster) close() error {
	var errs []error
	for _, r := range c.servers {
		errs = append(errs, r.Shutdown().Error())
	}
	for _, s := range c.stores {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// bareRaftProduce applies one command of size bytes per operation to the
// leader of a bare three-server Raft cluster, and waits until it is
// applied there, as a produce waits.
func bareRaftProduce(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		c, err := startBareRaftCluster(dir)
		if err != nil {
			return nil, err
		}
		leader, err := c.leader()
		if err != nil {
			return nil, errors.Join(err, c.close())
		}
		v := value(size)
		op := func(int) error { return leader.Apply(v, 10*time.Second).Error() }
		return &Fixture{Op: op, RecordsPerOp: 1, Close: c.close}, nil
	}
}
