package agent

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/serf/serf"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// converge is how long the tests give the cluster to spread a change:
// well under a second on an idle machine, with a margin for a loaded one.
const converge = 30 * time.Second

// tick is how often the tests look again.
const tick = 20 * time.Millisecond

// The example ACL: root may produce and consume.
const (
	aclModel  = "../auth/testdata/model.conf"
	aclPolicy = "../auth/testdata/policy.csv"
)

// newConfig returns the configuration of agent number i, on free ports of
// 127.0.0.1, joining through join, with certificates from certs.
func newConfig(t *testing.T, i int, certs pki.Files, join []string) Config {
	t.Helper()
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
	return Config{
		NodeName:        fmt.Sprint(i),
		Bootstrap:       i == 0,
		DataDir:         t.TempDir(),
		BindAddr:        "127.0.0.1:0",
		RPCPort:         0,
		StartJoinAddrs:  join,
		ServerTLSConfig: serverTLS,
		PeerTLSConfig:   peerTLS,
		ACLModelFile:    aclModel,
		ACLPolicyFile:   aclPolicy,
		Logger:          zaptest.NewLogger(t),
		// Under -race beside other tests, a leader can miss its 500 ms
		// lease and step down, and the tests that produce on agent 0
		// would fail for it: give Raft the room of a loaded machine.
		RaftMultiplier: testRaftMultiplier,
	}
}

// testRaftMultiplier is the agents' Config.RaftMultiplier in these tests.
const testRaftMultiplier = 2

// startCluster starts n agents, each joining through the first. With
// cleanup they shut down when the test ends.
func startCluster(t *testing.T, n int, certs pki.Files, cleanup bool) []*Agent {
	t.Helper()
	var agents []*Agent
	for i := range n {
		var join []string
		if i > 0 {
			join = []string{agents[0].BindAddr}
		}
		a, err := New(newConfig(t, i, certs, join))
		require.NoError(t, err)
		if cleanup {
			t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
		}
		agents = append(agents, a)
	}
	return agents
}

// client returns a client of a that connects as root; its connection is
// closed when the test ends.
func client(t *testing.T, a *Agent, certs pki.Files) api.LogClient {
	t.Helper()
	conn := dial(t, a, certs)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return api.NewLogClient(conn)
}

func dial(t *testing.T, a *Agent, certs pki.Files) *grpc.ClientConn {
	t.Helper()
	addr, err := a.RPCAddr()
	require.NoError(t, err)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(rootTLS(t, certs))))
	require.NoError(t, err)
	return conn
}

// rootTLS returns the client TLS configuration of the root client.
func rootTLS(t *testing.T, certs pki.Files) *tls.Config {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile,
	})
	require.NoError(t, err)
	return tlsConfig
}

// records returns the values of every record the server of c holds, in
// offset order.
func records(t *testing.T, c api.LogClient) []string {
	t.Helper()
	var got []string
	for off := uint64(0); ; off++ {
		res, err := c.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
		if status.Code(err) == codes.OutOfRange {
			return got
		}
		require.NoError(t, err, "consume offset %d", off)
		require.Equal(t, off, res.GetRecord().GetOffset())
		got = append(got, string(res.GetRecord().GetValue()))
	}
}

// requireRecords waits until the server of c holds exactly want.
func requireRecords(t *testing.T, c api.LogClient, want []string, msg string, args ...any) {
	t.Helper()
	var got []string
	held := func() bool {
		got = records(t, c)
		return slices.Equal(got, want)
	}
	if !eventually(held) {
		require.Equal(t, want, got, append([]any{msg}, args...)...)
	}
}

// eventually reports whether cond became true within converge, checking
// it every tick.
func eventually(cond func() bool) bool {
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

func produce(t *testing.T, c api.LogClient, value string) uint64 {
	t.Helper()
	res, err := c.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte(value)}})
	require.NoError(t, err)
	return res.GetOffset()
}

// TestAgentsReplicate produces on the leader of a 3-agent cluster, agent
// 0, and reads on every agent, with a stream opened on a follower before
// the records exist.
func TestAgentsReplicate(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, true)
	var clients []api.LogClient
	for _, a := range agents {
		clients = append(clients, client(t, a, certs))
	}
	ctx, cancel := context.WithTimeout(t.Context(), converge)
	defer cancel()
	stream, err := clients[2].ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
	require.NoError(t, err)

	want := []string{"hello", "world"}
	for i, v := range want {
		res, err := clients[0].Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte(v)}})
		require.NoError(t, err, "the leader could not commit: the followers must get every record the leader took, over Raft on the shared port")
		require.Equal(t, uint64(i), res.GetOffset())
	}
	for i, c := range clients {
		requireRecords(t, c, want, "agent %d: the followers must get every record the leader took, at the same offsets", i)
	}
	// Raft appended them on the follower, not its gRPC server: the stream
	// must have been woken all the same.
	for i, v := range want {
		res, err := stream.Recv()
		require.NoError(t, err, "a ConsumeStream on a follower must wake when Raft applies a record")
		require.Equal(t, v, string(res.GetRecord().GetValue()))
		require.Equal(t, uint64(i), res.GetRecord().GetOffset())
	}
	// Only the leader takes produces.
	_, err = clients[1].Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("to a follower")}})
	requireNotLeader(t, err, agents[0])
}

