package main

import (
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/proglog-workshop/proglog/final/internal/agent"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/discovery"
	"github.com/proglog-workshop/proglog/final/internal/log"
)

// This file is the one place where serve's settings become an
// agent.Config: a new field of the agent is a flag in addServeFlags and a
// line in agentConfig.

// addServeFlags defines serve's flags. Their names are the book's; each is
// also an environment variable and a key of the config file (see
// loadSettings).
func addServeFlags(flags *pflag.FlagSet) {
	hostname, err := os.Hostname()
	if err != nil {
		hostname = "" // agentConfig then asks for --node-name
	}
	flags.String(configFileFlag, "", "YAML file of settings, one key per flag (data-dir: /var/lib/proglog)")

	flags.String("data-dir", filepath.Join(os.TempDir(), "proglog"), "directory of the node's log and Raft state; a restarted node finds its records here")
	flags.String("node-name", hostname, "name of the node in the cluster, unique in it")
	flags.String("bind-addr", "127.0.0.1:8401", "host:port of Serf, the membership gossip (TCP and UDP)")
	flags.Int("rpc-port", 8400, "port of gRPC and Raft, which share it, on --bind-addr's host")
	flags.StringSlice("start-join-addrs", nil, "Serf addresses (--bind-addr) of nodes already in the cluster, comma-separated; one that answers is enough")
	flags.Bool("retry-join", true, "if no node of --start-join-addrs answers yet, run alone and keep trying (250 ms doubling to 5 s) until one does; false exits instead")
	flags.Bool("bootstrap", false, "start a new cluster with this node as its first leader (the first node only, the first time)")
	flags.String("bootstrap-node-name", "", "--bootstrap, but only on the node whose --node-name this is: lets nodes that share their settings, as a StatefulSet's pods do, name the first")

	flags.String("acl-model-file", "", "casbin model of the ACL (gencert writes model.conf)")
	flags.String("acl-policy-file", "", "casbin policy of the ACL (gencert writes policy.csv)")

	flags.String("server-tls-cert-file", "", "certificate the node serves gRPC and Raft with (gencert: server.pem)")
	flags.String("server-tls-key-file", "", "its private key (gencert: server-key.pem)")
	flags.String("server-tls-ca-file", "", "CA that must have signed every client's and peer's certificate (gencert: ca.pem)")
	flags.String("peer-tls-cert-file", "", "certificate the node presents when its Raft dials another node (gencert: server.pem)")
	flags.String("peer-tls-key-file", "", "its private key (gencert: server-key.pem)")
	flags.String("peer-tls-ca-file", "", "CA that must have signed the other nodes' certificates (gencert: ca.pem)")
	flags.String("peer-tls-server-name", "", "name every other node's certificate must be valid for (default: --bind-addr's host)")
	flags.StringSlice("peer-names", nil, "common names of the certificates that may open Raft connections, comma-separated (default: the name on --server-tls-cert-file)")
	flags.String("gossip-key-file", "", "file holding the base64 32-byte key that encrypts Serf's gossip, the same on every node (gencert: gossip.key; default: gossip in the clear)")
	flags.String("retention-max-bytes", "0", `drop the oldest segments of records while the log is larger than this, in bytes, with an optional unit ("10GiB", "500MB"); 0 keeps every record`)
	flags.Duration("retention-max-age", 0, `drop segments whose records are all older than this ("168h" for a week); 0 keeps every record`)
	flags.Int("raft-multiplier", 1, "scales Raft's timeouts (at 1: elections after 1 s without a heartbeat, a leader steps down after 500 ms without a majority); raise it on slow or busy machines, the same on every node")
	flags.String("health-addr", "", "host:port to serve the gRPC health service alone on, in plaintext, for probes without a client certificate (default: none)")

	flags.String("http-addr", "", "host:port of the node's read-only HTTP port, in plaintext: the status page at /status, its data at /status.json and /cluster.json, Prometheus metrics at /metrics (default: none)")
	flags.Bool("trace", false, "print a span for every gRPC call to stderr, as JSON")
	flags.Float64("trace-ratio", 1, "fraction of the gRPC calls --trace prints a span for, from 0 to 1, chosen by trace ID; a call in a trace its client sampled is always printed (0.01: one call in a hundred, what a busy node can afford)")
	flags.String("log-format", "json", `format of the node's logs on stderr: "json" (one object per line) or "console" (for people)`)
	flags.String("log-level", "info", `least severe level of the logs: "debug", "info", "warn" or "error"`)
}

// serveSettings are serve's settings that are not the agent's.
type serveSettings struct {
	trace      bool
	traceRatio float64 // the fraction of calls traced when trace is on
	logFormat  string
	logLevel   string
}

