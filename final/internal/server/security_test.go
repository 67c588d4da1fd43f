package server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/config"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// rpc is one way for a client to use the log.
type rpc struct {
	name string
	call func(ctx context.Context, client api.LogClient) error
}

// rpcs calls each method of the Log service once, Produce first, so that
// the others find a record at offset 0.
var rpcs = []rpc{
	{"Produce", func(ctx context.Context, client api.LogClient) error {
		_, err := client.Produce(ctx, &api.ProduceRequest{Record: &api.Record{Value: []byte("hello")}})
		return err
	}},
	{"Consume", func(ctx context.Context, client api.LogClient) error {
		_, err := client.Consume(ctx, &api.ConsumeRequest{Offset: 0})
		return err
	}},
	{"ConsumeStream", func(ctx context.Context, client api.LogClient) error {
		stream, err := client.ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
		if err != nil {
			return err
		}
		_, err = stream.Recv()
		return err
	}},
	{"ProduceStream", func(ctx context.Context, client api.LogClient) error {
		stream, err := client.ProduceStream(ctx)
		if err != nil {
			return err
		}
		// Send reports only io.EOF when the server has ended the stream;
		// Recv says why it did.
		if err := stream.Send(&api.ProduceRequest{Record: &api.Record{Value: []byte("hello")}}); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		_, err = stream.Recv()
		return err
	}},
}

// outcome is how one call of rpcs ended.
type outcome struct {
	name string
	err  error
}

// callAll makes every call of rpcs through client, in order, each with its
// own deadline, and returns how each ended. It logs the outcomes (go test
// -v shows them) only when the test ends: the caller's assertion on the
// first wrong outcome is then the first line a failure prints, and leads
// with the real cause (a broken handshake, say) rather than with what the
// later calls saw.
func callAll(t *testing.T, client api.LogClient) []outcome {
	t.Helper()
	var outcomes []outcome
	for _, r := range rpcs {
		ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
		err := r.call(ctx, client)
		cancel()
		outcomes = append(outcomes, outcome{r.name, err})
	}
	t.Cleanup(func() {
		for _, o := range outcomes {
			t.Logf("%-13s %v", o.name, o.err)
		}
	})
	return outcomes
}

func TestServerRequiresTLS(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	commitLog := &countingLog{CommitLog: newLog(t)}
	// The server proves who it is and asks clients for no certificate; its
	// ACL allows everything. What refuses these clients is TLS.
	serverTLS := config.TLSConfig{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, Server: true}
	srv := serveTLS(t, &Config{CommitLog: commitLog, Authorizer: allowAll{}}, serverTLS, certs)

	tls12, err := config.SetupTLSConfig(config.TLSConfig{CAFile: certs.CAFile})
	require.NoError(t, err)
	tls12.MinVersion, tls12.MaxVersion = tls.VersionTLS12, tls.VersionTLS12

	clients := []struct {
		name  string
		creds credentials.TransportCredentials
	}{
		{"a plaintext client", insecure.NewCredentials()},
		{"a TLS 1.2 client", credentials.NewTLS(tls12)},
	}
	for _, c := range clients {
		t.Run(c.name+" is refused", func(t *testing.T) {
			for _, o := range callAll(t, api.NewLogClient(srv.dial(t, c.creds))) {
				require.Equal(t, codes.Unavailable.String(), status.Code(o.err).String(), "%s: the TLS handshake must refuse %s: the server speaks TLS 1.3 only (MinVersion); got %v", o.name, c.name, o.err)
			}
		})
	}
	require.Zero(t, commitLog.calls(), "no call of a refused client may reach a handler")
}

