package loadbalance

import (
	"context"
	"crypto/tls"
	"fmt"
	"maps"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/pki"
	"github.com/proglog-workshop/proglog/final/internal/server"
)

// converge bounds every wait of these tests: far more than local gRPC
// needs, even on a loaded machine.
const converge = 10 * time.Second

// tick is how often the tests look again.
const tick = 10 * time.Millisecond

// The example ACL: root may produce and consume, nobody may do nothing.
const (
	aclModel  = "../auth/testdata/model.conf"
	aclPolicy = "../auth/testdata/policy.csv"
)

// testCluster is a cluster of the chapter's real gRPC servers, each on its
// own log, over mutual TLS on 127.0.0.1. The servers do not replicate:
// these tests are about where calls go, not about Raft. What GetServers
// answers, the same on every server, is the test's to set: setLeader
// plays an election.
type testCluster struct {
	certs   pki.Files
	servers []*testServer

	mu     sync.Mutex // guards leader
	leader int        // the index of the leader in servers; -1 for none
}

var _ server.GetServerer = (*testCluster)(nil)

// GetServers implements server.GetServerer: every server, the leader
// marked.
func (c *testCluster) GetServers() ([]*api.Server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var servers []*api.Server
	for i, s := range c.servers {
		servers = append(servers, &api.Server{Id: fmt.Sprint(i), RpcAddr: s.addr, IsLeader: i == c.leader})
	}
	return servers, nil
}

// leaderIndex returns the index of the leader GetServers names.
func (c *testCluster) leaderIndex() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leader
}

// setLeader makes server i the leader GetServers names (-1: none).
func (c *testCluster) setLeader(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.leader = i
}

// testServer is one server of a testCluster. It counts the calls it
// takes, by method, after the ACL allowed them.
type testServer struct {
	addr string
	srv  *grpc.Server
	ln   *dropListener

	mu    sync.Mutex     // guards calls
	calls map[string]int // by full method name
}

// startCluster starts n servers, server 0 the leader, each with one
// record in its log that says which server it is ("server 1"). They stop
// when the test ends.
func startCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	serverTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true,
	})
	require.NoError(t, err)
	c := &testCluster{certs: certs}
	for i := range n {
		c.servers = append(c.servers, startServer(t, c, serverTLS, fmt.Sprintf("server %d", i)))
	}
	return c
}

func startServer(t *testing.T, cluster *testCluster, serverTLS *tls.Config, name string) *testServer {
	t.Helper()
	commitLog, err := log.NewLog(t.TempDir(), log.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, commitLog.Close()) })
	_, err = commitLog.Append(&api.Record{Value: []byte(name)})
	require.NoError(t, err)
	authorizer, err := auth.New(aclModel, aclPolicy)
	require.NoError(t, err)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &testServer{addr: ln.Addr().String(), ln: &dropListener{Listener: ln}, calls: map[string]int{}}
	s.srv, err = server.NewGRPCServer(
		&server.Config{CommitLog: commitLog, Authorizer: authorizer, GetServerer: cluster},
		grpc.Creds(credentials.NewTLS(serverTLS)),
		grpc.ChainUnaryInterceptor(s.countUnary),
		grpc.ChainStreamInterceptor(s.countStream),
	)
	require.NoError(t, err)
	serving := make(chan error, 1)
	go func() { serving <- s.srv.Serve(s.ln) }()
	t.Cleanup(func() {
		s.stop()
		require.NoError(t, <-serving)
	})
	return s
}

// stop stops the server at once, closing its connections. It may be
// called again.
func (s *testServer) stop() {
	s.srv.Stop()
}

func (s *testServer) countUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	s.count(info.FullMethod)
	return handler(ctx, req)
}

func (s *testServer) countStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	s.count(info.FullMethod)
	return handler(srv, ss)
}

func (s *testServer) count(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
}

// callsTo returns how many calls of method the server took.
func (s *testServer) callsTo(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// counts returns how many calls of each method the server took, and
// forgets them.
func (s *testServer) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := maps.Clone(s.calls)
	clear(s.calls)
	return calls
}

// resetCounts forgets the calls of every server.
func (c *testCluster) resetCounts() {
	for _, s := range c.servers {
		s.counts()
	}
}

// countsOf returns how many calls of method each server took, by index.
func (c *testCluster) countsOf(method string) []int {
	counts := make([]int, len(c.servers))
	for i, s := range c.servers {
		counts[i] = s.callsTo(method)
	}
	return counts
}

// dropListener is a listener that can close the connections it accepted
// while it goes on accepting new ones: to the clients, the server went
// away and came back at once.
type dropListener struct {
	net.Listener

	mu    sync.Mutex // guards conns
	conns []net.Conn
}

func (l *dropListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns = append(l.conns, conn)
	return conn, nil
}

// dropConns closes every connection accepted so far.
func (l *dropListener) dropConns() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, conn := range l.conns {
		_ = conn.Close() // the point is to cut it; the server sees the error
	}
	l.conns = nil
}

// clientTLS returns the TLS of a client with the certificate cert (one of
// certs' client certificates) and its key.
func clientTLS(t testing.TB, certs pki.Files, cert, key string) *tls.Config {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{CertFile: cert, KeyFile: key, CAFile: certs.CAFile})
	require.NoError(t, err)
	return tlsConfig
}

// dial returns a connection, as root, to "proglog:///" and the address of
// server i of c: a connection through the package's resolver and picker.
// It is closed when the test ends.
func dial(t *testing.T, c *testCluster, i int) *grpc.ClientConn {
	t.Helper()
	creds := credentials.NewTLS(clientTLS(t, c.certs, c.certs.RootClientCertFile, c.certs.RootClientKeyFile))
	conn, err := grpc.NewClient(Name+":///"+c.servers[i].addr, grpc.WithTransportCredentials(creds))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return conn
}

// callContext returns a context for one call: a call that cannot find its
// server waits, and these tests want it to end and say so.
func callContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), converge)
	t.Cleanup(cancel)
	return ctx
}

// waitFor reports whether cond became true within converge, checking it
// every tick. Unlike require.Eventually it lets the caller say what it
// saw last.
func waitFor(cond func() bool) bool {
	deadline := time.NewTimer(converge)
	defer deadline.Stop()
	poll := time.NewTicker(tick)
	defer poll.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-poll.C:
		}
	}
	return true
}