// serveOnlySettings returns the settings of v that serve keeps for itself.
func serveOnlySettings(v *viper.Viper) serveSettings {
	return serveSettings{
		trace:      v.GetBool("trace"),
		traceRatio: v.GetFloat64("trace-ratio"),
		logFormat:  v.GetString("log-format"),
		logLevel:   v.GetString("log-level"),
	}
}

// agentConfig returns the agent.Config that v's settings describe, its TLS
// loaded from their files. Logger, MeterProvider and TracerProvider are
// the caller's to set.
func agentConfig(v *viper.Viper) (agent.Config, error) {
	cfg := agent.Config{
		DataDir:          v.GetString("data-dir"),
		NodeName:         v.GetString("node-name"),
		BindAddr:         v.GetString("bind-addr"),
		RPCPort:          v.GetInt("rpc-port"),
		StartJoinAddrs:   stringList(v, "start-join-addrs"),
		DisableRetryJoin: !v.GetBool("retry-join"),
		Bootstrap:        v.GetBool("bootstrap") || isBootstrapNode(v),
		ACLModelFile:     v.GetString("acl-model-file"),
		ACLPolicyFile:    v.GetString("acl-policy-file"),
		PeerNames:        stringList(v, "peer-names"),
		HealthAddr:       v.GetString("health-addr"),
		HTTPAddr:         v.GetString("http-addr"),
		Retention:        log.Retention{MaxAge: v.GetDuration("retention-max-age")},
		RaftMultiplier:   v.GetInt("raft-multiplier"),
	}
	if cfg.RaftMultiplier < 1 {
		return agent.Config{}, fmt.Errorf("--raft-multiplier %d: give 1 for Raft's default timing, more for slower", cfg.RaftMultiplier)
	}
	if cfg.Retention.MaxAge < 0 {
		return agent.Config{}, fmt.Errorf("--retention-max-age %s is negative: give 0 to keep every record", cfg.Retention.MaxAge)
	}
	if cfg.NodeName == "" {
		return agent.Config{}, fmt.Errorf("--node-name is empty (and the host has no name to default to): give every node a unique name")
	}
	if cfg.ACLModelFile == "" || cfg.ACLPolicyFile == "" {
		return agent.Config{}, fmt.Errorf("--acl-model-file and --acl-policy-file are required: the server refuses every call without an ACL (proglog gencert writes an example pair)")
	}
	var err error
	if cfg.Retention.MaxBytes, err = parseBytes(v.GetString("retention-max-bytes")); err != nil {
		return agent.Config{}, fmt.Errorf("--retention-max-bytes: %w", err)
	}
	if cfg.EncryptKey, err = loadGossipKey(v.GetString("gossip-key-file")); err != nil {
		return agent.Config{}, err
	}
	cfg.ServerTLSConfig, err = loadTLS("server-tls", config.TLSConfig{
		CertFile: v.GetString("server-tls-cert-file"),
		KeyFile:  v.GetString("server-tls-key-file"),
		CAFile:   v.GetString("server-tls-ca-file"),
		Server:   true,
	})
	if err != nil {
		return agent.Config{}, err
	}
	peerName := v.GetString("peer-tls-server-name")
	if peerName == "" {
		// As in the book: the peers' certificates are valid for this
		// node's host, true of a local cluster and of nodes that share
		// a certificate.
		if peerName, _, err = net.SplitHostPort(cfg.BindAddr); err != nil {
			return agent.Config{}, fmt.Errorf("--bind-addr %q is not host:port: %w", cfg.BindAddr, err)
		}
	}
	cfg.PeerTLSConfig, err = loadTLS("peer-tls", config.TLSConfig{
		CertFile:      v.GetString("peer-tls-cert-file"),
		KeyFile:       v.GetString("peer-tls-key-file"),
		CAFile:        v.GetString("peer-tls-ca-file"),
		ServerAddress: peerName,
	})
	if err != nil {
		return agent.Config{}, err
	}
	return cfg, nil
}

// isBootstrapNode reports whether --bootstrap-node-name names this node.
// Bootstrapping a node that already has Raft state does nothing, so the
// named node may keep the setting across restarts.
func isBootstrapNode(v *viper.Viper) bool {
	name := v.GetString("bootstrap-node-name")
	return name != "" && name == v.GetString("node-name")
}

// loadGossipKey reads the base64 gossip key in file, as gencert writes it;
// no file is no key.
func loadGossipKey(file string) ([]byte, error) {
	if file == "" {
		return nil, nil
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--gossip-key-file: %w (proglog gencert writes one)", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil {
		return nil, fmt.Errorf("--gossip-key-file %s is not base64: %w", file, err)
	}
	if len(key) != discovery.EncryptKeyBytes {
		return nil, fmt.Errorf("--gossip-key-file %s holds %d bytes, want %d (proglog gencert writes one)", file, len(key), discovery.EncryptKeyBytes)
	}
	return key, nil
}