func TestServerRejectsUnverifiedClients(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	commitLog := &countingLog{CommitLog: newLog(t)}
	// Mutual TLS, and an ACL that allows everything: what refuses these
	// clients is the server's TLS, before any interceptor or handler.
	serverTLS := config.TLSConfig{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile, Server: true}
	srv := serveTLS(t, &Config{CommitLog: commitLog, Authorizer: allowAll{}}, serverTLS, certs)

	// root's own certificate, but over TLS 1.2.
	tls12, err := config.SetupTLSConfig(config.TLSConfig{CertFile: certs.RootClientCertFile, KeyFile: certs.RootClientKeyFile, CAFile: certs.CAFile})
	require.NoError(t, err)
	tls12.MinVersion, tls12.MaxVersion = tls.VersionTLS12, tls.VersionTLS12

	clients := []struct {
		name  string
		creds credentials.TransportCredentials
	}{
		{"a plaintext client", insecure.NewCredentials()},
		{"a TLS 1.2 client with root's certificate", credentials.NewTLS(tls12)},
		{"a client without a certificate", srv.tlsAs(t, "", "")},
		{"a client whose certificate says root but comes from another CA", srv.tlsAs(t, certs.OtherCAClientCertFile, certs.OtherCAClientKeyFile)},
		{"a client whose certificate says root but has expired", srv.tlsAs(t, certs.ExpiredClientCertFile, certs.ExpiredClientKeyFile)},
		{"a client whose certificate says root but signs itself", srv.tlsAs(t, certs.SelfSignedClientCertFile, certs.SelfSignedClientKeyFile)},
	}
	for _, c := range clients {
		t.Run(c.name+" is refused", func(t *testing.T) {
			for _, o := range callAll(t, api.NewLogClient(srv.dial(t, c.creds))) {
				require.Equal(t, codes.Unavailable.String(), status.Code(o.err).String(), "%s: the TLS handshake must refuse %s: TLS 1.3 only, and client certificates required and verified; got %v", o.name, c.name, o.err)
			}
		})
	}
	require.Zero(t, commitLog.calls(), "no call of a refused client may reach a handler")
}

func TestACL(t *testing.T) {
	t.Run("root may call every method", func(t *testing.T) {
		root := startServer(t, newLog(t)).client(t)
		for _, o := range callAll(t, root) {
			require.NoError(t, o.err, "root may %s", o.name)
		}
	})

	t.Run("nobody may call none", func(t *testing.T) {
		// A server of its own: a stream of root's that has not yet seen
		// its cancellation could still read a log they shared.
		commitLog := &countingLog{CommitLog: newLog(t)}
		srv := startServer(t, commitLog)
		nobody := api.NewLogClient(srv.dial(t, srv.tlsAs(t, srv.certs.NobodyClientCertFile, srv.certs.NobodyClientKeyFile)))
		for _, o := range callAll(t, nobody) {
			require.Equal(t, codes.PermissionDenied.String(), status.Code(o.err).String(), "nobody has no entry in the ACL: %s must be refused with PermissionDenied (streams are checked by the stream interceptor); got %v", o.name, o.err)
		}
		require.Zero(t, commitLog.calls(), "no call of nobody's may reach a handler")
	})
}

func TestHealth(t *testing.T) {
	srv := startServer(t, newLog(t))
	clients := []struct {
		name              string
		certFile, keyFile string
	}{
		{"root", srv.certs.RootClientCertFile, srv.certs.RootClientKeyFile},
		{"nobody, who has no ACL entry", srv.certs.NobodyClientCertFile, srv.certs.NobodyClientKeyFile},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
			defer cancel()
			health := healthgrpc.NewHealthClient(srv.dial(t, srv.tlsAs(t, c.certFile, c.keyFile)))
			for _, service := range []string{"", api.Log_ServiceDesc.ServiceName} {
				res, err := health.Check(ctx, &healthgrpc.HealthCheckRequest{Service: service})
				require.NoError(t, err, "a health check must not need an ACL entry")
				require.Equal(t, healthgrpc.HealthCheckResponse_SERVING, res.GetStatus(), "service %q", service)
			}
			// Watch is a stream: the stream interceptor must let it by too.
			watch, err := health.Watch(ctx, &healthgrpc.HealthCheckRequest{})
			require.NoError(t, err)
			res, err := watch.Recv()
			require.NoError(t, err, "a health check must not need an ACL entry, on a stream either")
			require.Equal(t, healthgrpc.HealthCheckResponse_SERVING, res.GetStatus())
		})
	}
}