// requireNotLeader checks that err is how a follower refuses a produce:
// code Unavailable, so that clients retry on the code, with the leader
// named in the message and in an ErrorInfo detail.
func requireNotLeader(t *testing.T, err error, leader *Agent) {
	t.Helper()
	st := status.Convert(err)
	require.Equal(t, codes.Unavailable.String(), st.Code().String(), "a follower must refuse a produce with Unavailable, the code clients retry on; got %v", err)
	leaderAddr, err := leader.RPCAddr()
	require.NoError(t, err)
	require.Contains(t, st.Message(), leaderAddr, "the refusal must name the leader's address")
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	require.NotNil(t, info, "the refusal must carry an ErrorInfo detail; details: %v", st.Details())
	require.Equal(t, "NOT_LEADER", info.GetReason())
	require.Equal(t, leader.NodeName, info.GetMetadata()["leader_id"])
	require.Equal(t, leaderAddr, info.GetMetadata()["leader_addr"])
}

// TestAgentFailover shuts the leader down: one of the two others takes
// over, keeps every acknowledged record and takes new ones.
func TestAgentFailover(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, false)
	for _, a := range agents[1:] {
		t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	}
	clients := []api.LogClient{client(t, agents[0], certs), client(t, agents[1], certs), client(t, agents[2], certs)}
	produce(t, clients[0], "before")
	for _, c := range clients[1:] {
		requireRecords(t, c, []string{"before"}, "the followers must get every record the leader took")
	}
	start := time.Now()
	require.NoError(t, agents[0].Shutdown())
	var leader api.LogClient
	require.Eventually(t, func() bool {
		for _, c := range clients[1:] {
			if _, err := c.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("after")}}); err == nil {
				leader = c
				return true
			}
		}
		return false
	}, converge, tick, "no agent took over from the leader that shut down")
	t.Logf("failover: %s from the leader's Shutdown to the new leader's first produce", time.Since(start).Round(time.Millisecond))
	for i, c := range clients[1:] {
		requireRecords(t, c, []string{"before", "after"}, "agent %d must keep every acknowledged record across the failover", i+1)
	}
	require.NotNil(t, leader)
}

// TestOnePortServesBoth sends the port what is neither Raft nor gRPC: the
// agents go on replicating, and serving, on that same port.
func TestOnePortServesBoth(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 2, certs, true)
	for _, a := range agents {
		addr, err := a.RPCAddr()
		require.NoError(t, err)
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = conn.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
		require.NoError(t, err)
		require.NoError(t, conn.Close())
	}
	leader, follower := client(t, agents[0], certs), client(t, agents[1], certs)
	produce(t, leader, "one port")
	requireRecords(t, follower, []string{"one port"}, "Raft and gRPC must share the port: the follower gets the record over Raft and serves it over gRPC")
}

// TestShutdownReleasesEverything shuts a cluster down and checks that it
// left properly and kept nothing: no goroutine, no socket.
func TestShutdownReleasesEverything(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	before := goleak.IgnoreCurrent()
	goroutinesBefore, socketsBefore := countGoroutines(), countSockets(t)

	agents := startCluster(t, 3, certs, false)
	conn := dial(t, agents[0], certs)
	c := api.NewLogClient(conn)
	produce(t, c, "hello")
	for _, a := range agents[1:] {
		require.Eventually(t, func() bool { return hasRecord(a.log) }, converge, tick, "the followers must get the record")
	}
	require.NoError(t, conn.Close())
	goroutinesUp, socketsUp := countGoroutines(), countSockets(t)

	require.NoError(t, agents[2].Shutdown())
	require.Eventually(t, func() bool { return memberStatus(agents[0], "2") == serf.StatusLeft }, converge, tick,
		"agent 0 sees agent 2 as %v: Shutdown must leave the cluster before it stops, so the others know it left rather than failed", memberStatus(agents[0], "2"))
	require.NoError(t, agents[1].Shutdown())
	require.NoError(t, agents[0].Shutdown())
	for i, a := range agents {
		require.NoError(t, a.Shutdown(), "Shutdown of agent %d a second time", i)
	}

	require.NoError(t, goleak.Find(before), "goroutines outlived Shutdown")
	require.Eventually(t, func() bool { return countSockets(t) <= socketsBefore }, converge, tick,
		"sockets outlived Shutdown: %d before the cluster, %d after", socketsBefore, countSockets(t))
	t.Logf("goroutines: %d before the cluster, %d with 3 agents up, %d after Shutdown", goroutinesBefore, goroutinesUp, countGoroutines())
	t.Logf("sockets: %d before the cluster, %d with 3 agents up, %d after Shutdown", socketsBefore, socketsUp, countSockets(t))
}

