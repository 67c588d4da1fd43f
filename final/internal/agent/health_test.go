package agent

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
	"github.com/proglog-workshop/proglog/final/internal/pki"
)

// TestHealthPort checks the plaintext port for probes: it answers health
// checks without a certificate, serves nothing else, and reports
// NOT_SERVING once Shutdown begins; the main port still refuses
// plaintext.
func TestHealthPort(t *testing.T) {
	certs, err := pki.Write(t.TempDir())
	require.NoError(t, err)
	cfg := newConfig(t, 0, certs, nil)
	cfg.HealthAddr = "127.0.0.1:0"
	a, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Shutdown()) })

	probe := plaintextConn(t, a.HealthAddr)
	health := healthgrpc.NewHealthClient(probe)
	for _, service := range []string{"", api.Log_ServiceDesc.ServiceName} {
		res, err := health.Check(t.Context(), &healthgrpc.HealthCheckRequest{Service: service})
		require.NoError(t, err, "a plaintext health check of %q must pass on the health port", service)
		require.Equal(t, healthgrpc.HealthCheckResponse_SERVING, res.GetStatus())
	}

	_, err = api.NewLogClient(probe).Produce(t.Context(), &api.ProduceRequest{Record: &api.Record{Value: []byte("x")}})
	require.Equal(t, codes.Unimplemented.String(), status.Code(err).String(), "the health port must serve the health service only; got %v", err)

	mainAddr, err := a.RPCAddr()
	require.NoError(t, err)
	_, err = healthgrpc.NewHealthClient(plaintextConn(t, mainAddr)).Check(t.Context(), &healthgrpc.HealthCheckRequest{})
	require.Equal(t, codes.Unavailable.String(), status.Code(err).String(), "the main port must still refuse plaintext; got %v", err)

	ctx, cancel := context.WithTimeout(t.Context(), converge)
	defer cancel()
	watch, err := health.Watch(ctx, &healthgrpc.HealthCheckRequest{})
	require.NoError(t, err)
	res, err := watch.Recv()
	require.NoError(t, err)
	require.Equal(t, healthgrpc.HealthCheckResponse_SERVING, res.GetStatus())
	shutdown := make(chan error, 1)
	go func() { shutdown <- a.Shutdown() }()
	res, err = watch.Recv()
	require.NoError(t, err, "the probe must hear NOT_SERVING before the port closes")
	require.Equal(t, healthgrpc.HealthCheckResponse_NOT_SERVING, res.GetStatus(), "Shutdown must first tell the probes the agent is going")
	require.NoError(t, <-shutdown)
}

// plaintextConn returns a connection without TLS to addr, closed when the
// test ends.
func plaintextConn(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return conn
}
