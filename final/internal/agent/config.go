package agent

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
)

// Config configures an [Agent].
type Config struct {
	// ServerTLSConfig is the TLS of the agent's gRPC server. It must
	// require and verify client certificates: the ACL's subject is the
	// common name of the client's. Required.
	ServerTLSConfig *tls.Config
	// PeerTLSConfig is the client TLS the agent's Raft dials the other
	// agents with. Required.
	PeerTLSConfig *tls.Config
	// DataDir is where the replicated log lives: Raft's state in its
	// subdirectory "raft", the applied records in "log". Required.
	DataDir string
	// BindAddr is the host:port Serf listens on, TCP and UDP. Port 0 picks
	// a free port; after New, the Agent's BindAddr holds the address it got.
	// Required.
	BindAddr string
	// RPCPort is the port of the gRPC server and of Raft, which share it,
	// on BindAddr's host. 0 picks a free port; after New, the Agent's
	// RPCPort holds the port it got.
	RPCPort int
	// NodeName names the agent in the cluster; it must be unique. Required.
	NodeName string
	// StartJoinAddrs are the Serf addresses (BindAddr) of agents already
	// in the cluster. Empty starts a new cluster.
	StartJoinAddrs []string
	// Bootstrap starts a new Raft cluster with this agent as its leader.
	// Set it on the first agent only; the leader adds the others as they
	// join. A restarted agent ignores it: its data directory knows its
	// cluster.
	Bootstrap bool
	// ACLModelFile and ACLPolicyFile are the casbin model and policy of the
	// server's ACL. Required.
	ACLModelFile  string
	ACLPolicyFile string
	// Logger receives the agent's logs, named per subsystem. Nil discards
	// them.
	Logger *zap.Logger
	// MeterProvider records the gRPC server's metrics. Nil records none;
	// the global otel.GetMeterProvider() is never used.
	MeterProvider metric.MeterProvider
	// TracerProvider makes a span for every gRPC call. Nil makes none; the
	// global otel.GetTracerProvider() is never used.
	TracerProvider trace.TracerProvider
}

// RPCAddr returns the address of the gRPC server: BindAddr's host with
// RPCPort.
func (c Config) RPCAddr() (string, error) {
	host, _, err := net.SplitHostPort(c.BindAddr)
	if err != nil {
		return "", fmt.Errorf("rpc address from bind address %q: %w", c.BindAddr, err)
	}
	return net.JoinHostPort(host, strconv.Itoa(c.RPCPort)), nil
}

// validate reports a Config an agent cannot run with.
func (c Config) validate() error {
	var errs []error
	if c.ServerTLSConfig == nil || c.PeerTLSConfig == nil {
		errs = append(errs, errors.New("Config.ServerTLSConfig and Config.PeerTLSConfig are required: the ACL names clients by their certificates, and Raft runs over mutual TLS"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("Config.DataDir is empty"))
	}
	if c.NodeName == "" {
		errs = append(errs, errors.New("Config.NodeName is empty"))
	}
	if c.ACLModelFile == "" || c.ACLPolicyFile == "" {
		errs = append(errs, errors.New("Config.ACLModelFile and Config.ACLPolicyFile are required: the server refuses to run without an ACL"))
	}
	if c.RPCPort < 0 || c.RPCPort > 65535 {
		errs = append(errs, fmt.Errorf("Config.RPCPort (%d) must be between 0 and 65535", c.RPCPort))
	}
	if _, err := c.RPCAddr(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