// hasRecord reports whether l holds a record at offset 0.
func hasRecord(l *log.DistributedLog) bool {
	_, err := l.Read(0)
	return err == nil
}

// memberStatus returns the status in which a sees the member called name.
func memberStatus(a *Agent, name string) serf.MemberStatus {
	for _, m := range a.membership.Members() {
		if m.Name == name {
			return m.Status
		}
	}
	return serf.StatusNone
}

// TestShutdownLetsCallsInFlightFinish opens a ProduceStream, starts
// Shutdown, and sends on the stream once the server refuses new calls: the
// append must succeed and be in the log on disk.
func TestShutdownLetsCallsInFlightFinish(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	cfg := newConfig(t, 0, certs, nil)
	a, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })
	c := client(t, a, certs)
	stream, err := c.ProduceStream(t.Context())
	require.NoError(t, err)
	require.NoError(t, stream.Send(&api.ProduceRequest{Record: &api.Record{Value: []byte("before")}}))
	_, err = stream.Recv()
	require.NoError(t, err)

	shutdown := make(chan error, 1)
	go func() { shutdown <- a.Shutdown() }()
	// A new call is refused once the server has begun to stop.
	probe := dial(t, a, certs)
	t.Cleanup(func() { require.NoError(t, probe.Close()) })
	require.Eventually(t, func() bool {
		_, err := api.NewLogClient(probe).Consume(t.Context(), &api.ConsumeRequest{Offset: 0})
		return err != nil
	}, converge, tick, "the server still takes new calls after Shutdown began")

	require.NoError(t, stream.Send(&api.ProduceRequest{Record: &api.Record{Value: []byte("during")}}))
	res, err := stream.Recv()
	require.NoError(t, err, "a call in flight when Shutdown began must be able to finish: Shutdown must stop the server before it closes the log")
	require.Equal(t, uint64(1), res.GetOffset())
	require.NoError(t, stream.CloseSend())
	_, err = stream.Recv()
	require.ErrorIs(t, err, io.EOF)
	require.NoError(t, <-shutdown)

	l, err := log.NewLog(filepath.Join(cfg.DataDir, "log"), log.Config{})
	require.NoError(t, err)
	defer func() { require.NoError(t, l.Close()) }()
	record, err := l.Read(1)
	require.NoError(t, err, "the record appended during Shutdown is not in the log")
	require.Equal(t, "during", string(record.GetValue()))
}

func TestNewRejectsBadConfig(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	t.Run("no TLS", func(t *testing.T) {
		cfg := newConfig(t, 0, certs, nil)
		cfg.PeerTLSConfig = nil
		_, err := New(cfg)
		require.ErrorContains(t, err, "PeerTLSConfig")
	})
	t.Run("TLS 1.2 allowed", func(t *testing.T) {
		cfg := newConfig(t, 0, certs, nil)
		cfg.ServerTLSConfig.MinVersion = tls.VersionTLS12
		_, err := New(cfg)
		require.ErrorContains(t, err, "ServerTLSConfig.MinVersion")
	})
	t.Run("client certificates not required", func(t *testing.T) {
		cfg := newConfig(t, 0, certs, nil)
		cfg.ServerTLSConfig.ClientAuth = tls.VerifyClientCertIfGiven
		_, err := New(cfg)
		require.ErrorContains(t, err, "ServerTLSConfig.ClientAuth")
	})
	t.Run("no ACL", func(t *testing.T) {
		cfg := newConfig(t, 0, certs, nil)
		cfg.ACLPolicyFile = ""
		_, err := New(cfg)
		require.ErrorContains(t, err, "ACLPolicyFile")
	})
	t.Run("a negative Raft multiplier", func(t *testing.T) {
		cfg := newConfig(t, 0, certs, nil)
		cfg.RaftMultiplier = -1
		_, err := New(cfg)
		require.ErrorContains(t, err, "RaftMultiplier")
	})
	t.Run("a failed setup leaves nothing running", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, taken.Close()) })
		before := goleak.IgnoreCurrent()
		cfg := newConfig(t, 0, certs, nil)
		cfg.RPCPort = taken.Addr().(*net.TCPAddr).Port
		_, err = New(cfg)
		require.ErrorContains(t, err, "listen for raft and gRPC")
		require.NoError(t, goleak.Find(before), "a New that fails must shut down what it started")
		// The log was closed: it opens again.
		l, err := log.NewLog(filepath.Join(cfg.DataDir, "log"), log.Config{})
		require.NoError(t, err)
		require.NoError(t, l.Close())
	})
}

// countGoroutines returns how many goroutines the process runs.
func countGoroutines() int {
	return runtime.NumGoroutine()
}

// countSockets returns how many sockets the process holds open, from
// /proc/self/fd; 0 where there is no /proc.
func countSockets(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, "socket:") {
			n++
		}
	}
	return n
}
