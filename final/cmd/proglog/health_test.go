package main

import (
	"bytes"
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/internal/agent"
)

// runCommand runs the proglog command with args and returns its standard
// output and its error.
func runCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(t.Context())
	return out.String(), err
}

// startNode starts a one-node cluster on free ports of 127.0.0.1, with a
// plaintext health port, from the files gencert wrote into dir.
func startNode(t *testing.T, dir string) *agent.Agent {
	t.Helper()
	args := []string{
		"--node-name", "n1", "--data-dir", filepath.Join(dir, "n1"), "--bootstrap",
		"--bind-addr", "127.0.0.1:0", "--rpc-port", "0", "--health-addr", "127.0.0.1:0",
		"--acl-model-file", filepath.Join(dir, "model.conf"), "--acl-policy-file", filepath.Join(dir, "policy.csv"),
		"--server-tls-cert-file", filepath.Join(dir, "server.pem"), "--server-tls-key-file", filepath.Join(dir, "server-key.pem"),
		"--server-tls-ca-file", filepath.Join(dir, "ca.pem"),
		"--peer-tls-cert-file", filepath.Join(dir, "server.pem"), "--peer-tls-key-file", filepath.Join(dir, "server-key.pem"),
		"--peer-tls-ca-file", filepath.Join(dir, "ca.pem"),
	}
	cfg, err := agentConfigFrom(t, args)
	require.NoError(t, err)
	a, err := agent.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Shutdown() }) // a test that shut it down already gets nil
	return a
}

func TestHealthChecksThePlaintextHealthPort(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	a := startNode(t, dir)

	out, err := runCommand(t, "health", "--addr", a.HealthAddr)
	require.NoError(t, err)
	require.Equal(t, "SERVING\n", out)

	_, err = runCommand(t, "health", "--addr", a.HealthAddr, "--service", "log.v1.Log")
	require.NoError(t, err, "the health port must answer for the Log service too")
}

func TestHealthChecksTheMainPortOverMutualTLS(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	a := startNode(t, dir)
	rpcAddr, err := a.RPCAddr()
	require.NoError(t, err)
	tlsArgs := []string{"--ca", filepath.Join(dir, "ca.pem"), "--cert", filepath.Join(dir, "nobody-client.pem"), "--key", filepath.Join(dir, "nobody-client-key.pem")}

	out, err := runCommand(t, append([]string{"health", "--addr", rpcAddr}, tlsArgs...)...)
	require.NoError(t, err, "health must need no ACL entry, only a certificate the CA signed")
	require.Equal(t, "SERVING\n", out)

	_, err = runCommand(t, "health", "--addr", rpcAddr, "--timeout", "1s")
	require.Error(t, err, "the main port must refuse a plaintext probe")

	_, err = runCommand(t, "health", "--addr", rpcAddr, "--ca", filepath.Join(dir, "ca.pem"))
	require.ErrorContains(t, err, "--cert is required")
}

func TestHealthFailsWhenTheNodeIsGone(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, gencert(dir, nil))
	a := startNode(t, dir)
	addr := a.HealthAddr
	require.NoError(t, a.Shutdown())

	_, err := runCommand(t, "health", "--addr", addr, "--timeout", "500ms")
	require.ErrorContains(t, err, addr)

	_, err = runCommand(t, "health")
	require.ErrorContains(t, err, "--addr is required")
}

func TestParseConnectTo(t *testing.T) {
	routes, err := parseConnectTo([]string{"node-1:8400=127.0.0.1:18400", "node-2:8400=127.0.0.1:18410"})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"node-1:8400": "127.0.0.1:18400", "node-2:8400": "127.0.0.1:18410"}, routes)

	for _, bad := range []string{"node-1:8400", "node-1=127.0.0.1:18400", "node-1:8400=localhost"} {
		_, err := parseConnectTo([]string{bad})
		require.ErrorContains(t, err, bad, "a malformed --connect-to must be refused, naming it")
	}
}

func TestDialViaReachesAMappedAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	accepted := make(chan struct{})
	go func() {
		if conn, err := ln.Accept(); err == nil {
			_ = conn.Close()
			close(accepted)
		}
	}()

	dial := dialVia(map[string]string{"node-1.invalid:8400": ln.Addr().String()})
	conn, err := dial(t.Context(), "node-1.invalid:8400")
	require.NoError(t, err, "a mapped address must be dialled at its target")
	_ = conn.Close()
	<-accepted

	_, err = dial(t.Context(), "node-2.invalid:8400")
	require.Error(t, err, "an address that is not mapped is dialled as it is, and .invalid never resolves")
}
