package server

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// roleRPC is one column of the role matrix: a call a client can make.
type roleRPC struct {
	name string
	call func(ctx context.Context, conn *grpc.ClientConn) error
}

// roleRPCs are the columns of TestRoles, every method a client can call on
// the main port. The Log methods find a record at offset 0: the test
// produces it as root first.
var roleRPCs = []roleRPC{
	{"Produce", func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := api.NewLogClient(conn).Produce(ctx, &api.ProduceRequest{Record: &api.Record{Value: []byte("role")}})
		return err
	}},
	{"ProduceStream", func(ctx context.Context, conn *grpc.ClientConn) error {
		stream, err := api.NewLogClient(conn).ProduceStream(ctx)
		if err != nil {
			return err
		}
		// Send reports only io.EOF once the server has ended the stream;
		// Recv says why it did.
		if err := stream.Send(&api.ProduceRequest{Record: &api.Record{Value: []byte("role")}}); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		_, err = stream.Recv()
		return err
	}},
	// ProduceBatch goes here when the service has it, with a column in
	// every row of TestRoles' table: produce for root and producer,
	// PermissionDenied for consumer and nobody.
	{"Consume", func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := api.NewLogClient(conn).Consume(ctx, &api.ConsumeRequest{Offset: 0})
		return err
	}},
	{"ConsumeStream", func(ctx context.Context, conn *grpc.ClientConn) error {
		stream, err := api.NewLogClient(conn).ConsumeStream(ctx, &api.ConsumeRequest{Offset: 0})
		if err != nil {
			return err
		}
		_, err = stream.Recv()
		return err
	}},
	{"GetServers", func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := api.NewLogClient(conn).GetServers(ctx, &api.GetServersRequest{})
		return err
	}},
	{"Health.Check", func(ctx context.Context, conn *grpc.ClientConn) error {
		_, err := healthgrpc.NewHealthClient(conn).Check(ctx, &healthgrpc.HealthCheckRequest{})
		return err
	}},
	{"Health.Watch", func(ctx context.Context, conn *grpc.ClientConn) error {
		stream, err := healthgrpc.NewHealthClient(conn).Watch(ctx, &healthgrpc.HealthCheckRequest{})
		if err != nil {
			return err
		}
		_, err = stream.Recv()
		return err
	}},
}

// TestRoles walks every role of the example ACL through every method,
// over real gRPC and mutual TLS, and checks the exact code of each cell.
func TestRoles(t *testing.T) {
	const (
		ok     = codes.OK
		denied = codes.PermissionDenied
	)
	tests := []struct {
		role string
		// want has one code per column of roleRPCs:
		// Produce, ProduceStream, Consume, ConsumeStream, GetServers, Health.Check, Health.Watch.
		want []codes.Code
	}{
		{"root", []codes.Code{ok, ok, ok, ok, ok, ok, ok}},
		{"producer", []codes.Code{ok, ok, denied, denied, ok, ok, ok}},
		{"consumer", []codes.Code{denied, denied, ok, ok, ok, ok, ok}},
		{"nobody", []codes.Code{denied, denied, denied, denied, denied, ok, ok}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			require.Len(t, tt.want, len(roleRPCs), "one code per column of roleRPCs")
			commitLog := &countingLog{CommitLog: newLog(t)}
			srv := serve(t, &Config{CommitLog: commitLog, GetServerer: staticServers{servers: []*api.Server{{Id: "a", RpcAddr: "127.0.0.1:8400", IsLeader: true}}}})
			produce(t, srv.client(t), "first")
			readsBefore := commitLog.reads.Load()

			certFile, keyFile := srv.roleCert(t, tt.role)
			conn := srv.dial(t, srv.tlsAs(t, certFile, keyFile))
			for i, r := range roleRPCs {
				ctx, cancel := context.WithTimeout(t.Context(), streamTimeout)
				err := r.call(ctx, conn)
				cancel()
				require.Equal(t, tt.want[i].String(), status.Code(err).String(), "%s calling %s; got %v", tt.role, r.name, err)
			}

			// A refusal comes before the handler: the log sees no call
			// of a role that may not make it.
			if tt.want[0] == denied {
				require.Equal(t, int64(1), commitLog.appends.Load(), "%s may not produce: no append of theirs may reach the log", tt.role)
			}
			if tt.want[2] == denied {
				require.Equal(t, readsBefore, commitLog.reads.Load(), "%s may not consume: no read of theirs may reach the log", tt.role)
			}
		})
	}
}

// roleCert returns the certificate and key files of the client named role.
func (s *testServer) roleCert(t testing.TB, role string) (certFile, keyFile string) {
	t.Helper()
	switch role {
	case "root":
		return s.certs.RootClientCertFile, s.certs.RootClientKeyFile
	case "producer":
		return s.certs.ProducerClientCertFile, s.certs.ProducerClientKeyFile
	case "consumer":
		return s.certs.ConsumerClientCertFile, s.certs.ConsumerClientKeyFile
	case "nobody":
		return s.certs.NobodyClientCertFile, s.certs.NobodyClientKeyFile
	}
	require.FailNow(t, "no certificate for role "+role)
	return "", ""
}
