package main

import (
	"crypto/tls"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/discovery"

	"github.com/proglog-workshop/proglog/final/internal/agent"
)

// agentConfigFrom returns the agent.Config that serve builds from args.
func agentConfigFrom(t *testing.T, args []string) (agent.Config, error) {
	t.Helper()
	flags := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addServeFlags(flags)
	require.NoError(t, flags.Parse(args))
	v, err := loadSettings(flags)
	require.NoError(t, err)
	return agentConfig(v)
}

// nodeArgs are the flags of a node whose files gencert wrote into dir.
func nodeArgs(dir string) []string {
	return []string{
		"--node-name", "n1", "--data-dir", filepath.Join(dir, "n1"), "--bootstrap",
		"--bind-addr", "127.0.0.1:18401", "--rpc-port", "18400", "--start-join-addrs", "127.0.0.1:18411,127.0.0.1:18421",
		"--acl-model-file", filepath.Join(dir, "model.conf"), "--acl-policy-file", filepath.Join(dir, "policy.csv"),
		"--server-tls-cert-file", filepath.Join(dir, "server.pem"), "--server-tls-key-file", filepath.Join(dir, "server-key.pem"),
		"--server-tls-ca-file", filepath.Join(dir, "ca.pem"),
		"--peer-tls-cert-file", filepath.Join(dir, "server.pem"), "--peer-tls-key-file", filepath.Join(dir, "server-key.pem"),
		"--peer-tls-ca-file", filepath.Join(dir, "ca.pem"),
		"--gossip-key-file", filepath.Join(dir, "gossip.key"),
		"--health-addr", "127.0.0.1:18402", "--peer-names", "server,other",
		"--retention-max-bytes", "64MiB", "--retention-max-age", "168h", "--raft-multiplier", "3",
		"--retry-join=false",
	}
}

func TestAgentConfigMapsEveryFlag(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	cfg, err := agentConfigFrom(t, nodeArgs(dir))
	require.NoError(t, err)
	require.Equal(t, "n1", cfg.NodeName)
	require.Equal(t, filepath.Join(dir, "n1"), cfg.DataDir)
	require.True(t, cfg.Bootstrap)
	require.Equal(t, "127.0.0.1:18401", cfg.BindAddr)
	require.Equal(t, 18400, cfg.RPCPort)
	require.Equal(t, []string{"127.0.0.1:18411", "127.0.0.1:18421"}, cfg.StartJoinAddrs)
	require.True(t, cfg.DisableRetryJoin, "--retry-join=false must turn the retries off")
	require.Equal(t, filepath.Join(dir, "model.conf"), cfg.ACLModelFile)
	require.Equal(t, filepath.Join(dir, "policy.csv"), cfg.ACLPolicyFile)
	require.Equal(t, tls.RequireAndVerifyClientCert, cfg.ServerTLSConfig.ClientAuth, "the server must verify its clients")
	require.Len(t, cfg.EncryptKey, discovery.EncryptKeyBytes, "the gossip key must be read and decoded")
	require.Equal(t, "127.0.0.1:18402", cfg.HealthAddr)
	require.Equal(t, []string{"server", "other"}, cfg.PeerNames)
	require.Equal(t, uint64(64<<20), cfg.Retention.MaxBytes)
	require.Equal(t, 168*time.Hour, cfg.Retention.MaxAge)
	require.Equal(t, 3, cfg.RaftMultiplier)
	require.Len(t, cfg.ServerTLSConfig.Certificates, 1)
	require.Len(t, cfg.PeerTLSConfig.Certificates, 1, "Raft must present a certificate to its peers")
	require.Equal(t, "127.0.0.1", cfg.PeerTLSConfig.ServerName, "the peers are checked against --bind-addr's host by default")
}

func TestAgentConfigRetriesTheJoinByDefault(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	args := slices.DeleteFunc(nodeArgs(dir), func(arg string) bool { return arg == "--retry-join=false" })
	cfg, err := agentConfigFrom(t, args)
	require.NoError(t, err)
	require.False(t, cfg.DisableRetryJoin, "a node must keep trying to join unless told not to: its peers may start after it")
}

func TestAgentConfigNamesTheFlagOfAMissingFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	args := append(nodeArgs(dir), "--peer-tls-key-file", filepath.Join(dir, "missing.pem"))
	_, err := agentConfigFrom(t, args)
	require.ErrorContains(t, err, "--peer-tls-key-file")
	require.ErrorContains(t, err, "missing.pem does not exist")
}

func TestAgentConfigRefusesARaftMultiplierBelowOne(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	_, err := agentConfigFrom(t, append(nodeArgs(dir), "--raft-multiplier", "0"))
	require.ErrorContains(t, err, "--raft-multiplier 0")
}

func TestAgentConfigBootstrapsTheNamedNodeOnly(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	withoutBootstrap := slices.DeleteFunc(nodeArgs(dir), func(arg string) bool { return arg == "--bootstrap" })
	for _, tc := range []struct {
		nodeName string
		want     bool
	}{
		{nodeName: "proglog-0", want: true},
		{nodeName: "proglog-1", want: false},
	} {
		args := append(slices.Clone(withoutBootstrap), "--node-name", tc.nodeName, "--bootstrap-node-name", "proglog-0")
		cfg, err := agentConfigFrom(t, args)
		require.NoError(t, err)
		require.Equal(t, tc.want, cfg.Bootstrap, "node %s", tc.nodeName)
	}
}
