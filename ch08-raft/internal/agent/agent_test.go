package agent

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/serf/serf"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/ch08-raft/api/v1"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/config"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/log"
	"github.com/proglog-workshop/proglog/ch08-raft/internal/pki"
)

// converge is how long the tests give the cluster to spread a change:
// well under a second on an idle machine, with a margin for a loaded one.
const converge = 30 * time.Second

// tick is how often the tests look again.
const tick = 20 * time.Millisecond

// The example ACL: root, the peers' certificate here, may produce and
// consume.
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
	peerTLS, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile, ServerAddress: "127.0.0.1",
	})
	require.NoError(t, err)
	return Config{
		NodeName:        fmt.Sprint(i),
		DataDir:         t.TempDir(),
		BindAddr:        "127.0.0.1:0",
		RPCPort:         0,
		StartJoinAddrs:  join,
		ServerTLSConfig: serverTLS,
		PeerTLSConfig:   peerTLS,
		ACLModelFile:    aclModel,
		ACLPolicyFile:   aclPolicy,
		Logger:          zaptest.NewLogger(t),
	}
}

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
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{
		CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile,
	})
	require.NoError(t, err)
	addr, err := a.RPCAddr()
	require.NoError(t, err)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
	require.NoError(t, err)
	return conn
}

// stored is what the tests compare of a record.
type stored struct {
	Value  string
	Origin string
}

// records returns every record the server of c holds, in offset order.
func records(t *testing.T, c api.LogClient) []stored {
	t.Helper()
	var got []stored
	for off := uint64(0); ; off++ {
		res, err := c.Consume(t.Context(), &api.ConsumeRequest{Offset: off})
		if status.Code(err) == codes.OutOfRange {
			return got
		}
		require.NoError(t, err, "consume offset %d", off)
		got = append(got, stored{string(res.GetRecord().GetValue()), res.GetRecord().GetOrigin()})
	}
}

func values(records []stored) []string {
	var vs []string
	for _, r := range records {
		vs = append(vs, r.Value)
	}
	return vs
}

func produce(t *testing.T, c api.LogClient, value string) {
	t.Helper()
	_, err := c.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte(value)}})
	require.NoError(t, err)
}

// TestAgentsReplicate shows what a 3-agent cluster stores: one record
// produced on agent 0, then one on each of agents 1 and 2.
func TestAgentsReplicate(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	agents := startCluster(t, 3, certs, true)
	var clients []api.LogClient
	for _, a := range agents {
		clients = append(clients, client(t, a, certs))
	}

	produce(t, clients[0], "hello")
	for i := 1; i < 3; i++ {
		require.Eventually(t, func() bool { return len(records(t, clients[i])) > 0 }, converge, tick,
			"agent %d never received the record produced on agent 0", i)
	}
	// Each agent reads the others' logs in order: once the record produced
	// on agent 1 reaches agent 0, agent 0 has also seen whatever agent 1
	// held before it, the copy of "hello" included. So after these two
	// records have spread, no copy of a copy can still be on its way.
	produce(t, clients[1], "from 1")
	produce(t, clients[2], "from 2")
	for i, c := range clients {
		require.Eventually(t, func() bool {
			vs := values(records(t, c))
			return len(vs) >= 3 && contains(vs, "from 1") && contains(vs, "from 2")
		}, converge, tick, "agent %d never received the records produced on agents 1 and 2; it holds %v", i, records(t, c))
	}

	want := [][]stored{
		{{"hello", ""}, {"from 1", "1"}, {"from 2", "2"}},
		{{"hello", "0"}, {"from 1", ""}, {"from 2", "2"}},
		{{"hello", "0"}, {"from 1", "1"}, {"from 2", ""}},
	}
	for i, c := range clients {
		got := records(t, c)
		t.Logf("agent %d stores %v", i, got)
		require.ElementsMatch(t, want[i], got,
			"agent %d must hold each record exactly once: its own with an empty origin, the others' copied with their origin", i)
	}
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
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
		require.Eventually(t, func() bool { return hasRecord(a.log) }, converge, tick)
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
func hasRecord(l *log.Log) bool {
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
	t.Run("no ACL", func(t *testing.T) {
		cfg := newConfig(t, 0, certs, nil)
		cfg.ACLPolicyFile = ""
		_, err := New(cfg)
		require.ErrorContains(t, err, "ACLPolicyFile")
	})
	t.Run("a failed setup leaves nothing running", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, taken.Close()) })
		before := goleak.IgnoreCurrent()
		cfg := newConfig(t, 0, certs, nil)
		cfg.RPCPort = taken.Addr().(*net.TCPAddr).Port
		_, err = New(cfg)
		require.ErrorContains(t, err, "listen for gRPC")
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
