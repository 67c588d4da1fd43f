package agent

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"github.com/proglog-workshop/proglog/final/internal/log"
)

// Config configures an [Agent].
type Config struct {
	// ServerTLSConfig is the TLS of the agent's gRPC server. It must
	// require and verify client certificates: the ACL's subject is the
	// common name of the client's. Required.
	ServerTLSConfig *tls.Config
	// PeerTLSConfig is the client TLS the agent's Raft dials the other
	// agents with. Its certificate must be a server identity, one of
	// PeerNames: typically the server's own certificate. Required.
	PeerTLSConfig *tls.Config
	// PeerNames are the common names of the certificates the Raft side of
	// the port accepts; a client of the CA with any other name (root, say)
	// cannot open a Raft connection. Empty means the common name of
	// ServerTLSConfig's certificate: every server presents the same
	// identity to the others.
	PeerNames []string
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
	// in the cluster. Empty starts a new cluster. If none answers, the
	// agent runs on its own and retries in the background until it joins
	// (see discovery.Config.StartJoinAddrs): the agents of a cluster may
	// all start at once, each listing the others.
	StartJoinAddrs []string
	// DisableRetryJoin makes New fail when no agent of StartJoinAddrs
	// answers, instead of retrying in the background.
	DisableRetryJoin bool
	// Bootstrap starts a new Raft cluster with this agent as its leader.
	// Set it on the first agent only; the leader adds the others as they
	// join. A restarted agent ignores it: its data directory knows its
	// cluster.
	Bootstrap bool
	// ACLModelFile and ACLPolicyFile are the casbin model and policy of the
	// server's ACL. Required.
	ACLModelFile  string
	ACLPolicyFile string
	// HealthAddr, when set, is a host:port where the agent also serves the
	// gRPC health service, and only it, in plaintext: for probes that
	// cannot present a client certificate (Kubernetes' gRPC probes). It
	// reports SERVING once the agent runs and NOT_SERVING from the start
	// of Shutdown. Port 0 picks a free port; after New, the Agent's
	// HealthAddr holds the address it got. Empty serves no such port.
	HealthAddr string
	// HTTPAddr, when set, is a host:port where the agent serves, over
	// plain HTTP, its status as JSON (/status.json), every member's
	// (/cluster.json), a page that shows them live (/status) and, unless
	// the caller gives a MeterProvider, its metrics for Prometheus
	// (/metrics). It is read-only and shows no record, but it takes no
	// certificate: bind it to an operator network, or reach it through a
	// port-forward. Its address goes to the other members in the Serf tag
	// HTTPAddrTag (with the gRPC host if it listens on every interface).
	// Port 0 picks a free port; after New, the Agent's HTTPAddr holds the
	// address it got. Empty serves no such port.
	HTTPAddr string
	// EncryptKey encrypts the cluster's gossip (Serf): 32 random bytes,
	// the same on every agent; see discovery.Config.EncryptKey. Empty
	// gossips in the clear. An agent with another key cannot join.
	EncryptKey []byte
	// Retention bounds the records the agent keeps, by total size and by
	// age (see log.Retention); the zero value keeps every record. A
	// consume below what is kept gets OutOfRange naming the lowest offset.
	Retention log.Retention
	// RaftMultiplier scales Raft's timing, as Consul's raft_multiplier
	// does. At 1 (zero means 1), hashicorp/raft's defaults: a follower
	// that hears no heartbeat for 1 s starts an election, and a leader
	// that hears from no majority for 500 ms steps down. On a slow or
	// loaded machine, where a pause that long is normal, a higher
	// multiplier keeps a healthy leader leading; a leader that did fail
	// then takes that many times longer to replace. Every server of a
	// cluster should use the same.
	RaftMultiplier int
	// Logger receives the agent's logs, named per subsystem. Nil discards
	// them.
	Logger *zap.Logger

	// SniffTimeout bounds how long the port waits for a new connection's
	// first byte, which tells Raft's connections from gRPC's; a connection
	// that sends nothing for that long is closed. Zero means
	// DefaultSniffTimeout.
	SniffTimeout time.Duration
	// HandshakeTimeout bounds how long a connection may take to finish its
	// handshakes once the port knows whose it is: TLS and HTTP/2 for gRPC
	// (zero means server.DefaultHandshakeTimeout), TLS for Raft (zero
	// means log.DefaultRaftHandshakeTimeout).
	HandshakeTimeout time.Duration
	// MeterProvider records the gRPC server's metrics. Nil records none,
	// unless HTTPAddr is set: the agent then records them in a provider of
	// its own, which the HTTP port serves at /metrics (after New, the
	// Agent's MeterProvider holds it). A provider given
	// here is the caller's to serve: the HTTP port then serves no
	// /metrics. The global otel.GetMeterProvider() is never used.
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
	errs = append(errs, checkMutualTLS13(c.ServerTLSConfig, c.PeerTLSConfig))
	if c.DataDir == "" {
		errs = append(errs, errors.New("Config.DataDir is empty"))
	}
	if c.NodeName == "" {
		errs = append(errs, errors.New("Config.NodeName is empty"))
	}
	if c.RaftMultiplier < 0 {
		errs = append(errs, fmt.Errorf("Config.RaftMultiplier (%d) must not be negative", c.RaftMultiplier))
	}
	if c.ACLModelFile == "" || c.ACLPolicyFile == "" {
		errs = append(errs, errors.New("Config.ACLModelFile and Config.ACLPolicyFile are required: the server refuses to run without an ACL"))
	}
	if c.SniffTimeout < 0 || c.HandshakeTimeout < 0 {
		errs = append(errs, fmt.Errorf("Config.SniffTimeout (%s) and Config.HandshakeTimeout (%s) must not be negative", c.SniffTimeout, c.HandshakeTimeout))
	}
	if c.RPCPort < 0 || c.RPCPort > 65535 {
		errs = append(errs, fmt.Errorf("Config.RPCPort (%d) must be between 0 and 65535", c.RPCPort))
	}
	if _, err := c.RPCAddr(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkMutualTLS13 reports TLS configs that would let a connection in with
// less than TLS 1.3, or a client without a verified certificate.
func checkMutualTLS13(server, peer *tls.Config) error {
	var errs []error
	if server != nil && server.MinVersion < tls.VersionTLS13 {
		errs = append(errs, errors.New("Config.ServerTLSConfig.MinVersion must be tls.VersionTLS13"))
	}
	if server != nil && server.ClientAuth != tls.RequireAndVerifyClientCert {
		errs = append(errs, errors.New("Config.ServerTLSConfig.ClientAuth must be tls.RequireAndVerifyClientCert: the ACL and the Raft port name clients by their certificates"))
	}
	if server != nil && len(server.Certificates) == 0 {
		errs = append(errs, errors.New("Config.ServerTLSConfig has no certificate"))
	}
	if peer != nil && peer.MinVersion < tls.VersionTLS13 {
		errs = append(errs, errors.New("Config.PeerTLSConfig.MinVersion must be tls.VersionTLS13"))
	}
	return errors.Join(errs...)
}

// peerNames returns PeerNames, or the common name of the server's
// certificate when it is empty.
func (c Config) peerNames() ([]string, error) {
	if len(c.PeerNames) > 0 {
		return c.PeerNames, nil
	}
	cert, err := x509.ParseCertificate(c.ServerTLSConfig.Certificates[0].Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("parse the server certificate for its common name: %w", err)
	}
	return []string{cert.Subject.CommonName}, nil
}
