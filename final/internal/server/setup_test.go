package server

import (
	"crypto/tls"
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/auth"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/log"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

var (
	_ CommitLog  = (*log.Log)(nil)
	_ Authorizer = (*auth.Authorizer)(nil)
)

// The example ACL: root may produce and consume, nobody may do nothing.
const (
	aclModel  = "../auth/testdata/model.conf"
	aclPolicy = "../auth/testdata/policy.csv"
)

// newLog returns an empty log in a temporary directory, closed when the test
// ends.
func newLog(t testing.TB) *log.Log {
	t.Helper()
	l, err := log.NewLog(t.TempDir(), log.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	return l
}

// testServer is a server made by NewGRPCServer, listening on 127.0.0.1,
// with the certificates its clients use.
type testServer struct {
	addr  string
	certs pki.Files
}

// startServer serves commitLog over mutual TLS, with the example ACL, on a
// free port of 127.0.0.1 until the test ends.
func startServer(t testing.TB, commitLog CommitLog) *testServer {
	t.Helper()
	return serve(t, &Config{CommitLog: commitLog})
}

// serve serves cfg over mutual TLS on a free port of 127.0.0.1 until the
// test ends, with the example ACL when cfg has no Authorizer, and opts
// after the TLS.
func serve(t testing.TB, cfg *Config, opts ...grpc.ServerOption) *testServer {
	t.Helper()
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	if cfg.Authorizer == nil {
		authorizer, err := auth.New(aclModel, aclPolicy)
		require.NoError(t, err)
		cfg.Authorizer = authorizer
	}
	serverTLS := config.TLSConfig{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true}
	return serveTLS(t, cfg, serverTLS, certs, opts...)
}

// serveTLS serves cfg with the TLS of serverTLS, and opts, on a free port
// of 127.0.0.1 until the test ends.
func serveTLS(t testing.TB, cfg *Config, serverTLS config.TLSConfig, certs pki.Files, opts ...grpc.ServerOption) *testServer {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(serverTLS)
	require.NoError(t, err)
	gsrv, err := NewGRPCServer(cfg, append([]grpc.ServerOption{grpc.Creds(credentials.NewTLS(tlsConfig))}, opts...)...)
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
	return &testServer{addr: ln.Addr().String(), certs: certs}
}

// dial connects to s with creds and opts; the connection is closed when
// the test ends.
func (s *testServer) dial(t testing.TB, creds credentials.TransportCredentials, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(s.addr, append([]grpc.DialOption{grpc.WithTransportCredentials(creds)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return conn
}

// tlsAs returns client credentials that trust s's CA and present the
// certificate in certFile and keyFile, or none when both are empty.
func (s *testServer) tlsAs(t testing.TB, certFile, keyFile string) credentials.TransportCredentials {
	t.Helper()
	tlsConfig, err := config.SetupTLSConfig(config.TLSConfig{CertFile: certFile, KeyFile: keyFile, CAFile: s.certs.CAFile})
	require.NoError(t, err)
	presentAnyway(tlsConfig)
	return credentials.NewTLS(tlsConfig)
}

// presentAnyway makes a client present its certificate even when the
// server names CAs that did not sign it. A Go client would otherwise send
// none, and a certificate from another CA would test nothing but that.
func presentAnyway(tlsConfig *tls.Config) {
	if len(tlsConfig.Certificates) == 0 {
		return
	}
	cert := &tlsConfig.Certificates[0]
	tlsConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
}

// client returns a client of s that connects as root, over its own
// connection, with opts added to the dial options.
func (s *testServer) client(t testing.TB, opts ...grpc.DialOption) api.LogClient {
	t.Helper()
	return api.NewLogClient(s.dial(t, s.tlsAs(t, s.certs.RootClientCertFile, s.certs.RootClientKeyFile), opts...))
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
