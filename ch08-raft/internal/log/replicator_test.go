package log_test

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/ch08-raft/api/v1"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/auth"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/config"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/log"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/pki"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/server"
)

// settle is how long the tests give records and cancellations to cross a
// connection: milliseconds on an idle machine, with a margin for a loaded
// one.
const settle = 20 * time.Second

// tick is how often the tests look again.
const tick = 10 * time.Millisecond

// node is a real server: a log in a temporary directory served over mutual
// TLS with the example ACL.
type node struct {
	addr string
	// client talks to the node as root.
	client api.LogClient
	// streams counts the ConsumeStream calls the node is serving.
	streams atomic.Int64
}

// startNode serves a new log on a free port of 127.0.0.1 until the test
// ends.
func startNode(t *testing.T, certs pki.Files) *node {
	t.Helper()
	l, err := log.NewLog(t.TempDir(), log.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	authorizer, err := auth.New("../auth/testdata/model.conf", "../auth/testdata/policy.csv")
	require.NoError(t, err)
	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true,
	})
	require.NoError(t, err)
	n := &node{}
	countStreams := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if info.FullMethod == api.Log_ConsumeStream_FullMethodName {
			n.streams.Add(1)
			defer n.streams.Add(-1)
		}
		return handler(srv, ss)
	}
	gsrv, err := server.NewGRPCServer(&server.Config{CommitLog: l, Authorizer: authorizer},
		grpc.Creds(credentials.NewTLS(serverTLS)), grpc.ChainStreamInterceptor(countStreams))
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- gsrv.Serve(ln) }()
	t.Cleanup(func() {
		gsrv.Stop()
		require.NoError(t, <-served)
	})
	n.addr = ln.Addr().String()
	conn, err := grpc.NewClient(n.addr, rootDialOptions(t, certs)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	n.client = api.NewLogClient(conn)
	return n
}

// rootDialOptions connect as root, whom the example ACL lets produce and
// consume: what servers use to replicate from each other.
func rootDialOptions(t *testing.T, certs pki.Files) []grpc.DialOption {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile,
	})
	require.NoError(t, err)
	return []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig))}
}

// newReplicator returns a Replicator into local, closed when the test ends.
func newReplicator(t *testing.T, certs pki.Files, local *node) *log.Replicator {
	t.Helper()
	r := &log.Replicator{
		DialOptions: rootDialOptions(t, certs),
		LocalServer: local.client,
		Logger:      zaptest.NewLogger(t),
	}
	t.Cleanup(func() { require.NoError(t, r.Close()) })
	return r
}

// stored is what a test compares of a record.
type stored struct {
	Value  string
	Origin string
}

// records returns every record n holds, in offset order.
func records(t *testing.T, n *node) []stored {
	t.Helper()
	var got []stored
	for off := uint64(0); ; off++ {
		res, err := n.client.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
		if status.Code(err) == codes.OutOfRange {
			return got
		}
		require.NoError(t, err, "consume offset %d", off)
		got = append(got, stored{string(res.GetRecord().GetValue()), res.GetRecord().GetOrigin()})
	}
}

func produce(t *testing.T, n *node, record *api.Record) {
	t.Helper()
	_, err := n.client.Produce(t.Context(), &api.ProduceRequest{Record: record})
	require.NoError(t, err)
}

func TestReplicatorCopiesWhatTheServerProduced(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	peer, local := startNode(t, certs), startNode(t, certs)
	produce(t, peer, &api.Record{Value: []byte("first")})
	// A record peer holds as a copy of a third server's: that server sends
	// it to local itself.
	produce(t, peer, &api.Record{Value: []byte("copied from C"), Origin: "C"})
	produce(t, peer, &api.Record{Value: []byte("second")})

	r := newReplicator(t, certs, local)
	require.NoError(t, r.Join("peer", peer.addr))
	require.NoError(t, r.Join("peer", peer.addr), "joining the same server twice is not an error")
	// Produced after Join: the stream follows the end of peer's log.
	produce(t, peer, &api.Record{Value: []byte("third")})

	require.Eventually(t, func() bool {
		got := records(t, local)
		return len(got) > 0 && got[len(got)-1].Value == "third"
	}, settle, tick, "local never received peer's records; it holds %v", records(t, local))
	// The stream is in order: once "third" is here, everything before it
	// on peer has been seen.
	require.Equal(t, []stored{{"first", "peer"}, {"second", "peer"}, {"third", "peer"}}, records(t, local),
		"the replicator copies only records that originated on the server (empty origin), once each, with origin set to the server's name")
	require.Equal(t, int64(1), peer.streams.Load(), "one stream per server, even when joined twice")
}

func TestReplicatorLeaveEndsTheStream(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	a, b, local := startNode(t, certs), startNode(t, certs), startNode(t, certs)
	r := newReplicator(t, certs, local)
	require.NoError(t, r.Join("a", a.addr))
	require.NoError(t, r.Join("b", b.addr))
	require.Eventually(t, func() bool { return a.streams.Load() == 1 && b.streams.Load() == 1 }, settle, tick,
		"the replicator never opened a stream to each server")

	require.NoError(t, r.Leave("a"))
	require.Eventually(t, func() bool { return a.streams.Load() == 0 }, settle, tick,
		"Leave must end the stream to the server that left; a is still serving it")
	require.Equal(t, int64(1), b.streams.Load(), "Leave(a) must leave the stream to b alone")
	require.NoError(t, r.Leave("a"), "leaving a server twice is not an error")

	produce(t, b, &api.Record{Value: []byte("from b")})
	require.Eventually(t, func() bool { return len(records(t, local)) == 1 }, settle, tick, "the stream to b stopped too")
}

func TestReplicatorCloseEndsEveryStream(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	a, b, local := startNode(t, certs), startNode(t, certs), startNode(t, certs)
	before := goleak.IgnoreCurrent()
	r := &log.Replicator{DialOptions: rootDialOptions(t, certs), LocalServer: local.client}
	require.NoError(t, r.Join("a", a.addr))
	require.NoError(t, r.Join("b", b.addr))
	require.Eventually(t, func() bool { return a.streams.Load() == 1 && b.streams.Load() == 1 }, settle, tick,
		"the replicator never opened a stream to each server")

	require.NoError(t, r.Close())
	require.NoError(t, goleak.Find(before), "goroutines outlived Close: Close must end every stream and close its connection")
	require.Eventually(t, func() bool { return a.streams.Load() == 0 && b.streams.Load() == 0 }, settle, tick,
		"Close must end the streams to every server")

	require.NoError(t, r.Join("a", a.addr), "Join after Close does nothing and is not an error")
	require.NoError(t, r.Close(), "Close twice is not an error")
	require.Equal(t, int64(0), a.streams.Load(), "Join after Close must not start a stream")
}
