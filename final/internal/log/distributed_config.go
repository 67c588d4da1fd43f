package log

import (
	"errors"
	"fmt"
	"net"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// raftConfig returns hashicorp/raft's configuration for c: raft's defaults,
// with every field of c.Raft.Config that is not zero put over them. The
// defaults (one second for the heartbeat and election timeouts) hold on a
// loaded machine; tests that want a faster cluster set their own.
func (c Config) raftConfig() (*raft.Config, error) {
	if c.Raft.LocalID == "" {
		return nil, errors.New("Config.Raft.LocalID is empty: every server needs a unique ID")
	}
	if c.Raft.StreamLayer == nil {
		return nil, errors.New("Config.Raft.StreamLayer is nil: raft needs it to reach the other servers")
	}
	rc := raft.DefaultConfig()
	rc.LocalID = c.Raft.LocalID
	if c.Raft.HeartbeatTimeout != 0 {
		rc.HeartbeatTimeout = c.Raft.HeartbeatTimeout
	}
	if c.Raft.ElectionTimeout != 0 {
		rc.ElectionTimeout = c.Raft.ElectionTimeout
	}
	if c.Raft.LeaderLeaseTimeout != 0 {
		rc.LeaderLeaseTimeout = c.Raft.LeaderLeaseTimeout
	}
	if c.Raft.CommitTimeout != 0 {
		rc.CommitTimeout = c.Raft.CommitTimeout
	}
	if c.Raft.SnapshotInterval != 0 {
		rc.SnapshotInterval = c.Raft.SnapshotInterval
	}
	if c.Raft.SnapshotThreshold != 0 {
		rc.SnapshotThreshold = c.Raft.SnapshotThreshold
	}
	if c.Raft.TrailingLogs != 0 {
		rc.TrailingLogs = c.Raft.TrailingLogs
	}
	// Callers of Apply queue up to MaxAppendEntries commands while the
	// leader stores and syncs the previous batch, rather than each waiting
	// for the leader to take its command: the next batch is ready at once.
	rc.BatchApplyCh = true
	rc.Logger = c.Raft.Logger
	if rc.Logger == nil {
		// Nil discards, as a nil zap logger does elsewhere: a server puts
		// NewRaftLogger here to have Raft's lines with its own.
		rc.Logger = hclog.NewNullLogger()
	}
	if err := raft.ValidateConfig(rc); err != nil {
		return nil, fmt.Errorf("Config.Raft: %w", err)
	}
	return rc, nil
}

// advertiseAddr returns the address a bootstrapping server puts in the
// cluster's first configuration: Raft.BindAddr, or the stream layer's
// address. The other servers dial it, so it must name a host: a listener on
// 0.0.0.0 accepts from everywhere but cannot be dialled.
func (c Config) advertiseAddr() (raft.ServerAddress, error) {
	addr := c.Raft.BindAddr
	if addr == "" {
		addr = c.Raft.StreamLayer.Addr().String()
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("raft address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return "", fmt.Errorf("raft address %q cannot be dialled by the other servers: set Config.Raft.BindAddr to a routable host:port", addr)
	}
	return raft.ServerAddress(addr), nil
}
