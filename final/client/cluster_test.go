package client_test

import (
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/client"
	"github.com/proglog-workshop/proglog/final/internal/agent"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// converge is how long the tests give the cluster to settle or a call to
// succeed: well under a second on an idle machine, with a margin for a
// loaded one.
const converge = 30 * time.Second

// The example ACL: root may produce and consume.
const (
	aclModel  = "../internal/auth/testdata/model.conf"
	aclPolicy = "../internal/auth/testdata/policy.csv"
)

// testCluster is an in-process cluster of real agents on 127.0.0.1, with
// mutual TLS on the shared gRPC and Raft port.
type testCluster struct {
	certs  pki.Files
	agents []*agent.Agent
}

// startCluster starts n agents, the first bootstrapping the cluster and
// leading it, the others joining through it. Each agent is shut down when
// the test ends unless the test shut it down before.
func startCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	return startClusterWith(t, n, func(c *agent.Config) { c.Logger = zaptest.NewLogger(t) })
}

// startClusterWith is startCluster with each agent's Config changed by
// configure before the agent starts.
func startClusterWith(t testing.TB, n int, configure func(*agent.Config)) *testCluster {
	t.Helper()
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true,
	})
	require.NoError(t, err)
	// Raft dials the other servers as a server: their Raft port accepts
	// no other identity.
	peerTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1",
	})
	require.NoError(t, err)
	c := &testCluster{certs: certs}
	for i := range n {
		var join []string
		if i > 0 {
			join = []string{c.agents[0].BindAddr}
		}
		config := agent.Config{
			NodeName:        fmt.Sprint(i),
			Bootstrap:       i == 0,
			DataDir:         t.TempDir(),
			BindAddr:        "127.0.0.1:0",
			StartJoinAddrs:  join,
			ServerTLSConfig: serverTLS,
			PeerTLSConfig:   peerTLS,
			ACLModelFile:    aclModel,
			ACLPolicyFile:   aclPolicy,
		}
		configure(&config)
		a, err := agent.New(config)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
		c.agents = append(c.agents, a)
	}
	return c
}

// rootTLS returns the TLS of a client that connects as root.
func (c *testCluster) rootTLS(t testing.TB) *tls.Config {
	t.Helper()
	return rootTLS(t, c.certs)
}

// rootTLS returns the TLS of a client that connects as root with certs.
func rootTLS(t testing.TB, certs pki.Files) *tls.Config {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile,
	})
	require.NoError(t, err)
	return tlsConfig
}

// newClient returns a client of the cluster dialled through agent i, as
// root; it is closed when the test ends.
func (c *testCluster) newClient(t testing.TB, i int) *client.Client {
	t.Helper()
	addr, err := c.agents[i].RPCAddr()
	require.NoError(t, err)
	cl, err := client.New(t.Context(), client.Config{Addr: addr, TLS: c.rootTLS(t), RetryTimeout: converge})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, cl.Close()) })
	return cl
}

// waitForServers waits until the cluster, as cl sees it, has n servers
// and a leader.
func waitForServers(t testing.TB, cl *client.Client, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		servers, err := cl.Servers(t.Context())
		if err != nil || len(servers) != n {
			return false
		}
		for _, s := range servers {
			if s.GetIsLeader() {
				return true
			}
		}
		return false
	}, converge, 20*time.Millisecond, "the cluster must list %d servers with a leader", n)
}

// waitForEveryServer waits until every agent of c holds offset off, asking
// each one directly rather than through the balancer. Tests that stop the
// leader wait for it first: a server left without the entry that added
// another refuses that one's votes, and the two can then elect nobody.
func (c *testCluster) waitForEveryServer(t testing.TB, off uint64) {
	t.Helper()
	for _, a := range c.agents {
		addr, err := a.RPCAddr()
		require.NoError(t, err)
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(c.rootTLS(t))))
		require.NoError(t, err)
		server := api.NewLogClient(conn)
		require.Eventually(t, func() bool {
			_, err := server.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
			return err == nil
		}, converge, 10*time.Millisecond, "agent %s does not hold offset %d", a.NodeName, off)
		require.NoError(t, conn.Close())
	}
}
