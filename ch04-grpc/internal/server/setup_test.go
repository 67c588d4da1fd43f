package server

import (
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	api "github.com/proglog-workshop/proglog/ch04-grpc/api/v1"
	"github.com/proglog-workshop/proglog/ch04-grpc/internal/log"
)

var _ CommitLog = (*log.Log)(nil)

// newLog returns an empty log in a temporary directory, closed when the test
// ends.
func newLog(t testing.TB) *log.Log {
	t.Helper()
	l, err := log.NewLog(t.TempDir(), log.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	return l
}

// testServer is a server made by NewGRPCServer, listening on 127.0.0.1.
type testServer struct {
	addr string
}

// startServer serves commitLog on a free port of 127.0.0.1 until the test
// ends.
func startServer(t testing.TB, commitLog CommitLog) *testServer {
	t.Helper()
	return serve(t, &Config{CommitLog: commitLog})
}

// serve serves cfg on a free port of 127.0.0.1 until the test ends.
func serve(t testing.TB, cfg *Config) *testServer {
	t.Helper()
	gsrv, err := NewGRPCServer(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- gsrv.Serve(ln) }()
	t.Cleanup(func() {
		// Stop, not GracefulStop: a ConsumeStream waiting at the end of
		// the log would keep GracefulStop waiting.
		gsrv.Stop()
		require.NoError(t, <-served)
	})
	return &testServer{addr: ln.Addr().String()}
}

// client returns a client of s over its own connection, with opts added
// to the dial options. The connection is closed when the test ends.
func (s *testServer) client(t testing.TB, opts ...grpc.DialOption) api.LogClient {
	t.Helper()
	opts = append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)
	conn, err := grpc.NewClient(s.addr, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return api.NewLogClient(conn)
}

// countingLog counts the calls that reach a CommitLog, to see what the
// handlers did: a call refused before its handler counts nothing.
type countingLog struct {
	CommitLog
	appends atomic.Int64 // calls to Append
	reads   atomic.Int64 // calls to Read
	found   atomic.Int64 // calls to Read that returned a record
}

// Append implements CommitLog.
func (l *countingLog) Append(record *api.Record) (uint64, error) {
	l.appends.Add(1)
	return l.CommitLog.Append(record)
}

// Read implements CommitLog.
func (l *countingLog) Read(offset uint64) (*api.Record, error) {
	l.reads.Add(1)
	record, err := l.CommitLog.Read(offset)
	if err == nil {
		l.found.Add(1)
	}
	return record, err
}

// calls returns how many calls reached the log.
func (l *countingLog) calls() int64 {
	return l.appends.Load() + l.reads.Load()
}

// produce appends a record with value through client and returns its
// offset.
func produce(t testing.TB, client api.LogClient, value string) uint64 {
	t.Helper()
	res, err := client.Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte(value)}})
	require.NoError(t, err)
	return res.GetOffset()
}
