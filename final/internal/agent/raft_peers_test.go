package agent

import (
	"net"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest"

	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// TestRaftAcceptsOnlyServers sends a real Raft RPC, a vote request, to an
// agent's port from a Raft transport of the test's: with the server's
// certificate the agent's Raft answers; with root's, a client of the same
// CA whom the ACL allows everything, the TLS handshake refuses it.
func TestRaftAcceptsOnlyServers(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	a := startCluster(t, 1, certs, true)[0]
	addr, err := a.RPCAddr()
	require.NoError(t, err)

	tests := []struct {
		name              string
		certFile, keyFile string
		answered          bool
	}{
		{"a server's certificate is answered", certs.ServerCertFile, certs.ServerKeyFile, true},
		{"root's client certificate is refused", certs.RootClientCertFile, certs.RootClientKeyFile, false},
		{"producer's client certificate is refused", certs.ProducerClientCertFile, certs.ProducerClientKeyFile, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			transport := raftTransport(t, certs, tt.certFile, tt.keyFile)
			// Term 0 is older than any the agent knows: it refuses the
			// vote, and nothing changes in its cluster, but it answers.
			req := &raft.RequestVoteRequest{
				RPCHeader: raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax, ID: []byte("intruder"), Addr: []byte(transport.LocalAddr())},
				Term:      0,
			}
			var res raft.RequestVoteResponse
			err := transport.RequestVote("0", raft.ServerAddress(addr), req, &res)
			if tt.answered {
				require.NoError(t, err, "the agent's Raft must answer a server")
				require.False(t, res.Granted)
				return
			}
			require.Error(t, err, "the agent's Raft port must refuse a client certificate")
		})
	}
}

// raftTransport returns a Raft transport that dials as the certificate in
// certFile and keyFile; it is closed when the test ends.
func raftTransport(t *testing.T, certs pki.Files, certFile, keyFile string) *raft.NetworkTransport {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{CertFile: certFile, KeyFile: keyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1"})
	require.NoError(t, err)
	// The transport listens too; nothing dials it here.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	transport := raft.NewNetworkTransportWithLogger(log.NewStreamLayer(ln, nil, tlsConfig), 1, 5*time.Second, log.NewRaftLogger(zaptest.NewLogger(t)))
	t.Cleanup(func() { require.NoError(t, transport.Close()) })
	return transport
}
